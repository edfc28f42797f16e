"""Redaction and quieting for everything the process prints, installed once at the CLI edge.

autointel masks its own lines, but CrewAI, the OpenAI client and httpx log provider errors, which can
echo the API key, through the root logger, and CrewAI prints its console messages (rich) to stdout.
Three nets close that: a root logging handler that masks every record and, unless `AUTOINTEL_DEBUG=1`,
drops third-party records (counted); a stderr that masks every line written to it, for writes that
bypass logging; and, during a run, a stdout that swallows third-party prints so the result stays the
only thing on stdout. Replacing `sys.stderr` and the root handler is process-wide state: that is what
logging is, and only the CLI, which owns the process, installs it.
"""

from __future__ import annotations

import io
import logging
import sys
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TextIO

from autointel.measurement.redact import redact_text

OWN_LOGGER = "autointel"
_TRUE = frozenset({"1", "true", "yes", "on"})


def debug_enabled(env: Mapping[str, str]) -> bool:
    return env.get("AUTOINTEL_DEBUG", "").strip().lower() in _TRUE


class RedactingFilter(logging.Filter):
    """Masks a record's message, traceback and stack before any handler formats it."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = redact_text(record.getMessage()), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact_text(record.exc_text)
        if record.stack_info:
            record.stack_info = redact_text(record.stack_info)
        return True


@dataclass
class Counter:
    """Lines hidden from the user, so the run can say how many (one line instead of a flood)."""

    count: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, lines: int) -> None:
        with self._lock:
            self.count += lines


class ThirdPartyGate(logging.Filter):
    """Passes autointel's own records; counts and drops the others unless debugging."""

    def __init__(self, debug: bool, hidden: Counter) -> None:
        super().__init__()
        self.debug, self.hidden = debug, hidden

    def filter(self, record: logging.LogRecord) -> bool:
        if self.debug or record.name == OWN_LOGGER or record.name.startswith(OWN_LOGGER + "."):
            return True
        self.hidden.add(1)
        return False


class RedactingStream(io.TextIOBase):
    """A text stream that masks whole lines before passing them on (a secret split across writes is still
    caught, because nothing is forwarded until its line is complete or the stream is flushed)."""

    def __init__(self, target: TextIO) -> None:
        super().__init__()
        self.target = target
        self._pending = ""
        self._lock = threading.Lock()

    def write(self, text: str) -> int:
        with self._lock:
            self._pending += text
            head, newline, self._pending = self._pending.rpartition("\n")
            if newline:
                self.target.write(redact_text(head + newline))
        return len(text)

    def flush(self) -> None:
        with self._lock:
            pending, self._pending = self._pending, ""
            if pending:
                self.target.write(redact_text(pending))
        self.target.flush()

    def isatty(self) -> bool:
        return self.target.isatty()

    def fileno(self) -> int:
        return self.target.fileno()

    @property
    def encoding(self) -> str:  # type: ignore[override]  # TextIOBase declares it as a plain attribute
        return getattr(self.target, "encoding", "utf-8")


class HiddenStream(io.TextIOBase):
    """Stands in for stdout during a run: third-party prints are counted, or shown on stderr when debugging."""

    def __init__(self, debug: bool, hidden: Counter, stderr: RedactingStream) -> None:
        super().__init__()
        self.debug, self.hidden, self.stderr = debug, hidden, stderr

    def write(self, text: str) -> int:
        if self.debug:
            self.stderr.write(text)
        else:
            self.hidden.add(text.count("\n"))
        return len(text)

    def isatty(self) -> bool:
        return False


@dataclass
class OutputGuard:
    """What `install` set up: the count of hidden lines and the redacting stderr."""

    debug: bool
    hidden: Counter
    stderr: RedactingStream

    @contextmanager
    def quiet_stdout(self) -> Iterator[None]:
        """Keep third-party prints (CrewAI's rich console) off stdout while a run is in progress."""
        original = sys.stdout
        sys.stdout = HiddenStream(self.debug, self.hidden, self.stderr)
        try:
            yield
        finally:
            sys.stdout = original

    def summary(self) -> str | None:
        if not self.hidden.count:
            return None
        return (f"autointel: {self.hidden.count} lines of library output hidden "
                "(set AUTOINTEL_DEBUG=1 to show them, secrets masked)")


@contextmanager
def guarded_output(env: Mapping[str, str]) -> Iterator[OutputGuard]:
    """Mask and quiet every logger and stderr for the length of one command, then put things back.

    The root handler also stops `logging.error` from calling `basicConfig` behind our back (that is what
    printed CrewAI's raw `ERROR:root:` lines). Restoring on exit keeps in-process callers (tests) clean.
    """
    debug = debug_enabled(env)
    hidden = Counter()
    original = sys.stderr
    stderr = RedactingStream(original)
    handler = logging.StreamHandler(stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s:%(name)s:%(message)s"))
    handler.addFilter(ThirdPartyGate(debug, hidden))
    handler.addFilter(RedactingFilter())
    root = logging.getLogger()
    sys.stderr = stderr
    root.addHandler(handler)
    logging.captureWarnings(True)
    try:
        yield OutputGuard(debug, hidden, stderr)
    finally:
        logging.captureWarnings(False)
        root.removeHandler(handler)
        stderr.flush()
        sys.stderr = original
