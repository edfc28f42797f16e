"""Progress out of a running plan, for the CLI's live display, wired where the run's context is built to the two
hooks every engine already passes through: a step's span (`steps.run_step` opens it for the pipeline, the crew
and the flow alike) and the transcript's feed (every decoded segment is put on it, streaming or not)."""

from __future__ import annotations

from autointel.engines.context import RunContext
from autointel.engines.resources import Resources
from autointel.measurement.spans import SpanRecorder
from autointel.model import Segment
from autointel.model.progress import MediaProgress, ProgressEvent, ProgressSink
from autointel.settings import Settings

TRANSCRIBE = "transcribe"  # the step whose feed carries the decoded segments (RunContext.feed_of)


def guarded(sink: ProgressSink) -> ProgressSink:
    """`sink`, switched off at its first exception: a broken display must never fail the step that reported."""
    broken = False

    def safe(event: ProgressEvent) -> None:
        nonlocal broken
        if broken:
            return
        try:
            sink(event)
        except Exception:
            broken = True

    return safe


def run_context(source: str, settings: Settings, resources: Resources, progress: ProgressSink | None) -> RunContext:
    """The run's context, with its hooks reporting to `progress` when one is given (none: no hook, no cost)."""
    if progress is None:
        return RunContext(source=source, settings=settings, resources=resources)
    sink = guarded(progress)
    ctx = RunContext(source=source, settings=settings, resources=resources,
                     recorder=SpanRecorder(listener=sink, on_start=sink))

    def decoded(segment: Segment) -> None:
        media = ctx.board.media  # the header's length until the decoder has measured the audio
        sink(MediaProgress(TRANSCRIBE, segment.end_s, media.duration_s if media and media.duration_s > 0 else None))

    ctx.transcript_feed.listener = decoded
    return ctx
