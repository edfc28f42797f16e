"""The batch on a terminal: the progress bar across sources and the summary lines."""

from __future__ import annotations

import io

from rich.console import Console

from autointel.model.batch import BatchIndex, SourceRecord, SourceStatus
from autointel.rendering.batch import BatchBar, batch_summary


def test_the_bar_counts_sources_names_what_runs_and_prints_each_finished_one() -> None:
    screen = io.StringIO()
    with BatchBar(Console(file=screen, force_terminal=True, color_system=None, width=120)) as bar:
        bar.begin(total=3, skipped=1)
        bar.started("talks/a.mp3")
        bar.finished(SourceRecord("talks/a.mp3", SourceStatus.FAILED, worker=0, wall_s=1.25, error="acquisition: x"))
    text = screen.getvalue()
    assert "1 of 3 sources finished by an earlier run: skipped" in text
    assert "failed      talks/a.mp3 in 1.2 s on worker 0: acquisition: x" in text
    assert "2/3" in text  # the skipped one and the finished one


def test_the_summary_counts_statuses_and_lists_what_did_not_finish() -> None:
    index = BatchIndex((SourceRecord("a", SourceStatus.OK), SourceRecord("b", SourceStatus.INTERRUPTED)),
                       workers=2, ray_address=None, nodes=("n1", "n2"), wall_s=12.0)
    text = batch_summary(index, skipped=1, totals=(10, 4, 3))
    assert text.splitlines()[0] == ("batch: 2 sources: 1 ok, 1 interrupted (1 finished before); 2 workers on 2 "
                                    "node(s), 12.0 s")
    assert "interrupted b" in " ".join(text.split()) and "memory: 10 points; graph: 4 nodes, 3 edges" in text
