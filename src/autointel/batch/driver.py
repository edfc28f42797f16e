"""`autointel batch`: many sources through Ray workers, each result kept the moment it is finished.

The driver hands each idle worker one source at a time and waits on whichever finishes first (`ray.wait`). After
every source the index is rewritten atomically, so a driver killed at any point leaves every finished source
recorded, and the next run skips them. A source whose run fails, or whose worker dies, is marked failed and the
batch goes on (Ray restarts the worker). Ctrl-C stops handing out sources, marks the running ones interrupted,
closes the stores and re-raises.
"""

from __future__ import annotations

import json
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol

from autointel.atomic import atomic_write_text
from autointel.batch.briefing import briefing_json, build_briefing, digests, talk_claims
from autointel.batch.cluster import Cluster, Worker, cause, check_address
from autointel.batch.sources import INDEX_FILE, finished, read_index, result_name, source_key
from autointel.batch.worker import SourceOutcome
from autointel.errors import InputError, first_line
from autointel.model import Status
from autointel.model.batch import BatchBriefing, BatchIndex, CrossContradiction, OwnerLoad, SourceRecord, SourceStatus
from autointel.settings import Settings
from autointel.urls import public_url

BRIEFING_JSON = "briefing.json"
BRIEFING_MD = "briefing.md"
_STATUS = {Status.OK: SourceStatus.OK, Status.PARTIAL: SourceStatus.PARTIAL, Status.FAILED: SourceStatus.FAILED}


@dataclass(frozen=True)
class BatchOptions:
    sources: tuple[str, ...]
    out_dir: Path
    workers: int
    ray_address: str | None  # None: a local Ray on this machine's cores


@dataclass(frozen=True)
class BatchRun:
    index: BatchIndex
    briefing: BatchBriefing | None  # None when nothing is finished yet
    skipped: int  # sources an earlier run had finished
    totals: tuple[int, int, int] | None  # (points, nodes, edges) in the stores after the batch
    warnings: tuple[str, ...]  # what went wrong outside the sources (the briefing's reading, closing the stores)


class BatchProgress(Protocol):
    def begin(self, total: int, skipped: int) -> None: ...

    def started(self, source: str) -> None: ...

    def finished(self, record: SourceRecord) -> None: ...


StartHook = Callable[[str, Worker], None]


def run_batch(options: BatchOptions, settings: Settings, progress: BatchProgress | None = None,
              on_started: StartHook | None = None,
              render_briefing: Callable[[BatchBriefing, BatchIndex], str] | None = None) -> BatchRun:
    """Run every source not finished by an earlier run; `on_started` hears each source handed to a worker
    (tests kill that worker there); `render_briefing` writes briefing.md (rendering is not this layer's)."""
    if options.ray_address is not None:
        check_address(options.ray_address)  # before anything is written or started
    out = _prepare(options.out_dir)
    kept = finished(read_index(out), out, options.sources)
    records = {s: replace(kept[s], source=public_url(s)) if s in kept else
               SourceRecord(public_url(s), SourceStatus.INTERRUPTED) for s in options.sources}
    todo = [s for s in options.sources if s not in kept]
    if progress is not None:
        progress.begin(len(options.sources), len(kept))
    start = time.perf_counter()
    if not todo and (out / BRIEFING_JSON).exists():  # all done before: nothing to start Ray for
        index = _Batch(None, options, out, records, progress, on_started, start).write_index([])
        return BatchRun(index, None, len(kept), None, ())
    warnings: list[str] = []
    with Cluster(options.ray_address, options.workers) as cluster:
        owner = cluster.start_owner(settings)
        try:
            workers = cluster.start_workers(cluster.worker_settings(settings)) if todo else []
            batch = _Batch(cluster, options, out, records, progress, on_started, start)
            batch.startup_s = time.perf_counter() - start
            batch.worker_load_s = tuple(round(w.load_s, 6) for w in workers)
            batch.write_index(workers)
            try:
                batch.run(todo, workers)
                briefing = _briefing(out, batch.write_index(workers), workers, render_briefing, warnings)
            except KeyboardInterrupt:  # the running sources stay `interrupted`; the briefing is not (re)written
                batch.write_index(workers, interrupted=True)
                raise
            batch.owner_load = _load(owner, warnings)
            index = batch.write_index(workers)
            totals = _totals(owner)
        finally:
            warnings += _close_owner(owner)
    return BatchRun(index, briefing, len(kept), totals, tuple(warnings))


def _prepare(out: Path) -> Path:
    try:
        (out / "results").mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"--out {out}: cannot be created ({first_line(exc)})") from None
    return out


