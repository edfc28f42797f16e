"""A response body decoded as it streams and charged to the acquisition's byte budget.

Counting decoded bytes (not wire bytes) is what stops a gzip bomb: a few hundred kilobytes on the
wire may inflate to gigabytes, and only the inflated size reaches the disk.
"""

from __future__ import annotations

import http.client
import io
import zlib
from typing import TYPE_CHECKING

from autointel.errors import InputError
from autointel.phases.transfer import Transfer

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

_WIRE_CHUNK = 64 * 1024
# zlib window bits: gzip or zlib header detected automatically; plain zlib for "deflate".
_DECODERS = {"gzip": 47, "x-gzip": 47, "deflate": 15}


class BodyReader(io.RawIOBase):
    """Raw stream of decoded body bytes; no read hands out a byte past the budget."""

    def __init__(self, response: http.client.HTTPResponse, transfer: Transfer, encoding: str) -> None:
        super().__init__()
        self._response = response
        self._transfer = transfer
        self._decoder = _decoder_for(encoding)
        self._wire_done = False
        self._spill = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int:
        view = memoryview(buffer).cast("B")
        want = min(len(view), self._transfer.allowance() + 1)
        data = self._next(want)
        if data:
            self._transfer.charge(len(data))
        view[: len(data)] = data
        return len(data)

    def _next(self, want: int) -> bytes:
        """Up to `want` decoded bytes; empty only at the end of the body."""
        if self._spill:
            out, self._spill = self._spill[:want], self._spill[want:]
            return out
        if self._decoder is None:
            return self._response.read1(want)
        try:
            return self._inflate(self._decoder, want)
        except zlib.error as exc:
            raise InputError(f"download failed: corrupt compressed body ({exc})") from None

    def _inflate(self, decoder: zlib._Decompress, want: int) -> bytes:
        """Feed wire chunks until some output appears; max_length keeps each step within `want`."""
        while not decoder.eof:
            pending = decoder.unconsumed_tail
            if not pending and not self._wire_done:
                pending = self._response.read1(_WIRE_CHUNK)
                self._wire_done = not pending
            if not pending:
                self._spill, self._decoder = decoder.flush(), None
                return self._next(want) if self._spill else b""
            out = decoder.decompress(pending, want)
            if out:
                return out
        return b""

    def close(self) -> None:
        self._response.close()
        super().close()


def _decoder_for(encoding: str) -> zlib._Decompress | None:
    name = encoding.strip().lower()
    if name in ("", "identity"):
        return None
    if name not in _DECODERS:
        raise InputError(f"download failed: unsupported Content-Encoding {encoding!r}")
    return zlib.decompressobj(_DECODERS[name])
