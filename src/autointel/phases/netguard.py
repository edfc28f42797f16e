"""Refuse URLs that reach into the machine's own network (SSRF) before any connection is made."""

from __future__ import annotations

import ipaddress
import socket
import urllib.error
import urllib.request
from http.client import HTTPMessage
from typing import IO
from urllib.parse import urlparse

from autointel.errors import InputError

# Cloud metadata endpoints that are not covered by the link-local/private ranges.
_METADATA_HOSTS = frozenset({"metadata.google.internal", "metadata", "instance-data"})


def is_forbidden_address(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return bool(
        ip.is_loopback
        or ip.is_private
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or (isinstance(ip, ipaddress.IPv4Address) and ip in ipaddress.ip_network("100.64.0.0/10"))
    )


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
    if allow_private:
        return
    if host.lower().rstrip(".") in _METADATA_HOSTS:
        raise InputError(f"refusing cloud metadata host {host} (use --allow-private-network to override)")
    try:
        infos = socket.getaddrinfo(host, port or None, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as exc:
        raise InputError(f"cannot resolve host {host}: {exc}") from None
    for info in infos:
        address = str(info[4][0])
        if is_forbidden_address(address):
            raise InputError(
                f"refusing {host}: it resolves to the non-public address {address}"
                " (use --allow-private-network to override)"
            )


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
    """Follow the redirect chain with each hop vetted; return the final URL for the downloader.

    A failing probe (405 for HEAD, a timeout) is not fatal: the downloader reports real failures.
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
