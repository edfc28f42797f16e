"""yt-dlp with one network path: our request handler is the only one its YoutubeDL may use.

yt-dlp fetches pages, follows redirects and meta refreshes, and downloads `<video src>` targets by
itself; routing all of that through `guarded_http` puts every one of those requests under the
network policy, the byte budget and the deadline. Download paths that would let an external program
(ffmpeg, rtmpdump) open connections of its own are switched off.
"""

from __future__ import annotations

import functools
import http.client
import io
from collections.abc import Iterable
from typing import Any

import yt_dlp
from yt_dlp.networking.common import Request, RequestHandler, Response
from yt_dlp.networking.exceptions import HTTPError, RequestError, TransportError

from autointel.errors import InputError, first_line
from autointel.phases.guarded_http import Client, Outgoing, Reply, fetch
from autointel.phases.netguard import NetworkPolicy
from autointel.phases.transfer import Transfer

# Only protocols whose bytes flow through yt-dlp's own HTTP downloader (plain files, DASH segments).
FORMAT = "bestaudio[protocol^=http]/best[protocol^=http]"


def download(url: str, options: dict[str, Any], policy: NetworkPolicy, transfer: Transfer) -> dict[str, Any]:
    """Run yt-dlp on one URL; any refusal or limit is raised as its own one-line InputError."""
    guarded = {
        **options,
        "format": FORMAT,
        "external_downloader": {"default": "native"},
        "match_filter": functools.partial(_refuse_live, transfer),
        "socket_timeout": transfer.read_timeout_s,
    }
    try:
        with _GuardedYoutubeDL(guarded, policy=policy, transfer=transfer) as ydl:
            info = ydl.extract_info(url, download=True)
    except Exception as exc:
        _raise_incident(transfer)
        if isinstance(exc, yt_dlp.utils.DownloadError):
            raise InputError(f"download failed: {first_line(exc).removeprefix('ERROR: ')}") from None
        raise
    _raise_incident(transfer)
    if info is None:
        raise InputError(f"download failed: yt-dlp returned nothing for {url}")
    return dict(info)


def _raise_incident(transfer: Transfer) -> None:
    """Plain InputError on purpose: callers map errors to exit statuses by that exact type."""
    if transfer.incident is not None:
        raise InputError(str(transfer.incident)) from None


def _refuse_live(transfer: Transfer, info: dict[str, Any], *, incomplete: bool = False) -> str | None:
    """A live stream never ends, and yt-dlp hands live HLS/DASH to ffmpeg, which connects on its own."""
    if info.get("is_live"):
        return str(transfer.fail(InputError("live streams are not acquired: they have no end to download")))
    return None


class _GuardedYoutubeDL(yt_dlp.YoutubeDL):  # type: ignore[misc]
    """A YoutubeDL whose request director holds our handler and nothing else to fall back on."""

    def __init__(self, params: dict[str, Any], *, policy: NetworkPolicy, transfer: Transfer) -> None:
        self._guard = (policy, transfer)
        super().__init__(params)

    def build_request_director(self, handlers: Iterable[Any], preferences: Any = None) -> Any:
        policy, transfer = self._guard
        only = functools.partial(GuardedRH, policy=policy, transfer=transfer)
        return super().build_request_director([only], preferences)


class GuardedRH(RequestHandler):  # type: ignore[misc]
    """yt-dlp request handler backed by `guarded_http`; proxies are unsupported (they would hide the peer)."""

    _SUPPORTED_URL_SCHEMES = ("http", "https")
    _SUPPORTED_PROXY_SCHEMES = ()
    _SUPPORTED_FEATURES = ()

    def __init__(self, *, policy: NetworkPolicy, transfer: Transfer, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._policy = policy
        self._transfer = transfer

    def _check_extensions(self, extensions: dict[str, Any]) -> None:
        super()._check_extensions(extensions)
        for handled in ("cookiejar", "timeout", "legacy_ssl", "keep_header_casing"):
            extensions.pop(handled, None)

    def _send(self, request: Request) -> Response:
        client = Client(self._policy, self._transfer, self._make_sslcontext(), self._get_cookiejar(request))
        outgoing = Outgoing(request.method, request.url, self._get_headers(request), _payload(request.data))
        try:
            reply = fetch(client, outgoing)
        except InputError as exc:
            raise RequestError(str(self._transfer.fail(exc))) from None
        except (OSError, http.client.HTTPException) as exc:
            raise TransportError(cause=exc) from exc
        response = _GuardedResponse(reply, self._transfer)
        if reply.status >= 400:
            raise HTTPError(response)
        return response


class _GuardedResponse(Response):  # type: ignore[misc]
    """Reads go through the budgeted body; our refusals are kept, not turned into retryable errors."""

    def __init__(self, reply: Reply, transfer: Transfer) -> None:
        headers: dict[str, str] = {}
        for name, value in reply.headers:
            headers[name] = f"{headers[name]}, {value}" if name in headers else value
        super().__init__(fp=reply.body, url=reply.url, headers=headers, status=reply.status, reason=reply.reason)
        self._transfer = transfer

    def read(self, amt: int | None = None) -> bytes:
        try:
            data: bytes = self.fp.read(-1 if amt is None else amt)
        except InputError as exc:
            raise RequestError(str(self._transfer.fail(exc))) from None
        except (OSError, http.client.HTTPException) as exc:
            raise TransportError(cause=exc) from exc
        return data


def _payload(data: object) -> bytes | None:
    """yt-dlp may hand a body as bytes, a file or an iterable of bytes; send it as one block."""
    if data is None or isinstance(data, bytes):
        return data
    if isinstance(data, io.IOBase):
        return bytes(data.read())
    if isinstance(data, Iterable):
        return b"".join(bytes(part) for part in data)
    raise InputError(f"unsupported request body type {type(data).__name__}")


