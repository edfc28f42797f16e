"""The values `autointel.stats` returns, kept here so the results model can hold them without the analysis."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Annotated

from pydantic import BeforeValidator


def _null_as_nan(value: object) -> object:
    return math.nan if value is None else value


Number = Annotated[float, BeforeValidator(_null_as_nan)]
"""A float that JSON stores as null when it is not finite (an unbounded CI, an undefined ratio); read back as NaN,
which every renderer prints as "-"."""


@dataclass(frozen=True)
class Summary:
    """Location, spread and the bootstrap CI of the median for one set of timings."""

    n: int
    median: Number
    mean: Number
    p95: Number
    stdev: Number
    cv: Number
    ci_low: Number
    ci_high: Number


NAN = float("nan")


@dataclass(frozen=True, kw_only=True)
class Comparison:
    """One candidate against the baseline; `ratio` > 1 means the candidate is slower. A row that could not be
    compared (verdict "insufficient": fewer than two counted runs on a side) sets only the counts, the rest NaN."""

    name: str
    verdict: str
    n: int
    n_baseline: int
    baseline_median: Number = NAN
    median: Number = NAN
    ratio: Number = NAN
    ratio_ci_low: Number = NAN
    ratio_ci_high: Number = NAN
    p_value: Number = NAN
    p_adjusted: Number = NAN
    unstable: bool = False
    cv: Number = NAN
    runs_needed: int | None = None
    paired: bool = False  # the CI resampled (baseline[i], candidate[i]) blocks together


@dataclass(frozen=True)
class Effect:
    """One factorial effect.

    scale "seconds" (main effects): estimate = mean over matched pairs of (median on - median off),
    ratio = mean(on medians) / mean(off medians), both with CIs.
    scale "log" (interactions): estimate on log-times, ratio = exp(estimate), ratio CI = exp(CI).
    """

    name: str
    estimate: Number
    ci_low: Number
    ci_high: Number
    ratio: Number
    ratio_ci_low: Number
    ratio_ci_high: Number
    scale: str
    n_units: int
