"""Claims checked while the decoder still runs (the widest DAG's fact-check shards).

Which sentences become claims is known only once the talk is complete (the `TOP_N` most check-worthy), but a
sentence's check-worthiness score and its check are functions of its own text. So the shards score each finished
sentence as the decoder hands it on and check, at once, every one that is a claim so far: above the threshold and,
unless the depth keeps them all, among the `TOP_N` best scored yet. When extraction ends, a claim checked ahead is
read back and only the rest are checked. A sentence a later one pushes out of the running top N was checked for
nothing; that waste is bounded (about N log(n / N) checks for n candidates) and falls on the decoder's spare core.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

from autointel.model import CheckedClaim


class Prechecks:
    """Claim text -> its check, each run once however many shards ask (single-flight), and the running top N."""

    def __init__(self, threshold: float, top_n: int | None) -> None:
        self._threshold = threshold
        self._top_n = top_n  # None: every sentence above the threshold is a claim
        self._lock = threading.Lock()
        self._order: dict[str, int] = {}  # text -> position in the transcript, as first scored
        self._ranked: list[tuple[float, int, str]] = []  # (-score, order, text) of the candidates, best first
        self._done: dict[str, CheckedClaim] = {}
        self._running: dict[str, threading.Event] = {}

    def unseen(self, texts: Sequence[str]) -> list[str]:
        """The texts no shard has scored yet, now marked as scored by the caller."""
        with self._lock:
            fresh = [t for t in dict.fromkeys(texts) if t not in self._order]
            for text in fresh:
                self._order[text] = len(self._order)
            return fresh

    def add(self, texts: Sequence[str], scores: Sequence[float]) -> None:
        """Record the scores of texts from `unseen` (ties rank the earlier sentence first, as extraction does)."""
        with self._lock:
            for text, score in zip(texts, scores, strict=True):
                if score >= self._threshold:
                    self._ranked.append((-score, self._order[text], text))
            self._ranked.sort()

    def pending(self) -> list[str]:
        """The claims so far that nobody has started to check."""
        with self._lock:
            best = self._ranked if self._top_n is None else self._ranked[: self._top_n]
            return [t for _, _, t in best if t not in self._done and t not in self._running]

    def run_once(self, text: str, check: Callable[[], CheckedClaim]) -> None:
        """Check `text` here unless another shard has started it (then return at once)."""
        with self._lock:
            if text in self._done or text in self._running:
                return
            self._running[text] = threading.Event()
        self._run(text, check)

    def get(self, text: str, check: Callable[[], CheckedClaim]) -> CheckedClaim:
        """The check of `text`: done ahead, waited for when a shard is running it, else run here."""
        with self._lock:
            done, running = self._done.get(text), self._running.get(text)
            if done is None and running is None:
                self._running[text] = threading.Event()
        if done is not None:
            return done
        if running is None:
            return self._run(text, check)
        running.wait()
        with self._lock:
            found = self._done.get(text)
        return found if found is not None else check()  # the shard running it failed: check it here

    def __len__(self) -> int:
        with self._lock:
            return len(self._done)

    def _run(self, text: str, check: Callable[[], CheckedClaim]) -> CheckedClaim:
        try:
            result = check()
            with self._lock:
                self._done[text] = result
            return result
        finally:
            with self._lock:
                event = self._running.pop(text)
            event.set()
