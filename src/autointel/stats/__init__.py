"""Pure statistics for the benchmark harness: summaries, comparisons, effects and budgets.

No I/O, no plotting: plain functions over float samples returning frozen dataclasses, so every
verdict the harness prints can be traced to a documented, deterministic rule.
"""

from autointel.model.statistics import Comparison, Effect, Summary
from autointel.stats._common import Samples, min_runs_for_median_ci
from autointel.stats.budgets import memory_check, min_runs_for_quantile_bound, p95_ci, target_check
from autointel.stats.checks import (
    LinearCost,
    Spread,
    difference_of_medians,
    limit_check,
    linear_cost,
    scaling_exponent,
    spread_check,
)
from autointel.stats.compare import UNSTABLE_CV, adjust_family, compare, compare_all, decide, holm
from autointel.stats.critical_path import critical_path, efficiency
from autointel.stats.effects import interactions, main_effects
from autointel.stats.seeds import derive_seed
from autointel.stats.summary import runs_needed, summarize

__all__ = [
    "UNSTABLE_CV",
    "Comparison",
    "Effect",
    "LinearCost",
    "Samples",
    "Spread",
    "Summary",
    "adjust_family",
    "compare",
    "compare_all",
    "critical_path",
    "decide",
    "derive_seed",
    "difference_of_medians",
    "efficiency",
    "holm",
    "interactions",
    "limit_check",
    "linear_cost",
    "main_effects",
    "memory_check",
    "min_runs_for_median_ci",
    "min_runs_for_quantile_bound",
    "p95_ci",
    "runs_needed",
    "scaling_exponent",
    "spread_check",
    "summarize",
    "target_check",
]
