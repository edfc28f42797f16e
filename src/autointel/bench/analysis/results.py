"""The one way a session's results are built, for a finished session and for one recovered from its raw samples.

`build_results` analyses the samples, judges the fail-on conditions (`verdict_banner`) and redacts the whole
document once, so every report rendered from it (and results.json) is free of secrets.
"""

from __future__ import annotations

import dataclasses
import math
from collections import Counter
from collections.abc import Sequence

from autointel.bench.analysis.analyze import IN_PROCESS_RSS, analyze
from autointel.bench.options import BenchOptions
from autointel.measurement.redact import redact
from autointel.model.bench_results import (
    Banner,
    BenchAnalysis,
    CellStats,
    Check,
    HistoryCheck,
    MetricComparison,
    SessionInfo,
    SessionResults,
)
from autointel.model.run_sample import RunSample

NOTES = (
    "Order: every cell's warmups first, then randomised complete blocks (each block runs every cell once, "
    "seeded shuffle); warmups are recorded but dropped from all statistics.",
    "A run counts only if it finished with status ok and proved its configuration: the flags and engine it "
    "reports equal the requested ones and its structure fingerprint (autointel: the plan, crew layout or flow) "
    "equals the expected one.",
    "Crashed, timed-out or non-ok runs are counted as failed and never enter a statistic.",
    "Work equivalence: output digests (what each run reports it produced; autointel: transcript hash, claim "
    "count, verdicts, fallacy types) are compared "
    "with the first engine's baseline; a mismatch counts under the 'invalid' condition.",
    "Comparisons: ratio of medians with bootstrap CI and Holm-adjusted Mann-Whitney p per family "
    "(e2e, and each phase); the verdict rule is autointel.stats.compare.decide. Two cells with a counted run "
    "in the same iterations are 'paired': the CI resamples whole iterations, which share one run seed "
    "(autointel: one draw of LLM latencies), so that noise cancels in the ratio (autointel.bench.analysis.blocks).",
    "CIs of a median, of a ratio or of a difference of medians need at least 6 counted runs per cell (6 "
    "blocks when paired): with fewer, whatever the distribution, even [min, max] covers a median less than 95% "
    "of the time (1 - 2 x 0.5^n), so such CIs are reported infinite and verdicts resting on them stay "
    "inconclusive (autointel.stats.min_runs_for_median_ci).",
    "Peak RSS is judged against the memory budget only when every run ran in a fresh process.",
    "Diagnostic runs (tracemalloc heap peak of the whole run, memray, pyinstrument) are extra runs per cell, "
    "excluded from timing statistics because of their overhead.",
    "Regression = a combination significantly and relevantly slower than baseline end to end, or the "
    "baseline slower than the medians of the last K comparable sessions in the history file.",
    "Verdict: fail when a fail-on condition held; inconclusive when none held but one could not be decided (e.g. "
    "a CI that cannot rule out a slowdown beyond the threshold); pass otherwise. Only fail sets the exit status.",
    "Goals (from the project's pytest_autointel_goals hook): pass or fail only when the 95% CI lies wholly on one "
    "side of the goal's limit, else inconclusive; a goal without data in this session is 'not measured'.",
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
    """Each fail-on condition judged once (`Check`), the verdict from those in `options.fail_on`, and a headline.

    fail: a gating check failed; inconclusive: none failed but one could not be decided; pass: every gating check
    passed (or had nothing to check). Every output shows these same checks, so no card can contradict the verdict."""
    checks = tuple(dataclasses.replace(c, gates=c.name in options.fail_on) for c in (
        _failed(analysis), _invalid(analysis), _regression(analysis, history, options), _target(analysis, options),
        _memory(analysis, options)))
    gating = {c.state for c in checks if c.gates}
    verdict = "fail" if "fail" in gating else "inconclusive" if "inconclusive" in gating else "pass"
    triggered = tuple(c.name for c in checks if c.gates and c.state == "fail")
    return Banner(
        verdict=verdict,
        triggered=tuple(sorted(triggered)),
        fail_on=tuple(sorted(options.fail_on)),
        conditions={c.name: c.state == "fail" for c in checks},
        reasons=tuple(c.detail for c in checks if c.state == "fail"),
        headline=_headline(analysis.cells, [c for c in analysis.comparisons if c.metric == "e2e"]),
        failed_runs=sum(c.counts.failed for c in analysis.cells),
        invalid_runs=sum(c.counts.invalid for c in analysis.cells),
        checks=checks,
    )


def _check(name: str, title: str, state: str, detail: str) -> Check:
    return Check(name=name, title=title, state=state, detail=detail, gates=False)


def _tally(verdicts: Sequence[str]) -> str:
    counts = Counter(verdicts)
    return ", ".join(f"{n} {v}" for v, n in counts.most_common())


def _failed(analysis: BenchAnalysis) -> Check:
    runs = sum(c.counts.runs for c in analysis.cells)
    failed = sum(c.counts.failed for c in analysis.cells)
    return _check("failed", "failed runs", "fail" if failed else "pass" if runs else "not_measured",
                  f"{failed} of {runs} runs failed")


def _invalid(analysis: BenchAnalysis) -> Check:
    runs = sum(c.counts.runs for c in analysis.cells)
    invalid = sum(c.counts.invalid for c in analysis.cells)
    differs = [f"{e.engine} {e.combo}" for e in analysis.equivalence if not e.matches]
    work = (f"work differs from the baseline's: {', '.join(differs)}" if differs
            else f"same work as the baseline in {len(analysis.equivalence)} cells")
    return _check("invalid", "invalid runs / work differs", "fail" if invalid or differs else "pass",
                  f"{invalid} of {runs} runs invalid; {work}")


def _rules_out_slowdown(ci_high: float, threshold: float) -> bool:
    return math.isfinite(ci_high) and ci_high <= 1.0 + threshold


def _regression(analysis: BenchAnalysis, history: Sequence[HistoryCheck], options: BenchOptions) -> Check:
    """A combination significantly and relevantly slower than baseline end to end, or the baseline slower than its
    history. Undecided when a CI cannot rule out a slowdown of more than the threshold."""
    e2e = [c for c in analysis.comparisons if c.metric == "e2e"]
    judged = [h for h in history if h.verdict != "insufficient_history"]
    slower = [f"{c.engine} {c.name} x{c.ratio:.3f}" for c in e2e if c.verdict == "regression"]
    slower += [f"{h.engine} baseline vs history x{h.ratio:.3f}" for h in judged if h.verdict == "regression"]
    open_ = [c.ratio_ci_high for c in e2e if c.verdict != "regression"]
    open_ += [h.ratio_ci_high for h in judged if h.verdict != "regression"]
    open_ = [high for high in open_ if not _rules_out_slowdown(high, options.threshold)]
    runs = sorted({c.n for c in e2e})
    parts = [f"end to end vs baseline, {len(e2e)} combination(s) ({_tally([c.verdict for c in e2e])}; "
             f"{'/'.join(map(str, runs))} counted runs each)" if e2e else "no combination beside the baseline"]
    if history:
        parts.append(f"baseline vs history: {_tally([h.verdict for h in history])}")
    state = ("fail" if slower else "inconclusive" if open_ else "pass" if e2e or judged else "not_measured")
    detail = (f"regression: {', '.join(slower)}; " if slower else "") + "; ".join(parts)
    if state == "inconclusive":
        detail += f"; {len(open_)} cannot rule out a slowdown over {options.threshold:.0%}"
    return _check("regression", "regressions (end to end)", state, detail)


def _target(analysis: BenchAnalysis, options: BenchOptions) -> Check:
    verdicts = [c.target_median for c in analysis.cells if c.target_median]
    over = [f"{c.engine} {c.combo}" for c in analysis.cells if c.target_median == "fail"]
    state = "fail" if over else "inconclusive" if "inconclusive" in verdicts else "pass" if verdicts \
        else "not_measured"
    detail = (f"median e2e of {len(verdicts)} cell(s) against {options.target_s:.0f} s: {_tally(verdicts)}"
              if verdicts else "no cell has a counted run") + (f"; over: {', '.join(over)}" if over else "")
    return _check("target", f"target {options.target_s:.0f} s (median)", state, detail)


def _memory(analysis: BenchAnalysis, options: BenchOptions) -> Check:
    verdicts = [m.verdict for m in analysis.memory]
    over = [f"{m.engine} {m.combo} x{m.ratio:.3f}" for m in analysis.memory if m.verdict == "fail"]
    judged = [v for v in verdicts if v not in ("not_comparable", "insufficient")]
    state = ("fail" if over else "inconclusive" if "inconclusive" in judged or "insufficient" in verdicts
             else "pass" if judged else "not_measured")
    detail = (f"peak RSS against the baseline's +{options.memory_budget:.0%}: {_tally(verdicts)}" if verdicts
              else "no combination beside the baseline")
    if "not_comparable" in verdicts:
        detail += f" ({IN_PROCESS_RSS})"
    return _check("memory", f"memory budget +{options.memory_budget:.0%}", state,
                  detail + (f"; over: {', '.join(over)}" if over else ""))


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
