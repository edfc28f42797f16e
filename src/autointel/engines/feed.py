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
from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

from autointel.errors import PhaseError
from autointel.model import Claim, Segment
from autointel.phases.text import GrowingTranscript, Sentence

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


class SegmentFeed(Feed[Segment]):
    def __init__(self) -> None:
        super().__init__("transcription", "transcript")
        self._split = threading.Lock()
        self._growing = GrowingTranscript()
        self._finished: list[Sentence] = []
        # Told of each segment as the decoder hands it on (the live display's media seconds); None: nobody asked.
        self.listener: Callable[[Segment], None] | None = None

    def put(self, item: Segment) -> None:
        super().put(item)
        if self.listener is not None:
            self.listener(item)

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
        with self._split:  # the first follower to see new segments splits them, for all
            self._finished += self._growing.update(segments)
            return tuple(self._finished[taken:])


class ClaimsFeed(Feed[Claim]):
    def __init__(self) -> None:
        super().__init__("claim extraction", "claims")
