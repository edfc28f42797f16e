"""Turn recorded samples into the session's numbers, every statistic delegated to `autointel.stats`.

Only runs that count (measure purpose, not warmup, status ok, valid) enter a statistic; failed and
invalid runs are counted and listed instead. A comparison needs >= 2 counted runs on both sides,
otherwise it is reported as "insufficient" rather than guessed. Two cells with counted runs in the same
iterations are compared block by block (`blocks`): each row says whether it was `paired`.
"""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from collections.abc import Sequence
from functools import partial
from typing import Any

from autointel import stats
from autointel.bench.analysis.blocks import Keyed, aligned, keyed, values
from autointel.bench.options import BenchOptions
from autointel.model.bench_results import (
    PHASE_SPAN,
    PHASE_WORK,
    BenchAnalysis,
    CellCounts,
    CellStats,
    EffectRow,
    EngineCost,
    Equivalence,
    Headroom,
    LLMLoad,
    MemoryCheck,
    MetricComparison,
    Representative,
)
from autointel.model.combo import Combo
from autointel.model.run_sample import RunSample
from autointel.model.statistics import Summary
from autointel.monitoring import max_overlap

# A combination with this flag on has its stream overlap measured (`stream_overlap_s`): how much of the
# `transcribe` step ran beside steps named `stream...` (zero when nothing overlapped, which is worth knowing).
STREAMING_FLAG = "streaming_transcription"


def _summary(values: Sequence[float], seed: int) -> Summary | None:
    return stats.summarize(values, seed=seed) if values else None


def _counted(samples: Sequence[RunSample], combo: str, engine: str) -> list[RunSample]:
    return [s for s in samples if s.cell == (combo, engine) and s.counts]


def _cell_cells(samples: Sequence[RunSample], options: BenchOptions) -> list[tuple[Combo, str]]:
    """The session's cells in option order, then any other cell its samples ran (named only in the samples)."""
    ordered = [(f, e) for e in options.engines for f in options.combos]
    named = {(f.name, e) for f, e in ordered}
    extra = sorted({s.cell for s in samples} - named)
    return ordered + [(options.space.parse(combo), engine) for combo, engine in extra]


def cell_stats(
    samples: Sequence[RunSample], flags: Combo, engine: str, options: BenchOptions
) -> CellStats:
    combo = flags.name
    own = [s for s in samples if s.cell == (combo, engine)]
    ok = _counted(samples, combo, engine)
    seed = options.seed
    e2e = [s.e2e_s for s in ok]
    phases: dict[str, list[float]] = {}
    phase_cpu: dict[str, list[float]] = {}
    for s in ok:
        for name, rec in s.phases.items():
            phases.setdefault(name, []).append(rec["wall_s"])
            if "cpu_s" in rec:
                phase_cpu.setdefault(name, []).append(rec["cpu_s"])
    cps = [s.critical_path for s in ok if s.critical_path and "bound_s" in s.critical_path]
    bound_kind, per_bound = bound_ratios(ok)
    overlaps = [stream_overlap_s(s.steps) for s in ok] if STREAMING_FLAG in flags.on else []
    diag = [s for s in own if s.purpose != "measure"]
    p95 = stats.p95_ci(e2e, seed) if e2e else None
    summary_e2e = stats.summarize(e2e, seed=seed) if e2e else None
    return CellStats(
        combo=combo,
        engine=engine,
        flags=flags.values(),
        counts=CellCounts(
            runs=len(own),
            measured=sum(1 for s in own if s.purpose == "measure" and not s.warmup),
            ok=len(ok),
            failed=sum(1 for s in own if s.status == "failed"),
            invalid=sum(1 for s in own if s.status == "ok" and not s.valid),
            warmup=sum(1 for s in own if s.warmup),
            diagnostic=len(diag),
        ),
        errors=tuple(sorted({s.error for s in own if s.error})[:5]),
        invalid_reasons=tuple(sorted({s.invalid_reason for s in own if s.status == "ok" and s.invalid_reason})[:5]),
        e2e=summary_e2e,
        p95_ci=p95,
        target_median=stats.target_check(summary_e2e, None, options.target_s) if summary_e2e else None,
        target_p95=stats.target_check(summary_e2e, p95[1], options.target_s) if summary_e2e and p95 else None,
        cpu=_summary([s.cpu_process_s for s in ok], seed),
        peak_rss=_summary([float(s.peak_rss_bytes) for s in ok], seed),
        phases={name: _summary(values, seed) for name, values in phases.items()},
        phase_cpu={name: _summary(values, seed) for name, values in phase_cpu.items()},
        critical_path_bound=_summary([c["bound_s"] for c in cps], seed),
        efficiency=_summary([c["efficiency"] for c in cps], seed),
        layout_bound=_summary([c["layout_bound_s"] for c in cps if "layout_bound_s" in c], seed),
        e2e_per_bound=_summary(per_bound, seed),
        bound_kind=bound_kind,
        transcription_speed=_summary([v for v in map(transcription_speed, ok) if v is not None], seed),
        stream_overlap_s=tuple(overlaps),
        stream_overlap=_summary(overlaps, seed),
        heap_peaks=tuple(s.heap_peaks for s in diag if s.heap_peaks),
        artifacts=tuple(s.artifacts for s in diag if s.artifacts),
        cpu_per_wall=_summary([s.cpu_process_s / s.e2e_s for s in ok if s.e2e_s > 0], seed),
        counted_orders=tuple(s.order for s in ok),
        representative=representative(ok),
        llm=llm_load(ok, seed),
    )


