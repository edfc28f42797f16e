"""The session verdict: each fail-on condition is judged once, the verdict rests only on those in fail-on, and a
slowdown the CIs cannot rule out makes it inconclusive, never a pass."""

from __future__ import annotations

import dataclasses
import math

from autointel.bench.analysis.results import verdict_banner
from autointel.bench.options import BenchOptions, parse_combos
from autointel.model.bench_results import (
    BenchAnalysis,
    CellCounts,
    HistoryCheck,
    MemoryCheck,
    MetricComparison,
)
from autointel.rendering.html_parts import banner as banner_html
from autointel.rendering.verdict import banner_lines
from tests.bench import builders

OPTIONS = BenchOptions(combos=parse_combos("baseline,all"), fail_on=frozenset({"failed", "invalid", "regression"}))


def e2e(verdict: str, ratio: float, low: float, high: float) -> MetricComparison:
    return MetricComparison(engine="pipeline", metric="e2e", name="all", verdict=verdict, n=6, n_baseline=6,
                            ratio=ratio, ratio_ci_low=low, ratio_ci_high=high)


def analysis(*comparisons: MetricComparison, failed: int = 0, target: str = "pass",
             memory: tuple[MemoryCheck, ...] = ()) -> BenchAnalysis:
    counts = CellCounts(runs=6, measured=6, ok=6 - failed, failed=failed, invalid=0, warmup=0, diagnostic=0)
    cells = tuple(builders.cell(combo, counts=counts, e2e=builders.summary(1.0), target_median=target)
                  for combo in ("baseline", "all"))
    return BenchAnalysis(cells=cells, comparisons=comparisons, memory=memory)


def states(a: BenchAnalysis, history: tuple[HistoryCheck, ...] = ()) -> tuple[str, dict[str, str]]:
    b = verdict_banner(a, history, OPTIONS)
    return b.verdict, {c.name: c.state for c in b.checks}


def test_a_ci_that_rules_out_a_slowdown_passes_even_when_the_comparison_is_inconclusive() -> None:
    verdict, checks = states(analysis(e2e("inconclusive", 0.83, 0.76, 0.94)))
    assert verdict == "pass" and checks["regression"] == "pass"


def test_a_ci_that_cannot_rule_out_a_slowdown_is_inconclusive() -> None:
    verdict, checks = states(analysis(e2e("inconclusive", 0.83, 0.40, math.inf)))
    assert verdict == "inconclusive" and checks["regression"] == "inconclusive"
    insufficient = MetricComparison(engine="pipeline", metric="e2e", name="all", verdict="insufficient", n=1,
                                    n_baseline=6)
    assert states(analysis(insufficient))[0] == "inconclusive"


def test_a_regression_or_a_failed_run_fails_and_says_why() -> None:
    b = verdict_banner(analysis(e2e("regression", 1.4, 1.2, 1.6), failed=1), (), OPTIONS)
    assert b.verdict == "fail" and b.triggered == ("failed", "regression")
    assert any("pipeline all x1.400" in r for r in b.reasons) and any("2 of 12 runs failed" in r for r in b.reasons)


def test_conditions_outside_fail_on_are_shown_but_never_decide() -> None:
    over = analysis(e2e("no_change", 1.0, 0.98, 1.02), target="fail")
    b = verdict_banner(over, (), OPTIONS)
    target = next(c for c in b.checks if c.name == "target")
    assert target.state == "fail" and not target.gates and b.verdict == "pass" and b.triggered == ()
    assert "(shown, not a fail-on condition)" in banner_lines(b)[1 + [c.name for c in b.checks].index("target")]


def test_history_counts_only_once_judged() -> None:
    short = HistoryCheck(engine="pipeline", k=10, n_sessions=2, medians=(1.0, 1.1), run_ids=("a", "b"),
                         verdict="insufficient_history")
    verdict, checks = states(analysis(e2e("no_change", 1.0, 0.98, 1.02)), (short,))
    assert verdict == "pass" and checks["regression"] == "pass"
    slower = HistoryCheck(engine="pipeline", k=10, n_sessions=6, medians=(1.0,) * 6, run_ids=("a",) * 6,
                          verdict="regression", ratio=1.3, ratio_ci_low=1.2, ratio_ci_high=1.4)
    assert states(analysis(e2e("no_change", 1.0, 0.98, 1.02)), (slower,)) == (
        "fail", {"failed": "pass", "invalid": "pass", "regression": "fail", "target": "pass",
                 "memory": "not_measured"})


def test_in_process_memory_is_not_measured_not_passed() -> None:
    row = MemoryCheck(engine="pipeline", combo="all", budget=0.1, verdict="not_comparable", ratio=1.0)
    _, checks = states(analysis(e2e("no_change", 1.0, 0.98, 1.02), memory=(row,)))
    assert checks["memory"] == "not_measured"


def test_every_card_shows_the_state_the_verdict_gave_it() -> None:
    b = verdict_banner(analysis(e2e("inconclusive", 0.83, 0.40, math.inf), failed=1), (), OPTIONS)
    results = builders.results()
    page = banner_html(dataclasses.replace(results, banner=b))
    assert 'class="banner v-fail"' in page
    for check in b.checks:
        assert f'<div class="chip v-{check.state}"><span class="chip-title">{check.title}' in page
