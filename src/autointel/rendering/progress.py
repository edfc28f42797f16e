"""A run's live progress on a terminal: the steps running and for how long, and how far the decoder has got in
the media, so a long transcription is not a silent wait; each finished step stays behind as one line."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from types import TracebackType

from rich.console import Console, Group, RenderableType
from rich.live import Live
from rich.table import Table
from rich.text import Text

from autointel.model import StepRecord
from autointel.model.progress import MediaProgress, ProgressEvent, StepStarted

_MARKS = {"ok": "done", "failed": "FAILED", "skipped": "skipped"}


def step_line(record: StepRecord) -> str:
    mark = _MARKS.get(record.status, record.status)
    return f"  [{record.end_s:7.2f}s] {record.phase:<13} {record.name:<26} {mark}"


def media_line(progress: MediaProgress) -> str:
    if progress.duration_s is None:
        return f"{progress.media_s:.1f} s of media"
    share = min(progress.media_s / progress.duration_s, 1.0)
    return f"{progress.media_s:.1f} s of {progress.duration_s:.1f} s of media ({share:.0%})"


class LiveProgress:
    """A progress sink that draws on `console` while entered. Any failure of its own switches it off: the run it
    watches must never fail because of it."""

    def __init__(self, console: Console, clock: Callable[[], float] = time.monotonic) -> None:
        self._console = console
        self._clock = clock
        self._t0 = clock()
        self._lock = threading.Lock()
        self._running: dict[str, float] = {}  # step -> when it started, on `clock`
        self._media: dict[str, MediaProgress] = {}
        self._ended: Counter[str] = Counter()
        self._broken = False
        # stdout is the result's (the CLI hides library prints there); stray stderr lines go above the display.
        self._live = Live(console=console, get_renderable=self._frame, transient=True, redirect_stdout=False)

    def __enter__(self) -> LiveProgress:
        self._guard(self._live.start)
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self._guard(self._live.stop)

    def __call__(self, event: ProgressEvent) -> None:
        if not self._broken:
            self._guard(lambda: self._update(event))

    def _guard(self, action: Callable[[], None]) -> None:
        try:
            action()
        except Exception:
            self._broken = True

    def _update(self, event: ProgressEvent) -> None:
        finished = None
        with self._lock:
            if isinstance(event, StepStarted):
                self._running[event.name] = self._clock()
            elif isinstance(event, MediaProgress):
                self._media[event.step] = event
            else:
                self._running.pop(event.name, None)
                self._media.pop(event.name, None)
                self._ended[event.status] += 1
                finished = step_line(event)
        if finished is not None:
            self._console.print(finished, markup=False, highlight=False)
        if self._live.is_started:
            self._live.refresh()

    def _frame(self) -> RenderableType:
        try:
            return Text("") if self._broken else self._render()
        except Exception:  # drawn by rich's refresh thread: nobody there to catch it
            self._broken = True
            return Text("")

    def _render(self) -> RenderableType:
        now = self._clock()
        with self._lock:
            running, media, ended = dict(self._running), dict(self._media), Counter(self._ended)
        counts = [f"{len(running)} running", f"{ended['ok']} done"]
        counts += [f"{ended[s]} {_MARKS[s].lower()}" for s in ("failed", "skipped") if ended[s]]
        state = ", ".join(counts) if running or ended else "starting"  # loading the engine, before any step
        header = Text(f"autointel  {now - self._t0:5.1f} s  {state}", style="bold")
        rows = Table.grid(padding=(0, 2))
        for name, started in sorted(running.items(), key=lambda item: item[1]):
            rows.add_row(f"  {name}", f"{now - started:6.1f} s", media_line(media[name]) if name in media else "")
        return Group(header, rows)
