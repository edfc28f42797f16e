"""Candidate-vs-baseline comparison with a verdict that never outruns the evidence.

Verdict rule (applied by `decide`, with p = Holm-adjusted Mann-Whitney p-value, [lo, hi] the
bootstrap CI of ratio = median(candidate) / median(baseline), resampling blocks when the two samples
are paired, t = threshold):

* "regression":  p < alpha AND lo > 1 AND ratio > 1 + t   (significant AND practically relevant)
* "improvement": p < alpha AND hi < 1 AND ratio < 1 - t
* "no_change":   1 - t <= lo AND hi <= 1 + t              (whole CI inside the equivalence band)
* "inconclusive": anything else (too noisy, too few runs, or a real but ambiguous effect).

Both the rank test and the CI must agree before a change is claimed: the Holm-adjusted rank test
bounds the family-wise false-alarm rate at alpha regardless of the CI's small-n coverage, and the
CI guards against a "significant" p driven by a shift in shape rather than location. A real but
tiny change (CI excluding 1 yet inside the band) is reported as "no_change" on purpose: it is
below the threshold the project cares about.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Collection, Mapping, Sequence

import numpy as np
from scipy import stats

from autointel.model.statistics import Comparison
from autointel.stats._common import Samples, as_samples, ratio_of_medians_ci
from autointel.stats.seeds import derive_seed
from autointel.stats.summary import coefficient_of_variation, runs_needed

UNSTABLE_CV = 0.10
"""Either sample's CV at or above this flags the comparison as unstable (too noisy to trust)."""


def decide(
    ratio: float, ci_low: float, ci_high: float, p_adjusted: float, threshold: float, alpha: float
) -> str:
    """The verdict rule from the module docstring, isolated so it can be tested and audited."""
    significant = p_adjusted < alpha
    if significant and ci_low > 1.0 and ratio > 1.0 + threshold:
        return "regression"
    if significant and ci_high < 1.0 and ratio < 1.0 - threshold:
        return "improvement"
    if 1.0 - threshold <= ci_low and ci_high <= 1.0 + threshold:
        return "no_change"
    return "inconclusive"


def holm(p_values: Sequence[float]) -> list[float]:
    """Holm-Bonferroni step-down adjusted p-values, in input order.

    scipy.stats only offers BH/BY (false_discovery_control), which controls the FDR; we want the
    family-wise error rate (no false alarm among all flag combinations), valid under any
    dependence -- our comparisons share one baseline, so they are correlated.
    """
    p = np.asarray(p_values, dtype=np.float64)
    if p.ndim != 1 or np.any(np.isnan(p)) or np.any((p < 0.0) | (p > 1.0)):
        raise ValueError("p_values must be a flat sequence of values in [0, 1]")
    m = p.size
    order = np.argsort(p, kind="stable")
    scaled = p[order] * (m - np.arange(m))
    adjusted_sorted = np.minimum(np.maximum.accumulate(scaled), 1.0)
    adjusted = np.empty(m, dtype=np.float64)
    adjusted[order] = adjusted_sorted
    return [float(x) for x in adjusted]


def _check_threshold(threshold: float, alpha: float) -> None:
    if not 0.0 <= threshold < 1.0:
        raise ValueError(f"threshold must be in [0, 1), got {threshold}")
    if not 0.0 < alpha < 1.0:
        raise ValueError(f"alpha must be in (0, 1), got {alpha}")


def compare(
    name: str,
    baseline: Samples,
    candidate: Samples,
    threshold: float = 0.05,
    confidence: float = 0.95,
    seed: int = 0,
    *,
    alpha: float = 0.05,
    n_resamples: int = 2000,
    paired: bool = False,
) -> Comparison:
    """Compare one candidate to the baseline as a single test (p_adjusted == p_value).

    `paired`: baseline[i] and candidate[i] were measured in the same block (one bench iteration: the same
    LLM latency draws, the same minutes of machine noise); the CI then resamples blocks, not runs. The
    rank test stays Mann-Whitney: it ignores the pairing, which only makes it conservative when blocks
    correlate positively, and a signed-rank test could not reach alpha at all with five pairs.
    Use `compare_all` for the flag matrix so the multiplicity correction is applied.
    """
    _check_threshold(threshold, alpha)
    base = as_samples(baseline, "baseline")
    cand = as_samples(candidate, f"candidate {name!r}")
    ratio, low, high = ratio_of_medians_ci(cand, base, confidence, n_resamples, seed, paired)
    p_value = float(stats.mannwhitneyu(cand, base, alternative="two-sided").pvalue)
    if math.isnan(p_value):  # all observations tied: no evidence of any difference
        p_value = 1.0
    cv = max(coefficient_of_variation(base), coefficient_of_variation(cand))
    unstable = cv >= UNSTABLE_CV
    needed: int | None = None
    if unstable:
        # Per-sample runs for the log-ratio CI half-width (~ z*cv*sqrt(2/n)) to shrink to the
        # threshold, i.e. each mean known to threshold/sqrt(2). inf CV -> cannot say.
        needed = runs_needed(cv, threshold / math.sqrt(2.0), confidence) if math.isfinite(cv) else None
    return Comparison(
        name=name,
        baseline_median=float(np.median(base)),
        median=float(np.median(cand)),
        ratio=ratio,
        ratio_ci_low=low,
        ratio_ci_high=high,
        p_value=p_value,
        p_adjusted=p_value,
        verdict=decide(ratio, low, high, p_value, threshold, alpha),
        unstable=unstable,
        cv=cv,
        runs_needed=needed,
        n=int(cand.size),
        n_baseline=int(base.size),
        paired=paired,
    )


def compare_all(
    baseline: Samples,
    candidates: Mapping[str, Samples],
    threshold: float = 0.05,
    alpha: float = 0.05,
    seed: int = 0,
    *,
    confidence: float = 0.95,
    n_resamples: int = 2000,
    paired: Collection[str] = (),
) -> list[Comparison]:
    """Compare every candidate to the baseline, Holm-adjust the p-values across the family, then
    apply the verdict rule. Each candidate bootstraps with a seed derived from `seed` and its name, so the
    candidates' CIs do not all reuse the same baseline resamples, yet every run is reproducible.
    Candidates named in `paired` are aligned with the baseline block by block (see `compare`).
    """
    _check_threshold(threshold, alpha)
    raw = [
        compare(name, baseline, samples, threshold, confidence, derive_seed(seed, name),
                alpha=alpha, n_resamples=n_resamples, paired=name in paired)
        for name, samples in candidates.items()
    ]
    return adjust_family(raw, threshold, alpha)


def adjust_family(family: Sequence[Comparison], threshold: float = 0.05, alpha: float = 0.05) -> list[Comparison]:
    """Holm-adjust the p-values of comparisons that form one family, then apply the verdict rule: the single
    place where a family of comparisons gets its verdicts, whatever each one was compared against."""
    adjusted = holm([c.p_value for c in family])
    return [
        dataclasses.replace(c, p_adjusted=p, verdict=decide(c.ratio, c.ratio_ci_low, c.ratio_ci_high, p, threshold,
                                                            alpha))
        for c, p in zip(family, adjusted, strict=True)
    ]
