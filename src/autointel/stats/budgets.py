"""Pass/fail checks against absolute time targets and relative memory budgets.

Each check is three-valued: "pass" and "fail" are claimed only when the confidence interval lies
wholly on one side of the limit; otherwise "inconclusive" (more runs needed).
"""

from __future__ import annotations

import math

import numpy as np

from autointel.model.statistics import Summary
from autointel.stats._common import (
    FloatArray,
    Samples,
    as_samples,
    check_level,
    check_resamples,
    is_constant,
    percentile_ci,
    ratio_of_medians_ci,
)


def target_check(summary_e2e: Summary, p95_ci_high: float | None, target_s: float) -> str:
    """"pass" if the median's CI upper bound (and the p95's, when given) is <= target;
    "fail" if the median's CI lower bound is > target; else "inconclusive"."""
    if not target_s > 0.0:
        raise ValueError(f"target_s must be > 0, got {target_s}")
    if summary_e2e.ci_low > target_s:
        return "fail"
    if summary_e2e.ci_high <= target_s and (p95_ci_high is None or p95_ci_high <= target_s):
        return "pass"
    return "inconclusive"


def memory_check(
    candidate_peaks: Samples,
    baseline_peaks: Samples,
    budget: float = 0.10,
    seed: int = 0,
    *,
    confidence: float = 0.95,
    n_resamples: int = 2000,
    paired: bool = False,
) -> tuple[str, float, float, float]:
    """(verdict, ratio, ci_low, ci_high) for peak memory: ratio of medians candidate/baseline (`paired`
    blocks as in `compare`).

    "pass" when ci_high <= 1 + budget, "fail" when ci_low > 1 + budget, else "inconclusive".
    """
    if not budget >= 0.0:
        raise ValueError(f"budget must be >= 0, got {budget}")
    cand = as_samples(candidate_peaks, "candidate_peaks")
    base = as_samples(baseline_peaks, "baseline_peaks")
    ratio, low, high = ratio_of_medians_ci(cand, base, confidence, n_resamples, seed, paired)
    limit = 1.0 + budget
    verdict = "pass" if high <= limit else "fail" if low > limit else "inconclusive"
    return verdict, ratio, low, high


def min_runs_for_quantile_bound(q: float = 0.95, confidence: float = 0.95) -> int:
    """Smallest n for which the sample maximum is a distribution-free upper confidence bound of the
    q-quantile at the two-sided level: P(max < true quantile) = q**n <= (1 - confidence) / 2."""
    check_level(confidence)
    if not 0.0 < q < 1.0:
        raise ValueError(f"q must be in (0, 1), got {q}")
    return math.ceil(math.log((1.0 - confidence) / 2.0) / math.log(q) - 1e-9)


def _p95(x: FloatArray, axis: int = -1) -> FloatArray:
    result: FloatArray = np.percentile(x, 95, axis=axis)
    return result


def p95_ci(
    samples: Samples,
    seed: int = 0,
    *,
    confidence: float = 0.95,
    n_resamples: int = 2000,
    strict: bool = True,
) -> tuple[float, float]:
    """Percentile bootstrap CI of the 95th percentile.

    A bootstrap quantile can never exceed the sample maximum, yet with n = 10 the true p95 lies
    above the maximum 0.95**10 = 60% of the time: the plain bootstrap upper bound is badly
    optimistic for small n. With strict=True (default) the upper bound is +inf until n reaches
    `min_runs_for_quantile_bound()` (72 at 95%), so a p95 target is never "passed" on evidence
    that cannot support it. strict=False returns the raw bootstrap bounds.
    """
    check_level(confidence)
    check_resamples(n_resamples)
    arr = as_samples(samples)
    point = float(np.percentile(arr, 95))
    if arr.size < 2 or is_constant(arr):
        low, high = point, point
    else:
        low, high = percentile_ci((arr,), _p95, confidence, n_resamples, seed)
    if strict and arr.size < min_runs_for_quantile_bound(0.95, confidence):
        high = math.inf
    return low, high
