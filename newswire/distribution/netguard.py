"""Refuse outbound requests to loopback, private, link-local and metadata addresses (SSRF).

Checked when a URL is registered and again at connect time through ``GuardedResolver``,
because DNS can change between the two. Operators allow private targets (tests, local
demos) with NEWSWIRE_WEBHOOK_ALLOW_PRIVATE=1.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from aiohttp.abc import AbstractResolver
from aiohttp.resolver import ThreadedResolver


class BlockedAddress(OSError):
    pass


def _blocked(ip: ipaddress._BaseAddress) -> bool:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    # is_global is False for loopback, RFC 1918, link-local (incl. 169.254.169.254 metadata), CGNAT,
    # unique-local, documentation and reserved ranges.
    return not ip.is_global or ip.is_multicast


def check_url(url: str, *, allow_private: bool, resolve: bool = True) -> str | None:
    """None if the URL may be called, else a sentence saying why not."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "is not a URL"
    if parts.scheme not in ("http", "https"):
        return "must be an http:// or https:// URL"
    if not parts.hostname:
        return "has no host name"
    if parts.username or parts.password:
        return "must not carry a user name or password"
    if allow_private:
        return None
    host = parts.hostname
    try:
        addresses = [ipaddress.ip_address(host)]
    except ValueError:
        if not resolve:
            return None
        try:
            infos = socket.getaddrinfo(host, parts.port or (443 if parts.scheme == "https" else 80),
                                       type=socket.SOCK_STREAM)
        except socket.gaierror:
            return f"names a host ({host}) that does not resolve"
        addresses = [ipaddress.ip_address(info[4][0]) for info in infos]
    for ip in addresses:
        if _blocked(ip):
            return (f"points at {ip}, a loopback, private or link-local address; the wire only calls public "
                    "addresses (operators can allow private ones with NEWSWIRE_WEBHOOK_ALLOW_PRIVATE=1)")
    return None


class GuardedResolver(AbstractResolver):
    """An aiohttp resolver that refuses to connect to blocked addresses."""

    def __init__(self, allow_private: bool):
        self.allow_private = allow_private
        self._inner = ThreadedResolver()

    async def resolve(self, host: str, port: int = 0, family: int = socket.AF_INET):
        results = await self._inner.resolve(host, port, family)
        if not self.allow_private:
            for r in results:
                if _blocked(ipaddress.ip_address(r["host"])):
                    raise BlockedAddress(f"{host} resolves to {r['host']}, which the wire does not call")
        return results

    async def close(self) -> None:
        await self._inner.close()