def llm_load(ok: Sequence[RunSample], seed: int) -> LLMLoad | None:
    """Per run, the sums over its LLM calls, summarised over the runs (None when no run called an LLM)."""
    runs = [s.llm_calls for s in ok if s.llm_calls]
    if not runs:
        return None

    def per_run(key: str) -> Summary | None:
        values = [sum(float(c.get(key) or 0.0) for c in calls) for calls in runs
                  if all(c.get(key) is not None for c in calls)]
        return _summary(values, seed) if len(values) == len(runs) else None

    return LLMLoad(
        calls=_summary([float(len(calls)) for calls in runs], seed),
        prompt_tokens=per_run("prompt_tokens"), completion_tokens=per_run("completion_tokens"),
        queued_s=per_run("queued_s"), call_s=per_run("latency_s"),
        prompt_s=per_run("prompt_s"), generate_s=per_run("generate_s"),
    )


def bound_ratios(ok: Sequence[RunSample]) -> tuple[str | None, list[float]]:
    """Per run, e2e / the critical-path bound of the DAG the engine really ran: its task graph (the crew's
    layout, else the plan's DAG, weighted by task spans that include the LLM turn) when every run has it,
    else the plan weighted by step spans. 1.0 = as fast as it allows."""
    key = _bound_key(ok)
    if key is None:
        return None, []
    cps = [(s.e2e_s, s.critical_path) for s in ok if s.critical_path and "bound_s" in s.critical_path]
    return BOUND_KINDS[key], [e / c[key] for e, c in cps if c[key] > 0]


BOUND_KINDS = {"layout_bound_s": "task graph", "bound_s": "plan"}  # recorded bound -> the DAG it is of


def _bound_key(ok: Sequence[RunSample]) -> str | None:
    """Which recorded bound stands for the runs' DAG: the task graph's when every run has it, else the plan's."""
    cps = [s.critical_path for s in ok if s.critical_path and "bound_s" in s.critical_path]
    if not cps:
        return None
    return "layout_bound_s" if all("layout_bound_s" in c for c in cps) else "bound_s"


def _e2e(sample: RunSample) -> float:
    return sample.e2e_s


def _recorded_bound(sample: RunSample, key: str) -> float | None:
    value = (sample.critical_path or {}).get(key)
    return float(value) if value else None


