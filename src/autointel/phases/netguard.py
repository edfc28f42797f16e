"""The network policy: which addresses the product may connect to, judged on resolved addresses.

The decision is made on the address a connection will actually use, so it holds for every request
(yt-dlp's included, see `guarded_http`). Literal spellings of hosts are also parsed here so that odd
encodings of an internal address (integers, tunnels, zone ids) are refused before any lookup.
"""

from __future__ import annotations

import ipaddress
import socket
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from http.client import HTTPMessage
from typing import IO
from urllib.parse import urlparse

from autointel.errors import InputError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Cloud metadata endpoints that are not covered by the link-local/private ranges.
_METADATA_HOSTS = frozenset({"metadata.google.internal", "metadata", "instance-data"})
_CARRIER_NAT = ipaddress.ip_network("100.64.0.0/10")
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")
_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
_TEREDO = ipaddress.ip_network("2001::/32")
_OVERRIDE_HINT = " (use --allow-private-network to override)"


class AddressRefused(InputError):
    """A host or one of its resolved addresses is outside the policy; nothing was sent to it."""


def _forbidden_plain(ip: IPAddress) -> bool:
    """The address classes that reach the machine itself, its LAN or special infrastructure."""
    return bool(
        not ip.is_global
        or ip.is_loopback
        or ip.is_private
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or (isinstance(ip, ipaddress.IPv6Address) and ip.is_site_local)
        or (isinstance(ip, ipaddress.IPv4Address) and ip in _CARRIER_NAT)
    )


