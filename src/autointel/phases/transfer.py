"""Shared limits of one acquisition: a byte budget, an overall deadline and the first refusal.

Every response of the acquisition draws on the same budget, so chunked or resumed downloads cannot
add up past the limit. The first refusal is kept because yt-dlp rewraps errors: the caller reports
the original one-line reason instead of yt-dlp's text.
"""

from __future__ import annotations

import threading
import time

from autointel.errors import InputError


class TransferLimitExceeded(InputError):
    """The acquisition fetched more decoded bytes than --max-bytes allows."""


class DeadlineExceeded(InputError):
    """The acquisition, or one read, took longer than allowed."""


class Transfer:
    """Budget, clock and incident record, shared by every connection of one acquisition."""

    def __init__(self, max_bytes: int, deadline_s: float, read_timeout_s: float) -> None:
        self.max_bytes = max_bytes
        self.read_timeout_s = read_timeout_s
        self._deadline = time.monotonic() + deadline_s
        self._deadline_s = deadline_s
        self._used = 0
        self._lock = threading.Lock()
        self.incident: InputError | None = None

    @property
    def used(self) -> int:
        return self._used

    def fail(self, error: InputError) -> InputError:
        """Remember the first failure (later ones are consequences) and return it for raising."""
        with self._lock:
            if self.incident is None:
                self.incident = error
            return self.incident

    def ensure_open(self) -> None:
        """Refuse new work once anything failed or time ran out."""
        if self.incident is not None:
            raise self.incident
        self.timeout()

    def timeout(self) -> float:
        """Seconds the next blocking call may wait: the per-read timeout, cut at the deadline."""
        remaining = self._deadline - time.monotonic()
        if remaining <= 0:
            raise self.fail(DeadlineExceeded(
                f"download took longer than the acquisition deadline of {self._deadline_s:g} s"))
        return min(self.read_timeout_s, remaining)

    def allowance(self) -> int:
        """Bytes still allowed; a read never asks for more than this plus one (to detect overflow)."""
        return self.max_bytes - self._used

    def charge(self, count: int) -> None:
        """Count decoded bytes about to be handed out; refuse any byte past the limit."""
        with self._lock:
            over = self._used + count > self.max_bytes
            if not over:
                self._used += count
        if over:
            raise self.fail(TransferLimitExceeded(
                f"download exceeds the --max-bytes limit of {self.max_bytes} bytes; stopped and removed"))
