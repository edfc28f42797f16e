"""Critical-path bound of a run's task DAG: the fastest any schedule could possibly finish."""

from __future__ import annotations

import math
from collections.abc import Sequence

Task = tuple[str, Sequence[str], float]


def critical_path(tasks: Sequence[Task]) -> tuple[float, tuple[str, ...]]:
    """Longest duration-weighted path through the DAG (Kahn topological order + DP).

    With unlimited parallelism a run cannot finish faster than this bound, so it tells how much
    speed-up is left on the table. Ties are broken by input order for determinism.
    Raises ValueError on duplicate names, unknown dependencies, cycles or invalid durations.
    """
    order = {name: i for i, (name, _, _) in enumerate(tasks)}
    if len(order) != len(tasks):
        raise ValueError("duplicate task names")
    duration: dict[str, float] = {}
    deps: dict[str, tuple[str, ...]] = {}
    children: dict[str, list[str]] = {name: [] for name in order}
    for name, task_deps, dur in tasks:
        if not math.isfinite(dur) or dur < 0.0:
            raise ValueError(f"task {name!r}: duration must be finite and >= 0, got {dur}")
        unique = tuple(dict.fromkeys(task_deps))
        for dep in unique:
            if dep not in order:
                raise ValueError(f"task {name!r} depends on unknown task {dep!r}")
            children[dep].append(name)
        duration[name], deps[name] = float(dur), unique

    pending = {name: len(deps[name]) for name in order}
    ready = [name for name in order if pending[name] == 0]
    finish: dict[str, float] = {}
    best_pred: dict[str, str | None] = {}
    while ready:
        name = min(ready, key=order.__getitem__)
        ready.remove(name)
        pred = max(deps[name], key=lambda d: (finish[d], -order[d]), default=None)
        best_pred[name] = pred
        finish[name] = (finish[pred] if pred is not None else 0.0) + duration[name]
        for child in children[name]:
            pending[child] -= 1
            if pending[child] == 0:
                ready.append(child)
    if len(finish) != len(order):
        stuck = sorted(set(order) - set(finish), key=order.__getitem__)
        raise ValueError(f"dependency cycle among tasks: {stuck}")
    if not finish:
        return 0.0, ()

    end = max(finish, key=lambda n: (finish[n], -order[n]))
    path: list[str] = []
    node: str | None = end
    while node is not None:
        path.append(node)
        node = best_pred[node]
    return finish[end], tuple(reversed(path))


def efficiency(bound_s: float, actual_s: float) -> float:
    """bound / actual: 1.0 means the run was as fast as the DAG allows.

    Not clamped: a value above 1 means the spans are inconsistent (e.g. overlapping or mis-timed
    tasks), which the caller should see rather than have hidden.
    """
    if not math.isfinite(bound_s) or bound_s < 0.0:
        raise ValueError(f"bound_s must be finite and >= 0, got {bound_s}")
    if not math.isfinite(actual_s) or actual_s <= 0.0:
        raise ValueError(f"actual_s must be finite and > 0, got {actual_s}")
    return bound_s / actual_s
