"""What a running plan reports while it runs, for a live display: here, below both the engines that emit these
events and the rendering that shows them. A step's end is its `StepRecord`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from autointel.model.result import StepRecord


@dataclass(frozen=True)
class StepStarted:
    """A step began its work (its span opened); `at_s` is on the run's clock, as a `StepRecord`'s times are."""

    name: str
    phase: str
    at_s: float


@dataclass(frozen=True)
class MediaProgress:
    """How far into the media a running step has got (the decoder: the end of its last segment), out of the
    media's length when that is known."""

    step: str
    media_s: float
    duration_s: float | None


ProgressEvent = StepStarted | MediaProgress | StepRecord
ProgressSink = Callable[[ProgressEvent], None]  # optional everywhere: None means nobody watches, at no cost
