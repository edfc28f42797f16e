"""HTTP/1.1 client whose every connection goes to an address the network policy has just checked.

The host is resolved once per connection and the socket is connected to that checked address, so DNS
rebinding finds no second lookup to exploit; TLS still verifies and sends SNI for the host name, and
the Host header keeps the name. Each redirect is a new connection, checked the same way.
"""

from __future__ import annotations

import http.client
import io
import socket
import ssl
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from http.cookiejar import CookieJar
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

from autointel.errors import InputError
from autointel.phases.netguard import NetworkPolicy
from autointel.phases.transfer import DeadlineExceeded, Transfer, TransferLimitExceeded
from autointel.phases.transfer_body import BodyReader

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

MAX_REDIRECTS = 10
_REDIRECTS = frozenset({301, 302, 303, 307, 308})


@dataclass(frozen=True)
class Outgoing:
    """One request as the caller wants it sent (redirects derive new ones from it)."""

    method: str
    url: str
    headers: Mapping[str, str]
    data: bytes | None = None


@dataclass(frozen=True)
class Reply:
    """The final answer after redirects: status line, headers, where it came from, decoded body."""

    status: int
    reason: str
    headers: list[tuple[str, str]]
    url: str
    body: BodyReader


@dataclass(frozen=True)
class Client:
    """Everything a connection needs: the policy, the acquisition's limits, TLS and cookies."""

    policy: NetworkPolicy
    transfer: Transfer
    tls: ssl.SSLContext
    cookies: CookieJar | None = None


def fetch(client: Client, request: Outgoing) -> Reply:
    """Send the request, following redirects with each hop connected through the policy."""
    for _ in range(MAX_REDIRECTS + 1):
        response = _exchange(client, request)
        location = response.getheader("Location")
        if response.status not in _REDIRECTS or not location:
            return _reply(client, request, response)
        response.close()
        request = _redirected(request, response.status, urljoin(request.url, location))
    raise InputError(f"too many redirects (over {MAX_REDIRECTS}) from {request.url}")


def _reply(client: Client, request: Outgoing, response: http.client.HTTPResponse) -> Reply:
    encoding = response.getheader("Content-Encoding") or ""
    if request.method != "HEAD" and encoding.strip().lower() in ("", "identity"):
        _refuse_announced_size(client.transfer, response)
    body = BodyReader(response, client.transfer, encoding)
    return Reply(response.status, response.reason, response.getheaders(), request.url, body)


def _refuse_announced_size(transfer: Transfer, response: http.client.HTTPResponse) -> None:
    """A body announced bigger than the budget is refused before a byte of it is read."""
    announced = response.getheader("Content-Length") or ""
    if announced.strip().isdigit() and int(announced) > transfer.allowance():
        response.close()
        raise transfer.fail(TransferLimitExceeded(
            f"download is {int(announced)} bytes, over the --max-bytes limit of {transfer.max_bytes}"))


def _redirected(request: Outgoing, status: int, target: str) -> Outgoing:
    """Per RFC 9110: 303 (and 301/302 after POST) become a body-less GET; 307/308 keep the request."""
    headers = dict(request.headers)
    if urlsplit(target).netloc != urlsplit(request.url).netloc:
        headers = {k: v for k, v in headers.items() if k.lower() not in ("authorization", "cookie")}
    if status == 303 or (status in (301, 302) and request.method == "POST"):
        return Outgoing("GET", target, headers, None)
    return Outgoing(request.method, target, headers, request.data)


def _exchange(client: Client, request: Outgoing) -> http.client.HTTPResponse:
    parts = urlsplit(request.url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        raise InputError(f"refusing URL {request.url}: only http(s) URLs with a host are fetched")
    host, port = parts.hostname, parts.port or (443 if scheme == "https" else 80)
    client.transfer.ensure_open()
    connection = _PinnedConnection(host, port, lambda: _connect(client, scheme, host, port))
    connection.default_port = 443 if scheme == "https" else 80
    headers = _headers(client, request)
    path = parts.path or "/"
    target = f"{path}?{parts.query}" if parts.query else path
    connection.request(request.method, target, body=request.data, headers=headers)
    response = connection.getresponse()
    if client.cookies is not None:
        client.cookies.extract_cookies(response, urllib.request.Request(request.url))
    return response


def _headers(client: Client, request: Outgoing) -> dict[str, str]:
    """Ask only for encodings the body reader decodes, and never keep a connection open."""
    headers = {k: v for k, v in request.headers.items() if k.lower() not in ("connection", "accept-encoding")}
    wanted = {k.lower(): v for k, v in request.headers.items()}.get("accept-encoding", "")
    headers["Accept-Encoding"] = "identity" if wanted.strip() == "identity" else "gzip, deflate"
    headers["Connection"] = "close"
    if client.cookies is not None:
        shim = urllib.request.Request(request.url, headers=headers)
        client.cookies.add_cookie_header(shim)
        headers.update(shim.unredirected_hdrs)
    return headers


def _connect(client: Client, scheme: str, host: str, port: int) -> _GuardedSocket:
    sock = open_checked_socket(client.policy, client.transfer, host, port)
    if scheme == "https":
        try:
            sock = client.tls.wrap_socket(sock, server_hostname=host)
        except BaseException:
            sock.close()
            raise
    return _GuardedSocket(sock, client.transfer)


def open_checked_socket(policy: NetworkPolicy, transfer: Transfer, host: str, port: int) -> socket.socket:
    """Connect to the first reachable address of one checked lookup; never look the name up again."""
    failure: OSError | None = None
    for family, address in policy.resolve(host, port):
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.settimeout(transfer.timeout())
            sock.connect((str(address), port))
            return sock
        except OSError as exc:
            sock.close()
            failure = exc
    transfer.timeout()  # a connect that ran into the deadline reports the deadline
    raise ConnectionError(f"cannot connect to {host}:{port}: {failure}")


class _PinnedConnection(http.client.HTTPConnection):
    """http.client's request and response framing on a socket we opened ourselves."""

    def __init__(self, host: str, port: int, opener: Callable[[], _GuardedSocket]) -> None:
        super().__init__(host, port)
        self._opener = opener

    def connect(self) -> None:
        self.sock = self._opener()


class _GuardedSocket:
    """The few socket methods http.client uses, with every wait cut at the acquisition deadline."""

    def __init__(self, sock: socket.socket, transfer: Transfer) -> None:
        self._sock = sock
        self._transfer = transfer
        self._handed_off = False

    def sendall(self, data: bytes) -> None:
        self._sock.settimeout(self._transfer.timeout())
        self._sock.sendall(data)

    def makefile(self, mode: str = "rb", *args: object, **kwargs: object) -> io.BufferedReader:
        self._handed_off = True
        return io.BufferedReader(_DeadlineRaw(self._sock, self._transfer))

    def close(self) -> None:
        """http.client closes the connection while the body is unread: the reader then owns the socket."""
        if not self._handed_off:
            self._sock.close()


class _DeadlineRaw(io.RawIOBase):
    """Socket reads, each allowed at most the read timeout and never past the deadline."""

    def __init__(self, sock: socket.socket, transfer: Transfer) -> None:
        super().__init__()
        self._sock = sock
        self._transfer = transfer

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int:
        self._sock.settimeout(self._transfer.timeout())
        try:
            return self._sock.recv_into(buffer)
        except TimeoutError:
            self._transfer.timeout()
            raise self._transfer.fail(DeadlineExceeded(
                f"download stalled: no data for {self._transfer.read_timeout_s:g} s")) from None

    def close(self) -> None:
        self._sock.close()
        super().close()
