"""The SSRF guard: which addresses the wire refuses to call, at registration, before a send and
at connect time, where the name's DNS answer is judged before anything connects."""

from __future__ import annotations

import asyncio
import ipaddress
import socket

import pytest
from aiohttp.abc import AbstractResolver
from yarl import URL

from callback_server import CallbackServer
from newswire.config import Settings
from newswire.distribution.channels import webhook
from newswire.distribution.channels.base import Job, Target
from newswire.distribution.channels.http import guarded_session, post
from newswire.distribution.channels.webhook import WebhookChannel
from newswire.distribution.netguard import GuardedResolver, check_url
from ssrf_cases import ALLOWED, EMBEDDED_LOOPBACK, REFUSED

STRICT, LAX = Settings(webhook_allow_private=False, webhook_timeout=5), Settings(webhook_allow_private=True)


@pytest.mark.parametrize("url,shown", REFUSED)
def test_refused(url, shown):
    why = check_url(url, allow_private=False)
    assert why and shown in why and "NEWSWIRE_WEBHOOK_ALLOW_PRIVATE" in why
    # Before a send, literals are judged without DNS: the same verdict.
    assert check_url(url, allow_private=False, resolve=False) == why
    assert check_url(url, allow_private=True) is None  # only the address was wrong


@pytest.mark.parametrize("url", ALLOWED)
def test_allowed(url):
    assert check_url(url, allow_private=False) is None
    assert webhook.refusal(url, URL(url), allow_private=False) is None


def test_an_embedded_ipv4_is_named_in_the_refusal():
    why = check_url("http://[64:ff9b::a9fe:a9fe]/", allow_private=False)
    assert why.startswith("points at 64:ff9b::a9fe:a9fe, which stands for 169.254.169.254, ")


@pytest.mark.parametrize("url,why", [
    ("ftp://8.8.8.8/", "http"), ("http:///hook", "host"), ("http://user:pw@8.8.8.8/", "user name"),
    ("http://8.8.8.8:99999/", "not a URL"), ("http://no-such-host.invalid/", "does not resolve"),
])
def test_not_callable_urls(url, why):
    assert why in check_url(url, allow_private=False)


def test_names_are_resolved_at_registration_and_left_to_the_resolver_before_a_send():
    assert "127.0.0.1" in check_url("http://localhost/hook", allow_private=False)
    assert check_url("http://localhost/hook", allow_private=False, resolve=False) is None


class Hosts(AbstractResolver):
    """DNS whose answers the test fixes, the way /etc/hosts would give them."""

    def __init__(self, table: dict[str, str]):
        self.table = table

    async def resolve(self, host: str, port: int = 0, family: int = socket.AF_INET):
        ip = ipaddress.ip_address(self.table[host])
        return [{"hostname": host, "host": str(ip), "port": port, "proto": 0,
                 "family": socket.AF_INET6 if ip.version == 6 else socket.AF_INET,
                 "flags": socket.AI_NUMERICHOST | socket.AI_NUMERICSERV}]

    async def close(self) -> None:
        pass


@pytest.fixture
def server():
    s = CallbackServer()
    yield s
    s.close()


@pytest.mark.parametrize("url,shown", REFUSED)
def test_refused_by_the_webhook_channel_without_a_connection(server, url, shown):
    """Literals by the channel's own check, names (0x7f.1 is one to aiohttp) by the resolver."""
    address = str(URL(url).with_port(URL(server.base).port))
    job = Job(1, "release.published", 0, None, Target(1, None, address, "ninjs"), b"{}")

    async def main():
        channel = WebhookChannel(STRICT)
        try:
            return await channel.push(job)
        finally:
            await channel.close()

    result = asyncio.run(main())
    assert result.permanent and result.error.startswith("refused: ") and shown in result.error, result
    assert server.requests == []


def send(settings: Settings, url: str, dns: AbstractResolver | None = None):
    async def main():
        async with guarded_session(settings, dns=dns) as session:
            return await post(session, 7, url, b"{}", {"Content-Type": "application/json"}, timeout=5, gone="")
    return asyncio.run(main())


@pytest.mark.parametrize("address", EMBEDDED_LOOPBACK + ["127.0.0.1", "::1"])
def test_a_name_resolving_to_loopback_is_refused_before_connecting(server, address):
    port = URL(server.base).port
    result = send(STRICT, f"http://hooks.example:{port}/x", Hosts({"hooks.example": address}))
    assert not result.ok and result.permanent, result
    assert result.error.startswith(f"refused: hooks.example resolves to {ipaddress.ip_address(address)}, ")
    assert "127.0.0.1" in result.error or address == "::1"
    assert server.requests == []


def test_the_same_answer_reaches_the_loopback_server_when_private_targets_are_allowed(server):
    """What the guard stops is real: over a dual-stack socket ::ffff:127.0.0.1 is the IPv4 server."""
    port = URL(server.base).port
    for address in ("127.0.0.1", "::ffff:127.0.0.1"):
        result = send(LAX, f"http://hooks.example:{port}/{address}", Hosts({"hooks.example": address}))
        assert result.ok, result
    assert [r["path"] for r in server.got("POST", "/127.0.0.1")] == ["/127.0.0.1"]
    assert len(server.got("POST", "/::ffff:127.0.0.1")) == 1


def test_the_system_resolver_is_guarded_too(server):
    result = send(STRICT, f"http://localhost:{URL(server.base).port}/x")
    assert result.permanent and result.error.startswith("refused: localhost resolves to ")
    assert server.requests == []


class Rebinding(AbstractResolver):
    """DNS rebinding: a public answer the first time (when the URL is checked), loopback after."""

    def __init__(self, host: str, answers: list[str]):
        self.host, self.answers, self.asked = host, list(answers), 0

    async def resolve(self, host: str, port: int = 0, family: int = socket.AF_INET):
        self.asked += 1
        ip = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        return [{"hostname": host, "host": ip, "port": port, "proto": 0, "family": socket.AF_INET,
                 "flags": socket.AI_NUMERICHOST | socket.AI_NUMERICSERV}]

    async def close(self) -> None:
        pass


def test_dns_rebinding_between_check_and_connect_is_refused(server):
    """The check sees a public address; the connect-time lookup the guard makes sees loopback and
    refuses it, so nothing reaches the loopback server."""
    port = URL(server.base).port
    dns = Rebinding("hooks.example", ["93.184.216.34", "127.0.0.1"])
    checked = asyncio.run(GuardedResolver(False, dns).resolve("hooks.example", port))
    assert checked[0]["host"] == "93.184.216.34"  # the check passes: a public address
    result = send(STRICT, f"http://hooks.example:{port}/x", dns)
    assert dns.asked == 2 and not result.ok and result.permanent, result
    assert result.error.startswith("refused: hooks.example resolves to 127.0.0.1, ")
    assert server.requests == []