class _Batch:
    """The loop: one source per idle worker, results kept as they come."""

    def __init__(self, cluster: Cluster | None, options: BatchOptions, out: Path, records: dict[str, SourceRecord],
                 progress: BatchProgress | None, on_started: StartHook | None, start: float) -> None:
        self._cluster, self._options, self._out = cluster, options, out
        self._records, self._progress, self._on_started = records, progress, on_started
        self._start = start
        self._nodes: set[str] = set()
        self.owner_load = OwnerLoad()
        self.startup_s = 0.0
        self.worker_load_s: tuple[float, ...] = ()

    def run(self, todo: Sequence[str], workers: list[Worker]) -> None:
        import ray

        pending, idle = deque(todo), deque(workers)
        running: dict[Any, tuple[str, Worker]] = {}
        while pending or running:
            while pending and idle:
                source, worker = pending.popleft(), idle.popleft()
                running[worker.handle.process.remote(source)] = (source, worker)
                if self._progress is not None:
                    self._progress.started(source)
                if self._on_started is not None:
                    self._on_started(source, worker)
            if not running:  # every worker is gone: what is left cannot run
                for source in pending:
                    self._finish(source, SourceRecord(public_url(source), SourceStatus.FAILED,
                                                      error="no batch worker left"))
                return
            ready, _ = ray.wait(list(running), num_returns=1, timeout=1.0)
            for ref in ready:
                source, worker = running.pop(ref)
                record, alive = self._collect(ref, source, worker)
                self._finish(source, record)
                revived = worker if alive or self._cluster is None else self._cluster.revived(worker)
                if revived is not None:
                    idle.append(revived)

    def _collect(self, ref: Any, source: str, worker: Worker) -> tuple[SourceRecord, bool]:
        """The source's record, and whether its worker is still alive."""
        import ray

        try:
            outcome: SourceOutcome = ray.get(ref)
        except (ray.exceptions.RayActorError, ray.exceptions.ActorUnavailableError) as exc:
            error = f"worker {worker.index} died while running it ({type(exc).__name__})"
            return SourceRecord(public_url(source), SourceStatus.FAILED, node=worker.node, worker=worker.index,
                                error=error), False
        except Exception as exc:  # the worker's own code failed outside the run: still this source's failure
            inner = cause(exc)
            return SourceRecord(public_url(source), SourceStatus.FAILED, node=worker.node, worker=worker.index,
                                error=f"{type(inner).__name__}: {first_line(inner)}"), True
        return self._keep(outcome), True

    def _keep(self, outcome: SourceOutcome) -> SourceRecord:
        """Write the source's result (atomically) and describe it."""
        from autointel.measurement.redact import redacted_json

        self._nodes.add(outcome.node)
        result = outcome.result
        base = SourceRecord(public_url(outcome.source), SourceStatus.FAILED, node=outcome.node,
                            worker=outcome.worker, wall_s=round(outcome.wall_s, 6), store=outcome.store,
                            error=outcome.error)
        if result is None:
            return base
        sha = result.media.sha256 if result.media else None
        name = result_name(source_key(outcome.source, sha))
        atomic_write_text(self._out / name, redacted_json(result) + "\n")
        error = next((f"{e.phase}: {e.type}: {e.message}" for e in result.errors), None)
        return replace(base, status=_STATUS[result.status], sha256=sha, result=name, error=error,
                       media_s=result.media.duration_s if result.media else None)

    def _finish(self, source: str, record: SourceRecord) -> None:
        self._records[source] = record
        self.write_index(None)
        if self._progress is not None:
            self._progress.finished(record)

    def write_index(self, workers: list[Worker] | None, interrupted: bool = False) -> BatchIndex:
        if workers is not None:
            self._nodes.update(w.node for w in workers)
        index = BatchIndex(sources=tuple(self._records.values()), workers=self._options.workers,
                           ray_address=self._options.ray_address, nodes=tuple(sorted(self._nodes)),
                           wall_s=round(time.perf_counter() - self._start, 6), interrupted=interrupted,
                           owner=self.owner_load, startup_s=round(self.startup_s, 6),
                           worker_load_s=self.worker_load_s)
        atomic_write_text(self._out / INDEX_FILE, json.dumps(index.to_json(), indent=1) + "\n")
        return index


def _briefing(out: Path, index: BatchIndex, workers: Sequence[Worker],
              render: Callable[[BatchBriefing, BatchIndex], str] | None, warnings: list[str]) -> BatchBriefing:
    """Across every finished source (this run's and earlier ones'): shared themes here, contradictions read by a
    worker (it has the checker's models loaded)."""
    import ray

    talks = digests(out, index.sources)
    claims = talk_claims(talks) if len(talks) > 1 else ()
    contradictions: tuple[CrossContradiction, ...] = ()
    checked = 0
    if claims and workers:
        try:
            contradictions, checked = ray.get(workers[0].handle.cross_check.remote(claims))
        except Exception as exc:
            warnings.append(f"cross-source contradictions not read: {first_line(cause(exc))}")
    briefing = build_briefing(talks, contradictions, checked)
    atomic_write_text(out / BRIEFING_JSON, json.dumps(briefing_json(briefing), indent=1) + "\n")
    if render is not None:
        atomic_write_text(out / BRIEFING_MD, render(briefing, index))
    return briefing


def _load(owner: Any, warnings: list[str]) -> OwnerLoad:
    import ray

    try:
        calls, busy_s, overlapping = ray.get(owner.load.remote(), timeout=60)
    except Exception as exc:  # the results are kept already: a lost owner costs only this figure
        warnings.append(f"the store owner's load was not read: {first_line(cause(exc))}")
        return OwnerLoad()
    return OwnerLoad(int(calls), round(float(busy_s), 6), int(overlapping))


def _totals(owner: Any) -> tuple[int, int, int] | None:
    import ray

    try:
        points, nodes, edges = ray.get(owner.totals.remote(), timeout=60)
        return int(points), int(nodes), int(edges)
    except Exception:
        return None


def _close_owner(owner: Any) -> list[str]:
    """Save and close the stores and release the data dir (bounded: a stuck disk must not hang the exit)."""
    import ray

    try:
        ray.get(owner.close.remote(), timeout=60)
        return []
    except Exception as exc:
        return [f"closing the stores failed: {first_line(cause(exc))}"]
    finally:
        ray.kill(owner)
