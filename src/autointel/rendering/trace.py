"""The median run of every combination as Chrome trace JSON (opens in Perfetto or chrome://tracing).

One process per combination (all starting at ts 0, so they line up for comparison), one thread
row per worker thread, one "X" complete event per step: name = step, cat = phase, microseconds.
"""

from __future__ import annotations

from typing import Any

from autointel.model.bench_results import SessionResults
from autointel.rendering import data

US = 1_000_000


def _meta(name: str, pid: int, tid: int, value: str) -> dict[str, Any]:
    return {"name": name, "ph": "M", "pid": pid, "tid": tid, "args": {"name": value}}


def chrome_trace(results: SessionResults) -> dict[str, Any]:
    events: list[dict[str, Any]] = []
    with_engine = data.multi_engine(results)
    for pid, cell in enumerate(results.cells, start=1):
        sample = data.representative(results, cell)
        if sample is None:
            continue
        title = f"{data.label(cell, with_engine)}: median run #{sample.order}"
        events.append(_meta("process_name", pid, 0, title))
        events.append({"name": "process_sort_index", "ph": "M", "pid": pid, "tid": 0, "args": {"sort_index": pid}})
        tids: dict[str, int] = {}
        for step in sample.steps:
            thread = str(step.get("thread", "?"))
            if thread not in tids:
                tids[thread] = len(tids) + 1
                events.append(_meta("thread_name", pid, tids[thread], thread))
            start = max(0.0, float(step.get("start_s", 0.0)))
            end = max(start, float(step.get("end_s", start)))
            events.append({
                "name": str(step.get("name", "?")), "cat": str(step.get("phase", "?")), "ph": "X",
                "ts": round(start * US, 3), "dur": round((end - start) * US, 3), "pid": pid, "tid": tids[thread],
                "args": {k: step[k] for k in ("status", "deps", "cpu_s", "process_cpu_s") if k in step},
            })
    return {"traceEvents": events, "displayTimeUnit": "ms",
            "otherData": {"run_id": results.session.run_id, "name": results.session.name}}
