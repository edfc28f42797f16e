"""Streaming transcription: start the work a partial transcript allows while the decoder still runs.

Finished sentences and chunks are embedded into the run's embedding cache (the analysers and the
memory store later find them there) and their claim features are spotted. The consumer does work the
later steps would otherwise do, never extra work: embedding is a pure function behind the cache, and
the spotter's per-sentence results are what extraction would compute. Its activity is recorded as the
`stream_consumer` span, so the timeline shows how much of it overlapped the decoder.
"""

from __future__ import annotations

import queue
import threading
import time

from autointel.engines.context import RunContext
from autointel.memory.chunking import ChunkBuilder
from autointel.model import Segment, StepRecord
from autointel.phases.text import GrowingTranscript

STREAM_STEP = "stream_consumer"
_DONE = object()


class TranscriptStream:
    """Consumes segments in its own thread; `finish` drains what is left and records the span."""

    def __init__(self, ctx: RunContext) -> None:
        self._ctx = ctx
        self._inbox: queue.SimpleQueue[object] = queue.SimpleQueue()
        self._segments: list[Segment] = []
        self._sentences = GrowingTranscript()
        self._chunks = ChunkBuilder()  # the steps' chunking (memory.chunking's defaults), closed chunks only
        self._first: float | None = None
        self._cpu_s = 0.0
        self.spotter = ctx.board.claim_spotter
        self.embedded = 0
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="autointel-stream", daemon=True)
        self._thread.start()

    def on_segment(self, segment: Segment) -> None:
        self._inbox.put(segment)

    def finish(self, timeout_s: float = 60.0) -> None:
        """Stop after the segments already handed over; the unfinished tail is left to the steps."""
        self._inbox.put(_DONE)
        self._thread.join(timeout_s)
        if self._thread.is_alive():
            self._ctx.warn(f"streaming consumer still busy after {timeout_s:g} s; later steps embed the rest")
        elif self._error is not None:
            self._ctx.warn(f"streaming consumer stopped early: {type(self._error).__name__}: {self._error}")
        if self._first is not None:
            end = self._ctx.recorder.now()
            self._ctx.recorder.add(StepRecord(STREAM_STEP, "transcription", self._first, end, end - self._first,
                                              self._cpu_s, self._cpu_s, self._thread.name, "ok"))

    def _run(self) -> None:
        done = False
        while not done:
            batch = [self._inbox.get()]
            while not self._inbox.empty():  # take everything queued: fewer, larger embedding batches
                batch.append(self._inbox.get())
            done = batch[-1] is _DONE
            fresh = [item for item in batch if isinstance(item, Segment)]
            self._segments += fresh
            if self._error is None:
                try:
                    self._process(fresh)
                except Exception as exc:  # the steps still do all of the work; the run goes on
                    self._error = exc

    def _process(self, fresh_segments: list[Segment]) -> None:
        """Work per new segment stays the same however long the talk: nothing already handled is re-read."""
        cpu0 = time.thread_time()
        if self._first is None:
            self._first = self._ctx.recorder.now()
        sentences = [s.text for s in self._sentences.update(self._segments)]
        chunks = [c.text for segment in fresh_segments for c in self._chunks.add(segment)]
        for text in sentences:
            self.spotter.spot(text)
        if sentences or chunks:
            self._ctx.resources.embedder().embed(sentences + chunks)
            self.embedded += len(sentences) + len(chunks)
        self._cpu_s += time.thread_time() - cpu0
