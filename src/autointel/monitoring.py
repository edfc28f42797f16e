"""Prometheus metrics for autointel runs, one registry per use (never the process-global default).

Why per use: a CLI run, a bench results file and a test each build their own `CollectorRegistry`,
so nothing leaks between them and nothing is registered at import time. Metric names and labels:

* `autointel_execution_duration_seconds{depth}` histogram of whole-run wall time
* `autointel_phase_duration_seconds{phase}` histogram of phase wall time
* `autointel_parallel_tasks_count` gauge: most steps that overlapped in the run (`max_overlap`)
* `autointel_memory_usage_bytes` gauge: process RSS at the end of the run
* `autointel_runs_total{status}` and `autointel_errors_total{error_type}` counters

`monitoring/alerts.yml` holds the alerting rules over these names; 720 s is a bucket bound on
purpose, so `histogram_quantile(...) > 720` is exact at the threshold.
"""

from __future__ import annotations

import re
import sys
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any

import psutil
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, write_to_textfile
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest

if TYPE_CHECKING:
    from autointel.model import RunResult
    from autointel.model.run_sample import RunSample

RUN_BUCKETS = (1.0, 5.0, 15.0, 30.0, 60.0, 120.0, 180.0, 240.0, 360.0, 480.0, 600.0, 720.0, 900.0, 1200.0,
               1800.0, 3600.0, 7200.0)
PHASE_BUCKETS = (0.1, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1200.0, 3600.0)
HOST = "127.0.0.1"


def max_overlap(spans: Iterable[tuple[float, float]]) -> int:
    """The largest number of spans [start, end) open at one instant (a sweep over start/end events).

    Why half-open: a step that starts exactly when its dependency ends did not run alongside it,
    so an end sorts before a start at the same time. Zero-length spans (skipped steps) never count.
    """
    events: list[tuple[float, int]] = []
    for start, end in spans:
        if end > start:
            events += [(start, 1), (end, -1)]
    events.sort(key=lambda e: (e[0], e[1]))
    best = current = 0
    for _, delta in events:
        current += delta
        best = max(best, current)
    return best


@dataclass(frozen=True)
class Metrics:
    """The six collectors, registered on one registry; `observe_*` may be called for many runs."""

    execution: Histogram
    phase: Histogram
    parallel: Gauge
    memory: Gauge
    runs: Counter
    errors: Counter

    @classmethod
    def register(cls, registry: CollectorRegistry) -> Metrics:
        return cls(
            execution=Histogram("autointel_execution_duration_seconds", "Whole-run wall time", ["depth"],
                                buckets=RUN_BUCKETS, registry=registry),
            phase=Histogram("autointel_phase_duration_seconds", "Phase wall time", ["phase"],
                            buckets=PHASE_BUCKETS, registry=registry),
            parallel=Gauge("autointel_parallel_tasks_count", "Most steps that overlapped in the last run",
                           registry=registry),
            memory=Gauge("autointel_memory_usage_bytes", "Process RSS at the end of the last run", registry=registry),
            runs=Counter("autointel_runs", "Runs by final status", ["status"], registry=registry),
            errors=Counter("autointel_errors", "Run errors by exception type", ["error_type"], registry=registry),
        )

    def observe_result(self, result: RunResult) -> None:
        """One RunResult; the memory gauge is read from this process now (the run just ended here)."""
        ends = [p.end_s for p in result.phases] + [s.end_s for s in result.steps]
        if ends:
            self.execution.labels(depth=result.depth).observe(max(ends))
        for phase in result.phases:
            self.phase.labels(phase=phase.name).observe(phase.wall_s)
        self.parallel.set(max_overlap((s.start_s, s.end_s) for s in result.steps))
        self.memory.set(psutil.Process().memory_info().rss)
        self.runs.labels(status=str(result.status.value)).inc()
        for error in result.errors:
            self.errors.labels(error_type=error.type).inc()

    def observe_sample(self, sample: RunSample) -> None:
        """One bench run (a results `samples` row); memory is that run's recorded peak RSS,
        since the process that ran it is gone."""
        self.execution.labels(depth=sample.depth or "unknown").observe(sample.e2e_s)
        for name, rec in sample.phases.items():
            self.phase.labels(phase=name).observe(float(rec["wall_s"]))
        self.parallel.set(max_overlap((float(s["start_s"]), float(s["end_s"])) for s in sample.steps))
        self.memory.set(float(sample.peak_rss_bytes or 0))
        self.runs.labels(status=sample.status or "unknown").inc()
        if sample.error:
            self.errors.labels(error_type=error_type(sample.error)).inc()


def error_type(message: str) -> str:
    """`"RuntimeError: boom"` -> `RuntimeError`; anything without a type-like prefix -> `error`."""
    match = re.match(r"\s*([A-Za-z_][\w.]*)\s*:", message)
    return match.group(1) if match else "error"


def metrics_from_result(result: RunResult, registry: CollectorRegistry) -> None:
    """Register the metrics on `registry` and record one run (for several runs use `Metrics`)."""
    Metrics.register(registry).observe_result(result)


def metrics_from_samples(samples: Sequence[RunSample], registry: CollectorRegistry) -> None:
    """A bench session's measured runs (diagnostic runs are left out: their overhead is not real)."""
    metrics = Metrics.register(registry)
    for sample in samples:
        if sample.purpose == "measure":
            metrics.observe_sample(sample)


def write_textfile(registry: CollectorRegistry, path: Path) -> None:
    """node-exporter textfile collector format; prometheus_client writes a temp file and renames it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    write_to_textfile(str(path), registry)


def _handler(registry_factory: Callable[[], CollectorRegistry]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path.split("?")[0] not in ("/metrics", "/"):
                self.send_error(404)
                return
            body = generate_latest(registry_factory())
            self.send_response(200)
            self.send_header("Content-Type", CONTENT_TYPE_LATEST)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:  # scrapes every few seconds: stay quiet
            return

    return Handler


class QuietServer(ThreadingHTTPServer):
    """A scraper that hangs up mid-response is routine, not an error: no traceback for it on stderr."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):  # BrokenPipe, ConnectionReset, ConnectionAborted
            return
        super().handle_error(request, client_address)


def serve(port: int, registry_factory: Callable[[], CollectorRegistry]) -> ThreadingHTTPServer:
    """Serve /metrics on 127.0.0.1 only (a fresh registry per scrape) from a daemon thread.

    Returns the server: `server.server_address[1]` is the bound port (pass 0 for any free one);
    call `server.shutdown()` then `server.server_close()` to stop it.
    """
    server = QuietServer((HOST, port), _handler(registry_factory))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="autointel-metrics", daemon=True).start()
    return server