def headroom(samples: Sequence[RunSample], options: BenchOptions) -> list[Headroom]:
    """Per engine and combination: the median critical-path bound of the DAG it ran over the baseline's
    median e2e. No schedule of that DAG can beat this ratio, so it tells whether a speed-up target is
    reachable by scheduling at all or needs a shorter DAG."""
    out: list[Headroom] = []
    for engine in options.engines:
        base = keyed(_counted(samples, "baseline", engine), _e2e)
        for combo in options.combo_names[1:]:
            ok = _counted(samples, combo, engine)
            key = _bound_key(ok)
            if key is None:
                continue
            bounds = keyed(ok, partial(_recorded_bound, key=key))
            if len(base) < 2 or len(bounds) < 2:
                continue
            seed = stats.derive_seed(options.seed, "bound", engine, combo)
            c = stats.compare(combo, values(base), values(bounds), seed=seed, paired=aligned(base, bounds))
            out.append(Headroom(engine=engine, combo=combo, bound_kind=BOUND_KINDS[key], ratio=c.ratio,
                                ratio_ci_low=c.ratio_ci_low, ratio_ci_high=c.ratio_ci_high, n=c.n,
                                n_baseline=c.n_baseline, paired=c.paired))
    return out


def transcription_speed(sample: RunSample) -> float | None:
    """Media seconds per second of the `transcribe` step (x real time), if the run recorded both."""
    duration = sample.digest.get("media_duration_s")
    wall = next((float(st["wall_s"]) for st in sample.steps if st.get("name") == "transcribe"
                 and st.get("status", "ok") == "ok"), None)
    return float(duration) / wall if isinstance(duration, (int, float)) and wall else None


def stream_overlap_s(steps: Sequence[dict[str, Any]]) -> float:
    """Seconds of the `transcribe` span during which a streaming consumer (a step or span whose name
    starts with "stream") was running: the union of the consumers' spans clipped to transcription."""
    trans = next((st for st in steps if st.get("name") == "transcribe"), None)
    if trans is None:
        return 0.0
    t0, t1 = float(trans["start_s"]), float(trans["end_s"])
    clipped = sorted((max(t0, float(st["start_s"])), min(t1, float(st["end_s"]))) for st in steps
                     if str(st.get("name", "")).startswith("stream"))
    total, reach = 0.0, t0
    for start, end in clipped:
        start = max(start, reach)
        if end > start:
            total += end - start
            reach = end
    return total


def representative(ok: Sequence[RunSample]) -> Representative | None:
    """The median run (e2e closest to the median; ties go to the earlier run), so a report can show
    one typical timeline instead of the luckiest or unluckiest one; with its peak step overlap."""
    if not ok:
        return None
    middle = stats.summarize([s.e2e_s for s in ok]).median
    chosen = min(ok, key=lambda s: (abs(s.e2e_s - middle), s.order))
    spans = [(float(st["start_s"]), float(st["end_s"])) for st in chosen.steps]
    return Representative(order=chosen.order, e2e_s=chosen.e2e_s, max_parallel=max_overlap(spans))


def _family(
    engine: str, metric: str, base: Keyed, candidates: dict[str, Keyed], options: BenchOptions, seed: int,
    reference: str | None,
) -> list[MetricComparison]:
    """One Holm-adjusted family, each candidate paired with the baseline by iteration when their blocks match;
    candidates without enough runs are listed as insufficient."""
    out: list[MetricComparison] = []
    enough = {k: v for k, v in candidates.items() if len(v) >= 2}
    if len(base) >= 2 and enough:
        found = stats.compare_all(values(base), {k: values(v) for k, v in enough.items()}, options.threshold,
                                  options.alpha, seed, paired={k for k, v in enough.items() if aligned(base, v)})
        out += [MetricComparison.of(engine, metric, c, reference) for c in found]
    out += [MetricComparison(engine=engine, metric=metric, reference=reference, name=k, verdict="insufficient",
                             n=len(v), n_baseline=len(base))
            for k, v in candidates.items() if k not in enough or len(base) < 2]
    return out


def _metric_families(
    engine: str, base: list[RunSample], candidates: dict[str, list[RunSample]], options: BenchOptions, seed: int,
    reference: str | None = None,
) -> list[MetricComparison]:
    """e2e, and each phase of the reference by its span and by its own work (CPU), one Holm family each."""
    out = _family(engine, "e2e", keyed(base, _e2e), {c: keyed(v, _e2e) for c, v in candidates.items()}, options,
                  seed, reference)
    for phase in dict.fromkeys(p for s in base for p in s.phases):
        for metric, field in ((PHASE_SPAN, "wall_s"), (PHASE_WORK, "cpu_s")):
            value = partial(_phase_value, phase=phase, field=field)
            if not any(value(s) is not None for s in base):
                continue  # samples recorded before phases carried their CPU
            out += _family(engine, f"{metric}:{phase}", keyed(base, value),
                           {c: keyed(v, value) for c, v in candidates.items()}, options,
                           stats.derive_seed(seed, metric, phase), reference)
    return out


