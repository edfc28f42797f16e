"""Descriptive summary of one benchmark sample, with an honest CI for the median."""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

from autointel.model.statistics import Summary
from autointel.stats._common import (
    FloatArray,
    Samples,
    as_samples,
    check_level,
    check_resamples,
    is_constant,
    percentile_ci,
    supports_median_ci,
)


def _median(x: FloatArray, axis: int = -1) -> FloatArray:
    result: FloatArray = np.median(x, axis=axis)
    return result


def coefficient_of_variation(arr: FloatArray) -> float:
    """Sample stdev / mean; 0 for constant samples, inf when the mean is 0 but values vary."""
    if arr.size < 2 or is_constant(arr):
        return 0.0
    mean = float(np.mean(arr))
    stdev = float(np.std(arr, ddof=1))
    return math.inf if mean == 0.0 else abs(stdev / mean)


def summarize(
    samples: Samples,
    confidence: float = 0.95,
    n_resamples: int = 2000,
    seed: int = 0,
) -> Summary:
    """Summarise timings; the median CI is a percentile bootstrap (see `_common.ratio_of_medians_ci`
    for why percentile, not BCa). Fewer runs than `min_runs_for_median_ci` (6 at 95%) give an infinite
    CI, because no interval within the sample's range covers the median that often; zero variance
    collapses it to the median (the bootstrap distribution is then a single point).
    """
    check_level(confidence)
    check_resamples(n_resamples)
    arr = as_samples(samples)
    median = float(np.median(arr))
    stdev = float(np.std(arr, ddof=1)) if arr.size >= 2 else 0.0
    if not supports_median_ci((arr,), confidence):
        low, high = -math.inf, math.inf
    elif is_constant(arr):
        low = high = median
    else:
        low, high = percentile_ci((arr,), _median, confidence, n_resamples, seed)
    return Summary(
        n=int(arr.size),
        median=median,
        mean=float(np.mean(arr)),
        p95=float(np.percentile(arr, 95)),
        stdev=stdev,
        cv=coefficient_of_variation(arr),
        ci_low=low,
        ci_high=high,
    )


def runs_needed(cv: float, rel_precision: float = 0.05, confidence: float = 0.95) -> int:
    """Runs needed so the CI half-width of the mean is within rel_precision * mean.

    Normal approximation: half-width = z * sd / sqrt(n) <= rel_precision * mean
    <=> n >= (z * cv / rel_precision)**2, with z the two-sided normal quantile. It ignores the
    t-distribution's extra width at small n, so treat it as a lower bound; never less than 2,
    the minimum for any spread estimate.
    """
    check_level(confidence)
    if not math.isfinite(cv) or cv < 0.0:
        raise ValueError(f"cv must be finite and >= 0, got {cv}")
    if not rel_precision > 0.0:
        raise ValueError(f"rel_precision must be > 0, got {rel_precision}")
    z = float(stats.norm.ppf(0.5 + confidence / 2.0))
    return max(2, math.ceil((z * cv / rel_precision) ** 2 - 1e-9))  # tolerance: float noise
