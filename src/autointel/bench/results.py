"""The one way a session's results are built, for a finished session and for one recovered from its raw samples.

`build_results` analyses the samples, judges the fail-on conditions (`verdict_banner`) and redacts the whole
document once, so every report rendered from it (and results.json) is free of secrets.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from autointel.bench.analyze import analyze
from autointel.bench.options import BenchOptions
from autointel.measurement.redact import redact
from autointel.model.bench_results import (
    Banner,
    BenchAnalysis,
    CellStats,
    HistoryCheck,
    MetricComparison,
    SessionInfo,
    SessionResults,
)
from autointel.model.run_sample import RunSample

NOTES = (
    "Order: every cell's warmups first, then randomised complete blocks (each block runs every cell once, "
    "seeded shuffle); warmups are recorded but dropped from all statistics.",
    "A run counts only if it finished with status ok and proved its configuration: reported flags and engine "
    "equal the requested ones and its structure fingerprint (plan, or crew layout) equals the expected one.",
    "Crashed, timed-out or non-ok runs are counted as failed and never enter a statistic.",
    "Work equivalence: output digests (transcript hash, claim count, verdicts, fallacy types) are compared "
    "with the first engine's baseline; a mismatch counts under the 'invalid' condition.",
    "Comparisons: ratio of medians with bootstrap CI and Holm-adjusted Mann-Whitney p per family "
    "(e2e, and each phase); the verdict rule is autointel.stats.compare.decide. Two cells with a counted run "
    "in the same iterations are 'paired': the CI resamples whole iterations, which share one draw of LLM "
    "latencies, so that noise cancels in the ratio (autointel.bench.blocks).",
    "CIs of a median, of a ratio or of a difference of medians need at least 6 counted runs per cell (6 "
    "blocks when paired): with fewer, whatever the distribution, even [min, max] covers a median less than 95% "
    "of the time (1 - 2 x 0.5^n), so such CIs are reported infinite and verdicts resting on them stay "
    "inconclusive (autointel.stats.min_runs_for_median_ci).",
    "Peak RSS is judged against the memory budget only when every run ran in a fresh process.",
    "Diagnostic runs (tracemalloc heap peak of the whole run, memray, pyinstrument) are extra runs per cell, "
    "excluded from timing statistics because of their overhead.",
    "Regression = a combination significantly and relevantly slower than baseline end to end, or the "
    "baseline slower than the medians of the last K comparable sessions in the history file.",
    "Goals (autointel.bench.goals): pass or fail only when the 95% CI lies wholly on one side of the goal's "
    "limit, else inconclusive; a goal without data in this session is 'not measured', never passed.",
)


def build_results(
    samples: Sequence[RunSample], options: BenchOptions, session: SessionInfo,
    history: Sequence[HistoryCheck] = (), notes: Sequence[str] = NOTES,
) -> SessionResults:
    """Analyse, judge and redact: the results every output of one bench is rendered from."""
    analysis = analyze(samples, options)
    results = SessionResults.of(session, verdict_banner(analysis, history, options), analysis, tuple(history),
                                tuple(notes), tuple(samples))
    return SessionResults.from_dict(redact(results.to_dict()))


def verdict_banner(analysis: BenchAnalysis, history: Sequence[HistoryCheck], options: BenchOptions) -> Banner:
    """Which fail-on conditions hold, in words, and one headline a reader can act on."""
    cells = analysis.cells
    failed = sum(c.counts.failed for c in cells)
    invalid = sum(c.counts.invalid for c in cells)
    mismatched = [f"{e.engine} {e.combo}" for e in analysis.equivalence if not e.matches]
    e2e = [c for c in analysis.comparisons if c.metric == "e2e"]
    slower = [f"{c.engine} {c.name} x{c.ratio:.3f}" for c in e2e if c.verdict == "regression"]
    slower += [f"{h.engine} baseline vs history x{h.ratio:.3f}" for h in history if h.verdict == "regression"]
    over = [f"{c.engine} {c.combo}" for c in cells if c.target_median == "fail"]
    memory = [f"{m.engine} {m.combo} x{m.ratio:.3f}" for m in analysis.memory if m.verdict == "fail"]
    conditions = {
        "failed": (failed > 0, f"{failed} failed run(s)"),
        "invalid": (invalid > 0 or bool(mismatched),
                    f"{invalid} invalid run(s)" + (f"; work differs: {mismatched}" if mismatched else "")),
        "regression": (bool(slower), f"regression: {slower}"),
        "target": (bool(over), f"median over the {options.target_s:.0f} s target: {over}"),
        "memory": (bool(memory), f"peak RSS over the +{options.memory_budget:.0%} budget: {memory}"),
    }
    triggered = tuple(sorted(name for name in options.fail_on if conditions[name][0]))
    return Banner(
        verdict="fail" if triggered else "pass",
        triggered=triggered,
        fail_on=tuple(sorted(options.fail_on)),
        conditions={name: held for name, (held, _) in conditions.items()},
        reasons=tuple(text for held, text in conditions.values() if held),
        headline=_headline(cells, e2e),
        failed_runs=failed,
        invalid_runs=invalid,
    )


def _headline(cells: Sequence[CellStats], e2e: Sequence[MetricComparison]) -> str:
    base = next((c.e2e for c in cells if c.combo == "baseline" and c.e2e), None)
    if base is None:
        return "no valid baseline run: nothing can be compared"
    ranked = sorted((c for c in e2e if not math.isnan(c.ratio)), key=lambda c: c.ratio)
    if not ranked:
        return f"baseline median {base.median:.3f} s [{base.ci_low:.3f}, {base.ci_high:.3f}] ({base.n} runs)"
    best = ranked[0]
    return (f"fastest: {best.name} ({best.engine}) at {best.ratio:.3f}x baseline "
            f"[{best.ratio_ci_low:.3f}, {best.ratio_ci_high:.3f}], {best.verdict}")
