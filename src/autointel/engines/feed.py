"""The transcript feed: segments as the decoder hands them on, for a step that consumes the transcript while
it is made (a plan step's `streams`).

The engine closes the feed when the transcribe step ends, however it ends (done, failed, timed out), after
the step has written the transcript and its sentences to the board; a follower therefore never waits past
the producer and reads a complete board once the feed closes.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

from autointel.errors import PhaseError
from autointel.model import Segment

POLL_S = 0.1  # how often a waiting follower looks at the cancel event


class SegmentFeed:
    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._segments: list[Segment] = []
        self._closed = False
        self._ok = False

    def put(self, segment: Segment) -> None:
        with self._changed:
            if not self._closed:  # an abandoned (timed-out) decoder may still hand segments on
                self._segments.append(segment)
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

    def follow(self, cancelled: threading.Event) -> Iterator[tuple[Segment, ...]]:
        """Every segment so far on each change, in time order, until the feed closes.

        Raises PhaseError when the producer failed or the run was interrupted: the transcript will not come.
        """
        seen = -1
        while True:
            with self._changed:
                while len(self._segments) == seen and not self._closed and not cancelled.is_set():
                    self._changed.wait(POLL_S)
                segments, closed, ok = tuple(self._segments), self._closed, self._ok
            if closed and not ok:
                raise PhaseError("the transcript it streams was not produced (transcription did not succeed)")
            if not closed and cancelled.is_set():
                raise PhaseError("interrupted while waiting for the transcript")
            if len(segments) != seen:
                seen = len(segments)
                yield segments
            if closed:
                return
