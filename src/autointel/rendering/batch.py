"""A batch on screen and on paper: the progress bar across sources, the terminal summary and the batch briefing."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from types import TracebackType

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from autointel.model.batch import BatchBriefing, BatchIndex, SourceRecord, SourceStatus


class BatchBar:
    """A progress bar across sources (rich), naming what is running; any failure of its own switches it off."""

    def __init__(self, console: Console) -> None:
        self._progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                  TimeElapsedColumn(), TextColumn("{task.fields[running]}"), console=console)
        self._task: TaskID | None = None
        self._running: list[str] = []
        self._on = True

    def __enter__(self) -> BatchBar:
        self._progress.__enter__()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._progress.__exit__(exc_type, exc, tb)

    def begin(self, total: int, skipped: int) -> None:
        self._guard(lambda: self._begin(total, skipped))

    def started(self, source: str) -> None:
        self._running.append(source)
        self._guard(self._refresh)

    def finished(self, record: SourceRecord) -> None:
        if record.source in self._running:
            self._running.remove(record.source)
        self._guard(lambda: self._advance(record))

    def _begin(self, total: int, skipped: int) -> None:
        self._task = self._progress.add_task("sources", total=total, completed=skipped, running="")
        if skipped:
            self._progress.console.print(f"{skipped} of {total} sources finished by an earlier run: skipped")

    def _advance(self, record: SourceRecord) -> None:
        if self._task is not None:
            self._progress.console.print(source_line(record))
            self._progress.advance(self._task)
            self._refresh()

    def _refresh(self) -> None:
        if self._task is not None:
            shown = ", ".join(name.rsplit("/", 1)[-1] for name in self._running[:3])
            self._progress.update(self._task, running=f"running: {shown}" if shown else "")

    def _guard(self, draw: Callable[[], None]) -> None:
        if not self._on:
            return
        try:
            draw()
        except Exception:
            self._on = False


def source_line(record: SourceRecord) -> str:
    where = f" on worker {record.worker}" if record.worker is not None else ""
    took = f" in {record.wall_s:.1f} s" if record.wall_s is not None else ""
    why = f": {record.error}" if record.error and not record.status.done else ""
    return f"{record.status.value:<11} {record.source}{took}{where}{why}"


def batch_summary(index: BatchIndex, skipped: int, totals: tuple[int, int, int] | None) -> str:
    counts = Counter(r.status for r in index.sources)
    parts = [f"{counts[s]} {s.value}" for s in SourceStatus if counts[s]]
    lines = [f"batch: {len(index.sources)} sources: {', '.join(parts)}"
             f" ({skipped} finished before); {index.workers} workers on {len(index.nodes)} node(s),"
             f" {index.wall_s:.1f} s"]
    lines += [source_line(r) for r in index.sources if not r.status.done]
    if totals is not None:
        lines.append(f"memory: {totals[0]} points; graph: {totals[1]} nodes, {totals[2]} edges")
    return "\n".join(lines)


def briefing_markdown(briefing: BatchBriefing, index: BatchIndex) -> str:
    """The batch briefing: which sources, what they share, where they disagree."""
    counts = Counter(r.status for r in index.sources)
    lines = [
        "# Batch briefing",
        "",
        f"{len(briefing.sources)} sources read ({briefing.media_s / 60:.1f} minutes of media); "
        + ", ".join(f"{counts[s]} {s.value}" for s in SourceStatus if counts[s]) + " in the batch.",
        "",
        "## Shared themes",
        "",
    ]
    if briefing.themes:
        lines += [f"- **{t.keyword}**: {', '.join(t.sources)}" for t in briefing.themes]
    else:
        lines.append("No theme keyword is shared by two sources.")
    lines += ["", "## Claims one source makes and another contradicts", ""]
    if briefing.contradictions:
        for c in briefing.contradictions:
            lines += [f"- {c.claim_source}: \"{c.claim}\"",
                      f"  - contradicted by {c.evidence_source}: \"{c.evidence}\" "
                      f"(confidence {c.confidence:.2f}; {c.rationale})"]
    else:
        lines.append(f"None found: each of {briefing.claims_checked} claims was checked against the other sources' "
                     "nearest passages in memory, by the run's fact-checker (it abstains when unsure).")
    failed = [r for r in index.sources if not r.status.done]
    if failed:
        lines += ["", "## Not in this briefing", ""]
        lines += [f"- {r.source}: {r.status.value}{': ' + r.error if r.error else ''}" for r in failed]
    return "\n".join(lines) + "\n"
