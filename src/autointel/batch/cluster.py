"""Ray for a batch: a local Ray started in-process on this machine's cores, or a running cluster at an address;
the store owner and the workers placed on it; Ray's errors turned into this project's."""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid
from dataclasses import dataclass, replace
from types import TracebackType
from typing import Any

from autointel.errors import AutointelError, InputError, first_line
from autointel.settings import Settings

# How long the workers may take to start and load their models before the batch gives up on the missing ones.
READY_TIMEOUT_S = 600.0
# How long a dead worker's replacement may take to come back (Ray restarts it; it reloads its models).
RESTART_TIMEOUT_S = 300.0
WORKER_RESTARTS = 3


@dataclass(frozen=True)
class Worker:
    index: int
    handle: Any  # a Ray ActorHandle of SourceWorker
    node: str
    load_s: float  # its models' loading


def check_address(address: str) -> None:
    """A cluster address is HOST:PORT where a Ray head answers; anything else is one line of bad input, before
    Ray is asked (it would retry for minutes). `run_batch` checks it before writing anything."""
    host, _, port = address.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise InputError(f"--ray-address {address!r}: expected HOST:PORT of a Ray head (ray start --head)")
    try:
        with socket.create_connection((host, int(port)), timeout=5):
            pass
    except OSError as exc:
        raise InputError(f"--ray-address {address}: no Ray head answers there ({first_line(exc)})") from None


def cause(exc: BaseException) -> BaseException:
    """The exception a Ray task raised, without Ray's wrapping (its message carries the remote traceback)."""
    inner = getattr(exc, "cause", None)
    return inner if isinstance(inner, BaseException) else exc


class Cluster:
    """Ray for one batch: started (locally) or joined (an address) on enter, left on exit; a Ray that the caller
    had already started (tests) is used as it is and left running."""

    def __init__(self, address: str | None, workers: int) -> None:
        self.address = address
        self._workers = workers
        self._owns = False
        self.owner_name = ""

    def __enter__(self) -> Cluster:
        import ray

        if ray.is_initialized():
            return self
        cpus = None if self.address else max(os.cpu_count() or 1, self._workers)
        try:
            ray.init(address=self.address, num_cpus=cpus, include_dashboard=False, log_to_driver=False,
                     logging_level=logging.ERROR)
        except (ConnectionError, RuntimeError, ValueError) as exc:
            raise InputError(f"cannot start or reach Ray ({first_line(exc)})") from None
        self._owns = True
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._owns:
            import ray

            ray.shutdown()

    def worker_settings(self, settings: Settings) -> Settings:
        """On this machine the workers share its cores: each decodes and embeds with its share of the threads.
        On a cluster each worker keeps the settings' threads (set AUTOINTEL_CPU_THREADS for the nodes)."""
        if self.address is not None:
            return settings
        return replace(settings, cpu_threads=max(1, settings.cpu_threads // self._workers))

    def start_owner(self, settings: Settings) -> Any:
        """The store owner, holding the data-dir lock and both stores (it needs no core of its own)."""
        import ray

        from autointel.batch.owner import StoreOwner

        self.owner_name = f"autointel-store-owner-{uuid.uuid4().hex[:12]}"
        owner: Any = ray.remote(StoreOwner).options(num_cpus=0, name=self.owner_name).remote(settings)
        try:
            ray.get(owner.open.remote())
        except Exception as exc:
            ray.kill(owner)
            raise _as_project_error(exc) from None
        return owner

    def start_workers(self, settings: Settings) -> list[Worker]:
        """N workers, one core each, models loaded before the first source; those not up within READY_TIMEOUT_S
        (a cluster without room for them) are dropped, and none at all stops the batch."""
        import ray

        from autointel.batch.worker import SourceWorker

        actor = ray.remote(SourceWorker).options(num_cpus=1, max_restarts=WORKER_RESTARTS)
        handles: list[Any] = [actor.remote(settings, self.owner_name, i) for i in range(self._workers)]
        ready = {h.ready.remote(): (i, h) for i, h in enumerate(handles)}
        done, pending = ray.wait(list(ready), num_returns=len(ready), timeout=READY_TIMEOUT_S)
        workers, errors = [], []
        for ref in done:
            index, handle = ready[ref]
            try:
                node, load_s = ray.get(ref)
                workers.append(Worker(index, handle, str(node), float(load_s)))
            except Exception as exc:
                errors.append(first_line(cause(exc)))
        for ref in pending:
            ray.kill(ready[ref][1])
        if not workers:
            reason = errors[0] if errors else f"none was placed within {READY_TIMEOUT_S:.0f} s"
            raise AutointelError(f"no batch worker started: {reason}")
        return sorted(workers, key=lambda w: w.index)

    def revived(self, worker: Worker) -> Worker | None:
        """After a worker died: its replacement once Ray has restarted it, or None if it is gone for good."""
        import ray

        deadline = time.monotonic() + RESTART_TIMEOUT_S
        while time.monotonic() < deadline:
            try:
                node, load_s = ray.get(worker.handle.ready.remote(), timeout=RESTART_TIMEOUT_S)
                return replace(worker, node=str(node), load_s=float(load_s))
            except ray.exceptions.ActorUnavailableError:
                time.sleep(0.5)  # still restarting
            except Exception:
                return None
        return None


def _as_project_error(exc: BaseException) -> BaseException:
    inner = cause(exc)
    if isinstance(inner, AutointelError):
        return inner
    return AutointelError(f"the store owner could not open the data dir: {type(inner).__name__}: {first_line(inner)}")
