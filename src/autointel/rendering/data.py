"""Look-ups over a session's results: which comparison, sample or label belongs to a cell.

No statistics here: only selection of rows that `autointel.bench.analysis.analyze` already computed.
"""

from __future__ import annotations

import math

from autointel.model.bench_results import (
    PHASE_SPAN,
    PHASE_WORK,
    CellStats,
    MemoryCheck,
    MetricComparison,
    SessionResults,
)
from autointel.model.run_sample import RunSample
from autointel.model.vocabulary import PHASES
from autointel.rendering.fmt import finite

VERDICT_CLASSES = ("regression", "improvement", "no_change", "inconclusive", "insufficient", "baseline",
                   "pass", "fail", "not_comparable", "measured", "not_measured")

CellKey = tuple[str, str]
"""(engine, combination)"""


def key(cell: CellStats) -> CellKey:
    return (cell.engine, cell.combo)


def multi_engine(results: SessionResults) -> bool:
    return len({c.engine for c in results.cells}) > 1


def label(cell: CellStats, with_engine: bool) -> str:
    return f"{cell.combo} ({cell.engine})" if with_engine else cell.combo


def e2e_comparisons(results: SessionResults) -> dict[CellKey, MetricComparison]:
    """(engine, combination) -> its end-to-end comparison with the baseline."""
    return {(c.engine, c.name): c for c in results.comparisons if c.metric == "e2e"}


def memory_rows(results: SessionResults) -> dict[CellKey, MemoryCheck]:
    return {(m.engine, m.combo): m for m in results.memory}


def verdict(cell: CellStats, comparison: MetricComparison | None) -> str:
    """The cell's e2e verdict as analyze gave it ("baseline" for the baseline itself)."""
    if cell.combo == "baseline":
        return "baseline"
    return comparison.verdict if comparison is not None else "-"


def unstable(comparison: MetricComparison | None) -> bool:
    return comparison is not None and comparison.unstable


def cv(cell: CellStats, comparison: MetricComparison | None) -> float:
    """The CV the verdict rests on: the comparison's, else (no comparison, or one without enough runs) the
    cell's own e2e CV; NaN when neither has one."""
    if comparison is not None and finite(comparison.cv):
        return comparison.cv
    return median_cv(cell)


def median_cv(cell: CellStats) -> float:
    return cell.e2e.cv if cell.e2e is not None else math.nan


def samples_by_order(results: SessionResults) -> dict[int, RunSample]:
    return {s.order: s for s in results.samples}


def counted_samples(results: SessionResults, cell: CellStats) -> list[RunSample]:
    """The runs behind the cell's statistics: analyze's `counted_orders`, else (a file without them) the
    RunSample rule, which is how analyze chose them."""
    index = samples_by_order(results)
    if cell.counted_orders:
        return [index[o] for o in cell.counted_orders if o in index]
    return [s for s in index.values() if s.cell == (cell.combo, cell.engine) and s.counts]


def representative(results: SessionResults, cell: CellStats) -> RunSample | None:
    """The cell's median run as chosen by analyze (None when not recorded)."""
    if cell.representative is None:
        return None
    return samples_by_order(results).get(cell.representative.order)


def phase_names(results: SessionResults) -> list[str]:
    """Phases in pipeline order (`autointel.phases.PHASES`), unknown ones after in first-seen order:
    raw_samples.jsonl stores phases with sorted keys, so first-seen order alone is not enough."""
    names: dict[str, None] = {}
    for cell in results.cells:
        names.update(dict.fromkeys(cell.phases))
    rank = {name: i for i, name in enumerate(PHASES)}
    return sorted(names, key=lambda n: rank.get(n, len(rank)))


def phase_comparisons(
    results: SessionResults,
) -> dict[tuple[str, str, str], tuple[MetricComparison | None, MetricComparison | None]]:
    """(engine, combination, phase) -> (its own-work comparison, its span comparison), phases in pipeline order."""
    found: dict[tuple[str, str, str], dict[str, MetricComparison]] = {}
    for c in results.comparisons:
        kind, _, phase = c.metric.partition(":")
        if kind in (PHASE_SPAN, PHASE_WORK):
            found.setdefault((c.engine, c.name, phase), {})[kind] = c
    rank = {name: i for i, name in enumerate(phase_names(results))}
    keys = sorted(found, key=lambda k: (k[0], k[1], rank.get(k[2], len(rank))))
    return {k: (found[k].get(PHASE_WORK), found[k].get(PHASE_SPAN)) for k in keys}