def embedded_ipv4(ip: IPAddress) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address carries (mapped, compatible, NAT64, 6to4, Teredo).

    Such packets end up at the IPv4 address, so that address is what the policy must judge.
    """
    if isinstance(ip, ipaddress.IPv4Address):
        return []
    if ip.ipv4_mapped is not None:
        return [ip.ipv4_mapped]
    if ip.sixtofour is not None:
        return [ip.sixtofour]
    if ip.teredo is not None:
        return list(ip.teredo)
    if ip in _IPV4_COMPATIBLE or any(ip in net for net in _NAT64):
        return [ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)]
    return []


def is_forbidden_ip(ip: IPAddress) -> bool:
    """True for addresses the product must never connect to unless private networks are allowed.

    Teredo is refused outright: its relay and client fields can both point anywhere.
    """
    carried = embedded_ipv4(ip)
    if carried:
        return ip in _TEREDO or any(_forbidden_plain(v4) for v4 in carried)
    return _forbidden_plain(ip)


def parse_ip_literal(host: str) -> IPAddress | None:
    """Read a host as an IP address in any spelling a resolver accepts, or None for a name.

    Brackets, zone ids and trailing dots are dropped; IPv4 may be one to four parts in decimal,
    hex or octal, as inet_aton reads them.
    """
    text = host.strip().rstrip(".")
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    text = text.split("%", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        pass
    value = _inet_aton(text)
    return None if value is None else ipaddress.IPv4Address(value)


def _inet_aton(text: str) -> int | None:
    parts = text.split(".")
    if not 1 <= len(parts) <= 4:
        return None
    numbers = [_c_integer(part) for part in parts]
    if any(n is None for n in numbers):
        return None
    values = [n for n in numbers if n is not None]
    *head, last = values
    if any(n > 0xFF for n in head) or last >= 1 << (8 * (5 - len(values))):
        return None
    result = last
    for index, part in enumerate(head):
        result |= part << (8 * (3 - index))
    return result


def _c_integer(part: str) -> int | None:
    lowered = part.lower()
    base, digits = (16, lowered[2:]) if lowered.startswith("0x") else (8, lowered[1:]) if (
        lowered.startswith("0") and len(lowered) > 1) else (10, lowered)
    if base == 8 and digits == "":
        return None
    if base == 16 and digits == "":
        return 0
    try:
        return int(digits, base) if digits.isalnum() and digits.isascii() else None
    except ValueError:
        return None


@dataclass(frozen=True)
class NetworkPolicy:
    """One rule for every connection; `forbidden` is a value so tests can say what counts as internal."""

    allow_private: bool = False
    forbidden: Callable[[IPAddress], bool] = is_forbidden_ip

    def check_host(self, host: str) -> None:
        """Refuse metadata names and internal literal spellings before any lookup is made."""
        if self.allow_private:
            return
        if host.lower().rstrip(".") in _METADATA_HOSTS:
            raise AddressRefused(f"refusing cloud metadata host {host}{_OVERRIDE_HINT}")
        literal = parse_ip_literal(host)
        if literal is not None and self.forbidden(literal):
            raise AddressRefused(f"refusing {host}: it is the non-public address {literal}{_OVERRIDE_HINT}")

    def resolve(self, host: str, port: int) -> list[tuple[socket.AddressFamily, IPAddress]]:
        """Look the host up once and check every address; callers connect only to what is returned."""
        self.check_host(host)
        try:
            infos = socket.getaddrinfo(host.strip("[]").split("%", 1)[0], port, proto=socket.IPPROTO_TCP)
        except (socket.gaierror, UnicodeError) as exc:
            raise InputError(f"cannot resolve host {host}: {exc}") from None
        checked: list[tuple[socket.AddressFamily, IPAddress]] = []
        for family, *_, sockaddr in infos:
            address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
            if not self.allow_private and self.forbidden(address):
                raise AddressRefused(
                    f"refusing {host}: it resolves to the non-public address {address}{_OVERRIDE_HINT}")
            checked.append((family, address))
        if not checked:
            raise InputError(f"cannot resolve host {host}: no addresses")
        return checked


def is_forbidden_address(address: str) -> bool:
    """String form of the classifier; raises ValueError when the text is not an address."""
    ip = parse_ip_literal(address)
    if ip is None:
        raise ValueError(f"not an IP address: {address!r}")
    return is_forbidden_ip(ip)


def check_url(url: str, *, allow_private: bool) -> None:
    """Raise InputError unless every address the host resolves to is public (or private is allowed)."""
    try:
        parsed = urlparse(url)
        port = parsed.port
    except ValueError as exc:
        raise InputError(f"malformed URL: {exc}") from None
    if parsed.scheme.lower() not in ("http", "https"):
        raise InputError(f"unsupported URL scheme {parsed.scheme!r}: only http and https are fetched")
    host = parsed.hostname
    if not host:
        raise InputError(f"URL has no host: {url}")
    NetworkPolicy(allow_private=allow_private).resolve(host, port or 80)


class _CheckedRedirects(urllib.request.HTTPRedirectHandler):
    """Vet every redirect target before the request to it is made."""

    def __init__(self, allow_private: bool) -> None:
        self.allow_private = allow_private

    def redirect_request(
        self, req: urllib.request.Request, fp: IO[bytes], code: int, msg: str, headers: HTTPMessage, newurl: str
    ) -> urllib.request.Request | None:
        check_url(newurl, allow_private=self.allow_private)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def resolve_redirects(url: str, *, allow_private: bool, timeout_s: float = 20.0) -> str:
    """Legacy pre-flight kept for its callers; acquisition no longer uses it.

    Its urllib connection makes its own lookup, so it cannot stop DNS rebinding: real downloads go
    through `guarded_http`, which connects to the address it checked.
    """
    check_url(url, allow_private=allow_private)
    opener = urllib.request.build_opener(_CheckedRedirects(allow_private))
    request = urllib.request.Request(url, method="HEAD", headers={"User-Agent": "autointel"})
    try:
        with opener.open(request, timeout=timeout_s) as response:
            final = str(response.geturl())
    except urllib.error.HTTPError as exc:
        final = str(exc.geturl() or url)
    except (urllib.error.URLError, OSError, ValueError):
        return url
    check_url(final, allow_private=allow_private)
    return final
