"""Refuse outbound requests to loopback, private, link-local and metadata addresses (SSRF).

Checked when a URL is registered (``check_url``) and again at connect time, because DNS can
change between the two: literal IPs by the channels before they send (aiohttp never resolves
those), host names by ``GuardedResolver`` on what DNS answers. All three judge an address with
the one function ``refusal``. Operators allow private targets (tests, local demos) with
NEWSWIRE_WEBHOOK_ALLOW_PRIVATE=1.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from aiohttp.abc import AbstractResolver
from aiohttp.resolver import ThreadedResolver

from ..domain.text import url_problem

Address = ipaddress.IPv4Address | ipaddress.IPv6Address

# The stdlib decodes IPv4-mapped, 6to4 and Teredo (ipv4_mapped, sixtofour, teredo) but not these:
_COMPATIBLE = ipaddress.IPv6Network("::/96")  # IPv4-compatible ::a.b.c.d (RFC 4291 §2.5.5.1, deprecated)
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")  # RFC 6052 well-known prefix: always a /96
_NAT64_LOCAL = ipaddress.IPv6Network("64:ff9b:1::/48")  # RFC 8215 local-use
# Where RFC 6052 §2.2 puts the IPv4 bits for the prefix lengths a local-use prefix can have
# (/96, /64, /56, /48): (first bit, count) pairs, skipping bits 64-71, which must be zero. The
# network picks the length, so seen from here each one is where a packet might end up.
_NAT64_LOCAL_LAYOUTS = (((96, 32),), ((72, 32),), ((56, 8), (72, 24)), ((48, 16), (72, 16)))
# Documentation (RFC 9637, 2024): newer than what Python 3.11's is_global knows of.
_DOCUMENTATION_V6 = ipaddress.IPv6Network("3fff::/20")


def _bits(ip: ipaddress.IPv6Address, layout: tuple[tuple[int, int], ...]) -> ipaddress.IPv4Address:
    n, v4 = int(ip), 0
    for first, count in layout:
        v4 = (v4 << count) | (n >> (128 - first - count)) & ((1 << count) - 1)
    return ipaddress.IPv4Address(v4)


def embedded_ipv4(ip: ipaddress.IPv6Address) -> tuple[ipaddress.IPv4Address, ...]:
    """The IPv4 addresses an IPv6 address stands for, where its form says so: a packet to it ends
    up at (one of) them, so they are what is judged. Empty for any other IPv6 address."""
    if ip.ipv4_mapped:
        return (ip.ipv4_mapped,)
    if ip.sixtofour:
        return (ip.sixtofour,)
    if ip.teredo:
        return ip.teredo  # (server, client); the client's bits are stored inverted, teredo undoes that
    if ip in _NAT64:
        return (ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF),)
    if ip in _NAT64_LOCAL:
        return tuple(_bits(ip, layout) for layout in _NAT64_LOCAL_LAYOUTS)
    if ip in _COMPATIBLE and int(ip) > 1:  # :: and ::1 are IPv6's own unspecified and loopback
        return (ipaddress.IPv4Address(int(ip)),)
    return ()


def refusal(ip: Address) -> str | None:
    """Why the wire must not connect to ``ip``, or None if it may: the one test for registration,
    literal URLs at send time and what DNS answers at connect time."""
    if isinstance(ip, ipaddress.IPv6Address) and (inner := embedded_ipv4(ip)):
        for v4 in inner:
            if why := refusal(v4):
                return f"which stands for {v4}, {why}"
        return None
    # is_global is False for loopback, unspecified, RFC 1918, link-local (incl. the 169.254.169.254
    # metadata service), CGNAT, unique-local, documentation and benchmarking ranges, but True for
    # multicast, some reserved ranges and (Python 3.11) site-local fec0::/10.
    if ip.is_multicast:
        return "a multicast address"
    if (not ip.is_global or ip.is_reserved
            or isinstance(ip, ipaddress.IPv6Address) and (ip.is_site_local or ip in _DOCUMENTATION_V6)):
        return "a loopback, private, link-local or reserved address"
    return None


def literal_address(host: str) -> Address | None:
    """The address a host written as a number stands for, or None for a name. Numbers are read
    the way the C library does when connecting (``AI_NUMERICHOST``: no DNS), so ``2130706433``,
    ``0x7f.1`` and ``017700000001`` are 127.0.0.1 here too."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None, flags=socket.AI_NUMERICHOST)
    except (socket.gaierror, UnicodeError, ValueError):
        return None
    return ipaddress.ip_address(infos[0][4][0])


def check_url(url: str, *, allow_private: bool, resolve: bool = True) -> str | None:
    """None if the URL may be called, else a sentence saying why not. ``resolve=False`` judges
    literal addresses only, leaving names to ``GuardedResolver``."""
    if (problem := url_problem(url)) is not None:  # the one rule for stored URLs: http(s), a host, no credentials
        return problem
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    host = parts.hostname
    if allow_private:
        return None
    if (ip := literal_address(host)) is not None:
        addresses = [ip]
    elif not resolve:
        return None
    else:
        try:
            addresses = [ipaddress.ip_address(info[4][0])
                         for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]
        except (socket.gaierror, UnicodeError):
            return f"names a host ({host}) that does not resolve"
    for ip in addresses:
        if why := refusal(ip):
            return (f"points at {ip}, {why}; the wire only calls public addresses "
                    "(operators can allow private ones with NEWSWIRE_WEBHOOK_ALLOW_PRIVATE=1)")
    return None


class BlockedAddress(OSError):
    pass


class GuardedResolver(AbstractResolver):
    """An aiohttp resolver that refuses host names resolving to addresses ``refusal`` refuses,
    so nothing connects to them. ``inner`` does the resolving (the system's by default)."""

    def __init__(self, allow_private: bool, inner: AbstractResolver | None = None):
        self.allow_private = allow_private
        self._inner = inner or ThreadedResolver()

    async def resolve(self, host: str, port: int = 0, family: int = socket.AF_INET):
        results = await self._inner.resolve(host, port, family)
        if not self.allow_private:
            for r in results:
                if why := refusal(ipaddress.ip_address(r["host"])):
                    raise BlockedAddress(f"{host} resolves to {r['host']}, {why}; the wire does not call it")
        return results

    async def close(self) -> None:
        await self._inner.close()