def _phase_value(sample: RunSample, phase: str, field: str) -> float | None:
    """A phase's span (`wall_s`: first start to last end of its steps, waiting included) or its own work (`cpu_s`)."""
    value = sample.phases.get(phase, {}).get(field)
    return float(value) if value is not None else None


def comparisons(samples: Sequence[RunSample], options: BenchOptions) -> list[MetricComparison]:
    """Per engine: every combination vs baseline, end to end and per phase (one family each)."""
    out: list[MetricComparison] = []
    for engine in options.engines:
        others = options.combo_names[1:]
        if others:
            out += _metric_families(engine, _counted(samples, "baseline", engine),
                                    {c: _counted(samples, c, engine) for c in others}, options,
                                    stats.derive_seed(options.seed, "comparisons", engine))
    return out


def optimisations(samples: Sequence[RunSample], options: BenchOptions) -> list[MetricComparison]:
    """Per engine: each optimised combination (`all+batched_vector_writes`) vs its twin without the
    optimisation flags (`all`), when the session ran both; e2e and per phase, one Holm family per twin."""
    out: list[MetricComparison] = []
    for engine in options.engines:
        by_reference: dict[str, list[str]] = {}
        for flags in options.combos:
            if flags.optimised and flags.reference in options.combos:
                by_reference.setdefault(flags.reference.name, []).append(flags.name)
        for reference, combos in by_reference.items():
            out += _metric_families(engine, _counted(samples, reference, engine),
                                    {c: _counted(samples, c, engine) for c in combos}, options,
                                    stats.derive_seed(options.seed, "optimisations", engine, reference),
                                    reference=reference)
    return out


def engine_costs(samples: Sequence[RunSample], options: BenchOptions) -> list[EngineCost]:
    """Each engine vs the pipeline's reference engine on the same combination (autointel: crew and flow vs
    pipeline, the same DAG and profile): ratio of medians with CI and Holm-adjusted p across combinations (one
    family per engine), plus the engine minus the reference in seconds and per task: the framework's own cost."""
    reference = options.space.reference_engine
    if reference is None or reference not in options.engines:
        return []
    out: list[EngineCost] = []
    for engine in (e for e in options.engines if e != reference):
        pairs = {c: (keyed(_counted(samples, c, reference), _e2e), _counted(samples, c, engine))
                 for c in options.combo_names}
        ready = {c: p for c, p in pairs.items() if len(p[0]) >= 2 and len(p[1]) >= 2}
        seeds = {c: stats.derive_seed(options.seed, "engine-cost", engine, c) for c in ready}
        runs_of = {c: keyed(runs, _e2e) for c, (_, runs) in ready.items()}
        found = stats.adjust_family([
            stats.compare(c, values(pipe), values(runs_of[c]), options.threshold, seed=seeds[c], alpha=options.alpha,
                          paired=aligned(pipe, runs_of[c]))
            for c, (pipe, _) in ready.items()], options.threshold, options.alpha)
        for comp in found:
            pipe, runs = ready[comp.name]
            diff, low, high = stats.difference_of_medians(values(runs_of[comp.name]), values(pipe),
                                                          seed=seeds[comp.name], paired=comp.paired)
            tasks = sum(1 for st in runs[0].steps if "context" in st) or len(runs[0].steps)
            out.append(EngineCost(**dataclasses.asdict(comp), engine=engine, combo=comp.name, diff_s=diff,
                                  diff_ci_low=low, diff_ci_high=high, tasks=tasks, per_task_ms=1000.0 * diff / tasks,
                                  per_task_ci=(1000.0 * low / tasks, 1000.0 * high / tasks)))
        out += [EngineCost(engine=engine, name=c, combo=c, verdict="insufficient", n=len(p[1]), n_baseline=len(p[0]))
                for c, p in pairs.items() if c not in ready]
    return out


