"""Look-ups over a results.json dict: which comparison, sample or label belongs to a cell.

No statistics here: only selection of rows that `autointel.bench.analyze` already computed. Every
accessor tolerates missing keys, so a partial or older results file still renders.
"""

from __future__ import annotations

from typing import Any

from autointel.bench.samples import sample_from_dict
from autointel.model.vocabulary import PHASES
from autointel.rendering.fmt import as_dict, as_list

VERDICT_CLASSES = ("regression", "improvement", "no_change", "inconclusive", "insufficient", "baseline",
                   "pass", "fail", "not_comparable", "measured", "not_measured")


def cells(results: dict[str, Any]) -> list[dict[str, Any]]:
    return [c for c in as_list(results.get("cells")) if isinstance(c, dict)]


def multi_engine(results: dict[str, Any]) -> bool:
    return len({c.get("engine") for c in cells(results)}) > 1


def label(cell: dict[str, Any], with_engine: bool) -> str:
    combo = str(cell.get("combo", "?"))
    return f"{combo} ({cell.get('engine')})" if with_engine else combo


def e2e_comparisons(results: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    """(engine, combination) -> its end-to-end comparison with the baseline."""
    return {(str(c.get("engine")), str(c.get("name"))): c for c in as_list(results.get("comparisons"))
            if isinstance(c, dict) and c.get("metric") == "e2e"}


def memory_rows(results: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(str(m.get("engine")), str(m.get("combo"))): m for m in as_list(results.get("memory"))
            if isinstance(m, dict)}


def verdict(cell: dict[str, Any], comparison: dict[str, Any] | None) -> str:
    """The cell's e2e verdict as analyze gave it ("baseline" for the baseline itself)."""
    if cell.get("combo") == "baseline":
        return "baseline"
    return str((comparison or {}).get("verdict", "-"))


def unstable(comparison: dict[str, Any] | None) -> bool:
    return bool((comparison or {}).get("unstable"))


def samples_by_order(results: dict[str, Any]) -> dict[int, dict[str, Any]]:
    return {int(s["order"]): s for s in as_list(results.get("samples")) if isinstance(s, dict) and "order" in s}


def counted_samples(results: dict[str, Any], cell: dict[str, Any]) -> list[dict[str, Any]]:
    """The runs behind the cell's statistics: analyze's `counted_orders`, else the RunSample rule."""
    index = samples_by_order(results)
    orders = cell.get("counted_orders")
    if isinstance(orders, list):
        return [index[o] for o in orders if o in index]
    own = [s for s in index.values() if (s.get("combo"), s.get("engine")) == (cell.get("combo"), cell.get("engine"))]
    return [s for s in own if _counts(s)]


def _counts(sample: dict[str, Any]) -> bool:
    try:
        return sample_from_dict(sample).counts
    except TypeError:  # a sample row missing required fields cannot count
        return False


def representative(results: dict[str, Any], cell: dict[str, Any]) -> dict[str, Any] | None:
    """The cell's median run as chosen by analyze (None when not recorded)."""
    order = as_dict(cell.get("representative")).get("order")
    return samples_by_order(results).get(order) if isinstance(order, int) else None


def phase_names(results: dict[str, Any]) -> list[str]:
    """Phases in pipeline order (`autointel.phases.PHASES`), unknown ones after in first-seen order:
    raw_samples.jsonl stores phases with sorted keys, so first-seen order alone is not enough."""
    names: dict[str, None] = {}
    for cell in cells(results):
        names.update(dict.fromkeys(as_dict(cell.get("phases"))))
    rank = {name: i for i, name in enumerate(PHASES)}
    return sorted(names, key=lambda n: rank.get(n, len(rank)))
