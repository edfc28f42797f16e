"""The critical-path bound of one run: the shortest any schedule of its DAG could take with the step times measured.

Two bounds: the plan's DAG timed by its steps, and the task graph the engine actually ran (the crew's layout)
timed by its tasks, so a report can tell the engine's own overhead from the DAG's.
"""

from __future__ import annotations

from typing import Any

from autointel.model import RunResult, to_jsonable


def steps_with_deps(result: RunResult) -> list[dict[str, Any]]:
    plan_deps = {s["name"]: list(s["deps"]) for s in json_dicts((result.plan or {}).get("steps"))}
    context = {t["name"]: list(t["context"]) for t in json_dicts((result.crew or {}).get("tasks"))}
    out = []
    for step in result.steps:
        row: dict[str, Any] = to_jsonable(step)
        row["deps"] = plan_deps.get(step.name, [])
        if step.name in context:
            row["context"] = context[step.name]
        out.append(row)
    return out


def json_dicts(value: object) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def critical_path_of(result: RunResult, steps: list[dict[str, Any]], e2e_s: float) -> dict[str, Any] | None:
    """Bound from the plan's DAG and measured step walls; also the bound of the task graph the engine ran."""
    from autointel.stats import critical_path, efficiency

    plan_steps = json_dicts((result.plan or {}).get("steps"))
    wall = {s["name"]: float(s["wall_s"]) for s in steps}
    spans = {s["name"]: (float(s["start_s"]), float(s["end_s"])) for s in steps}
    if not plan_steps or any(s["name"] not in wall for s in plan_steps) or e2e_s <= 0:
        return None
    graph = [(s["name"], [*s["deps"], *s.get("streams", ())], s.get("streams", ())) for s in plan_steps]
    bound, path = critical_path(_timed(graph, wall, spans))
    out: dict[str, Any] = {"bound_s": bound, "path": list(path), "efficiency": efficiency(bound, e2e_s)}
    # The task graph the engine ran (the crew's layout, else the plan) timed by its tasks (LLM turn and step).
    timings = {t["name"]: t for t in json_dicts((result.crew or {}).get("task_timings"))}
    tasks = json_dicts((result.crew or {}).get("tasks")) or [{"name": s["name"], "context": s["deps"]} | (
        {"streams": s["streams"]} if s.get("streams") else {}) for s in plan_steps]
    if timings and all(isinstance(timings.get(t["name"], {}).get("end_s"), (int, float)) for t in tasks):
        task_spans = {t["name"]: (float(timings[t["name"]]["start_s"]), float(timings[t["name"]]["end_s"]))
                      for t in tasks}
        span = {name: max(0.0, end - start) for name, (start, end) in task_spans.items()}
        layout = [(t["name"], [*t["context"], *t.get("streams", ())], t.get("streams", ())) for t in tasks]
        out["layout_bound_s"] = critical_path(_timed(layout, span, task_spans))[0]
    return out


def _timed(
    graph: list[tuple[str, list[str], Any]], duration: dict[str, float], spans: dict[str, tuple[float, float]]
) -> list[tuple[str, list[str], float]]:
    """Weight each node by its duration; a node that streams others only by its tail after they ended (what
    it did while they ran overlapped them, and no schedule ends it before them), so the bound stays a bound."""
    out: list[tuple[str, list[str], float]] = []
    for name, deps, streams in graph:
        if not streams:
            out.append((name, deps, duration[name]))
            continue
        start, end = spans[name]
        out.append((name, deps, max(0.0, end - max([start, *(spans[src][1] for src in streams)]))))
    return out


def safe_critical_path_of(
    result: RunResult | None, steps: list[dict[str, Any]], e2e_s: float
) -> dict[str, Any] | None:
    """Bookkeeping must never turn a finished run into a crash: an inconsistent DAG yields no bound."""
    if result is None:
        return None
    try:
        return critical_path_of(result, steps, e2e_s)
    except (ValueError, KeyError, TypeError) as exc:
        return {"error": f"{type(exc).__name__}: {exc}"}