def effects(samples: Sequence[RunSample], options: BenchOptions) -> list[EffectRow]:
    """Main effects and two-way interactions of the flags on e2e time, where the matrix has the cells."""
    out: list[EffectRow] = []
    for engine in options.engines:
        cells: dict[tuple[bool, ...], list[float]] = {}
        for flags in options.combos:
            if flags.optimised:  # the factorial design covers the parallel flags only
                continue
            values = [s.e2e_s for s in _counted(samples, flags.name, engine)]
            if len(values) >= 2:
                cells[flags.factor_values()] = values
        if len(cells) < 2:
            continue
        seed, names = stats.derive_seed(options.seed, "effects", engine), options.space.factors
        out += [EffectRow.of(engine, "main", e) for e in stats.main_effects(cells, names, seed=seed)]
        out += [EffectRow.of(engine, "interaction", e) for e in stats.interactions(cells, names, seed=seed)]
    return out


def memory(samples: Sequence[RunSample], options: BenchOptions) -> list[MemoryCheck]:
    """Peak RSS vs baseline against the budget. Only fresh processes make RSS comparable: in-process
    peaks are reported but never given a pass/fail verdict."""
    out: list[MemoryCheck] = []
    for engine in options.engines:
        base = _counted(samples, "baseline", engine)
        for combo in options.combo_names[1:]:
            cand = _counted(samples, combo, engine)
            if len(base) < 2 or len(cand) < 2:
                out.append(MemoryCheck(engine=engine, combo=combo, budget=options.memory_budget,
                                       verdict="insufficient"))
                continue
            peaks, base_peaks = (keyed(runs, lambda s: float(s.peak_rss_bytes)) for runs in (cand, base))
            paired = aligned(base_peaks, peaks)
            verdict, ratio, low, high = stats.memory_check(values(peaks), values(base_peaks), options.memory_budget,
                                                           options.seed, paired=paired)
            comparable = all(s.isolated for s in base + cand)
            note = None if comparable else IN_PROCESS_RSS
            out.append(MemoryCheck(engine=engine, combo=combo, budget=options.memory_budget,
                                   verdict=verdict if comparable else "not_comparable", ratio=ratio, ci_low=low,
                                   ci_high=high, comparable=comparable, paired=paired, note=note))
    return out


IN_PROCESS_RSS = "in-process RSS is not comparable between runs; use --autointel-isolate process"


def _digest_key(digest: dict[str, Any]) -> str:
    return json.dumps(digest, sort_keys=True)


def equivalence(samples: Sequence[RunSample], options: BenchOptions) -> list[Equivalence]:
    """Did every cell do the same work as the baseline of the first engine? (output digests)"""
    ok = [s for s in samples if s.status == "ok" and s.digest]
    ref_pool = [s for s in ok if s.cell == ("baseline", options.engines[0])]
    if not ref_pool:
        return []
    ref_key, _ = Counter(_digest_key(s.digest) for s in ref_pool).most_common(1)[0]
    reference = json.loads(ref_key)
    out: list[Equivalence] = []
    for flags, engine in _cell_cells(samples, options):
        combo = flags.name
        own = [s for s in ok if s.cell == (combo, engine)]
        if not own:
            continue
        keys = {_digest_key(s.digest) for s in own}
        differs = sorted({f for s in own for f in s.digest if s.digest.get(f) != reference.get(f)})
        mismatched = sum(1 for s in own if _digest_key(s.digest) != ref_key)
        out.append(Equivalence(combo=combo, engine=engine, matches=keys == {ref_key}, stable=len(keys) == 1,
                               differs_in=tuple(differs), mismatched_runs=mismatched))
    return out


def analyze(samples: Sequence[RunSample], options: BenchOptions) -> BenchAnalysis:
    return BenchAnalysis(
        cells=tuple(cell_stats(samples, f, e, options) for f, e in _cell_cells(samples, options)),
        comparisons=tuple(comparisons(samples, options)),
        optimisations=tuple(optimisations(samples, options)),
        engines=tuple(engine_costs(samples, options)),
        headroom=tuple(headroom(samples, options)),
        effects=tuple(effects(samples, options)),
        memory=tuple(memory(samples, options)),
        equivalence=tuple(equivalence(samples, options)),
    )
