"""Feeds: what a running step hands on to the steps that stream it (a plan step's `streams`), and how it ended.

Transcription's feed carries segments as the decoder hands them on, and the sentences they finish, split once
for all of its followers; claim extraction's carries nothing but its end (the fact-check shards that stream it
do their share of the work on the transcript's feed meanwhile).
The engine closes a step's feed when the step ends, however it ends (done, failed, timed out), after the
step has written its outputs to the board; a follower therefore never waits past the producer and reads a
complete board once the feed closes.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Generic, TypeVar

from autointel.errors import PhaseError
from autointel.model import Claim, Segment
from autointel.phases.text import Sentence, finished_sentences

POLL_S = 0.1  # how often a waiting follower looks at the cancel event

T = TypeVar("T")


class Feed(Generic[T]):
    def __init__(self, producer: str, what: str) -> None:
        self._changed = threading.Condition()
        self._items: list[T] = []
        self._closed = False
        self._ok = False
        self._producer, self._what = producer, what

    def put(self, item: T) -> None:
        with self._changed:
            if not self._closed:  # an abandoned (timed-out) producer may still hand items on
                self._items.append(item)
                self._changed.notify_all()

    def close(self, ok: bool) -> None:
        with self._changed:
            if not self._closed:
                self._closed, self._ok = True, ok
                self._changed.notify_all()

    @property
    def closed(self) -> bool:
        with self._changed:
            return self._closed

    def follow(self, cancelled: threading.Event) -> Iterator[tuple[T, ...]]:
        """Every item so far on each change, in order, until the feed closes.

        Raises PhaseError when the producer failed or the run was interrupted: its output will not come.
        """
        seen = -1
        while True:
            with self._changed:
                while len(self._items) == seen and not self._closed and not cancelled.is_set():
                    self._changed.wait(POLL_S)
                items, closed, ok = tuple(self._items), self._closed, self._ok
            if closed and not ok:
                raise PhaseError(f"the {self._what} it streams was not produced ({self._producer} did not succeed)")
            if not closed and cancelled.is_set():
                raise PhaseError(f"interrupted while waiting for the {self._what}")
            if len(items) != seen:
                seen = len(items)
                yield items
            if closed:
                return

    def wait(self, cancelled: threading.Event) -> None:
        """Until the producer ended well (PhaseError if it did not, or the run was interrupted)."""
        for _ in self.follow(cancelled):
            pass


# Segments re-split per new one. Sentence boundaries are local, so the finished sentences inside a window of
# the latest segments are the transcript's (bar the window's first, which may have begun before it); a rare
# miss only leaves that sentence to the steps' work after the feed closes, so the window bounds the cost
# (re-splitting everything on each segment would be quadratic in the media's length) and never the result.
STREAM_WINDOW_SEGMENTS = 16


class SegmentFeed(Feed[Segment]):
    def __init__(self) -> None:
        super().__init__("transcription", "transcript")
        self._split = threading.Lock()
        self._split_upto = 0  # segments already split
        self._finished: list[Sentence] = []
        self._known: set[str] = set()

    def follow_sentences(self, cancelled: threading.Event) -> Iterator[tuple[Sentence, ...]]:
        """The sentences the decoder has finished, each once and in order, as it finishes them, until the feed
        closes (PhaseError as `follow`). However many steps follow, each new segment is split once."""
        taken = 0
        for segments in self.follow(cancelled):
            fresh = self._finished_since(segments, taken)
            taken += len(fresh)
            if fresh:
                yield fresh

    def _finished_since(self, segments: tuple[Segment, ...], taken: int) -> tuple[Sentence, ...]:
        with self._split:
            if len(segments) > self._split_upto:  # the first follower to see these segments splits them
                window = segments[-STREAM_WINDOW_SEGMENTS:]
                finished = finished_sentences(window)
                whole = finished if len(window) == len(segments) else finished[1:]
                fresh = [s for s in whole if s.text not in self._known]
                self._known.update(s.text for s in fresh)
                self._finished += fresh
                self._split_upto = len(segments)
            return tuple(self._finished[taken:])


class ClaimsFeed(Feed[Claim]):
    def __init__(self) -> None:
        super().__init__("claim extraction", "claims")
