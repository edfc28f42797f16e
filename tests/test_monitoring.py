"""Metrics come from one registry per use, parse as Prometheus text, are served on loopback only,
and the alert rules load (and fire when they should) in promtool."""

from __future__ import annotations

import shutil
import subprocess
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from prometheus_client import REGISTRY, CollectorRegistry
from prometheus_client.parser import text_string_to_metric_families

from autointel.bench.synthetic import SyntheticTarget
from autointel.model import RunResult
from autointel.model.run_sample import RunSample
from autointel.monitoring import HOST, max_overlap, metrics_from_result, metrics_from_samples, serve, write_textfile
from autointel.settings import Depth, Flags, load_settings
from tests.helpers import ROOT

ALERTS = ROOT / "monitoring" / "alerts.yml"
PROMTOOL = shutil.which("promtool")


def run_result(tmp_path: Path, **knobs: Any) -> RunResult:
    """A real-looking RunResult: the real comprehensive plan with every flag on, steps that sleep."""
    settings = load_settings({}, depth=Depth.COMPREHENSIVE, data_dir=tmp_path / "data").with_flags(
        Flags(parallel_memory_ops=True, parallel_analysis=True, parallel_fact_checking=True))
    return SyntheticTarget(seed=1, **knobs)("talk", settings, None)


def samples(registry: CollectorRegistry) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {(s.name, tuple(sorted(s.labels.items()))): s.value for m in registry.collect() for s in m.samples}


def test_max_overlap_counts_concurrent_spans() -> None:
    assert max_overlap([]) == 0
    assert max_overlap([(0.0, 1.0), (1.0, 2.0)]) == 1  # back to back is not parallel
    assert max_overlap([(0.0, 2.0), (0.5, 3.0), (1.0, 1.5), (2.5, 4.0)]) == 3
    assert max_overlap([(0.0, 1.0), (0.5, 0.5)]) == 1  # a skipped (zero-length) step never counts


def test_metrics_from_result(tmp_path: Path) -> None:
    result = run_result(tmp_path)
    registry = CollectorRegistry()
    metrics_from_result(result, registry)
    got = samples(registry)
    names = {name for name, _ in got}
    assert {"autointel_execution_duration_seconds_count", "autointel_phase_duration_seconds_count",
            "autointel_parallel_tasks_count", "autointel_memory_usage_bytes", "autointel_runs_total"} <= names
    assert got[("autointel_execution_duration_seconds_count", (("depth", "comprehensive"),))] == 1
    phases = {dict(labels)["phase"] for name, labels in got if name == "autointel_phase_duration_seconds_count"}
    assert phases == {p.name for p in result.phases}
    expected = max_overlap((s.start_s, s.end_s) for s in result.steps)
    assert got[("autointel_parallel_tasks_count", ())] == expected >= 3  # the flags really overlap steps
    assert got[("autointel_memory_usage_bytes", ())] > 10 * 2**20
    assert got[("autointel_runs_total", (("status", "ok"),))] == 1
    assert not any(name.startswith("autointel_") for m in REGISTRY.collect() for name in [m.name])

    partial = CollectorRegistry()
    metrics_from_result(run_result(tmp_path, partial_combos=["all"]), partial)
    got = samples(partial)
    assert got[("autointel_runs_total", (("status", "partial"),))] == 1
    assert got[("autointel_errors_total", (("error_type", "RuntimeError"),))] == 1


def test_textfile_parses_as_prometheus_text(tmp_path: Path) -> None:
    registry = CollectorRegistry()
    metrics_from_result(run_result(tmp_path), registry)
    path = tmp_path / "textfile" / "autointel.prom"
    write_textfile(registry, path)
    families = {f.name: f for f in text_string_to_metric_families(path.read_text())}
    assert {"autointel_execution_duration_seconds", "autointel_phase_duration_seconds",
            "autointel_parallel_tasks_count", "autointel_memory_usage_bytes", "autointel_runs",
            "autointel_errors"} <= set(families)
    assert families["autointel_execution_duration_seconds"].type == "histogram"
    assert any(s.labels.get("le") == "720.0" for s in families["autointel_execution_duration_seconds"].samples)
    assert [p.name for p in path.parent.iterdir()] == ["autointel.prom"]  # no temp file left behind


def run_sample(order: int, **fields: Any) -> RunSample:
    """One recorded bench run; `fields` set what the test is about."""
    values: dict[str, Any] = {
        "run_id": "r", "combo": "baseline", "engine": "pipeline", "iteration": order, "warmup": False,
        "order": order, "flags_requested": {}, "flags_reported": {}, "fingerprint_expected": "f",
        "fingerprint_actual": "f", "valid": True, "invalid_reason": None, "status": "ok", "error": None,
        "digest": {}, "e2e_s": 1.0, "cpu_process_s": 0.5, "peak_rss_bytes": 0, "rss_before_bytes": 0,
        "phases": {}, "steps": [], "llm_calls": [], "depth": "standard",
    }
    return RunSample(**{**values, **fields})


def test_metrics_from_bench_samples(tmp_path: Path) -> None:
    runs = [run_sample(0, e2e_s=1.5, peak_rss_bytes=2048, phases={"acquisition": {"wall_s": 0.5}},
                       steps=[{"start_s": 0.0, "end_s": 1.0}, {"start_s": 0.5, "end_s": 2.0}]),
            run_sample(1, e2e_s=0.1, status="failed", error="RuntimeError: planted crash"),
            run_sample(2, e2e_s=9.0, purpose="memray")]
    registry = CollectorRegistry()
    metrics_from_samples(runs, registry)
    got = samples(registry)
    assert got[("autointel_execution_duration_seconds_count", (("depth", "standard"),))] == 2  # memray run left out
    assert got[("autointel_execution_duration_seconds_sum", (("depth", "standard"),))] == pytest.approx(1.6)
    assert got[("autointel_phase_duration_seconds_sum", (("phase", "acquisition"),))] == 0.5
    assert got[("autointel_runs_total", (("status", "failed"),))] == 1
    assert got[("autointel_runs_total", (("status", "ok"),))] == 1
    assert got[("autointel_errors_total", (("error_type", "RuntimeError"),))] == 1


def test_serve_answers_on_loopback_only(tmp_path: Path) -> None:
    calls = []

    def factory() -> CollectorRegistry:
        calls.append(1)
        registry = CollectorRegistry()
        metrics_from_result(run_result(tmp_path), registry)
        return registry

    server = serve(0, factory)
    try:
        host, port = server.server_address[:2]
        assert host == HOST == "127.0.0.1"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as response:
            assert response.status == 200
            body = response.read().decode()
        assert "autointel_runs_total" in body and "text/plain" in response.headers["Content-Type"]
        assert {f.name for f in text_string_to_metric_families(body)} >= {"autointel_runs", "autointel_errors"}
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(f"http://127.0.0.1:{port}/other", timeout=10)
        assert calls == [1]  # a fresh registry per scrape
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.skipif(PROMTOOL is None, reason="promtool is not installed (apt-get install prometheus)")
def test_alert_rules_pass_promtool(tmp_path: Path) -> None:
    assert PROMTOOL is not None
    check = subprocess.run([PROMTOOL, "check", "rules", str(ALERTS)], capture_output=True, text=True, timeout=60)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "2 rules found" in check.stdout
    unit = tmp_path / "alerts_test.yml"
    unit.write_text(UNIT_TEST.replace("ALERTS", str(ALERTS)))
    test = subprocess.run([PROMTOOL, "test", "rules", str(unit)], capture_output=True, text=True, timeout=60)
    assert test.returncode == 0, test.stdout + test.stderr


# Slow runs (every run in the 720-900 s bucket) and 10% errors per run fire both alerts; fast runs
# (all <= 720 s) and no errors fire neither.
UNIT_TEST = """
rule_files: [ALERTS]
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
      - {series: 'autointel_execution_duration_seconds_bucket{depth="experimental",le="720"}', values: '0+0x40'}
      - {series: 'autointel_execution_duration_seconds_bucket{depth="experimental",le="900"}', values: '0+1x40'}
      - {series: 'autointel_execution_duration_seconds_bucket{depth="experimental",le="+Inf"}', values: '0+1x40'}
      - {series: 'autointel_runs_total{status="ok"}', values: '0+10x40'}
      - {series: 'autointel_errors_total{error_type="RuntimeError"}', values: '0+1x40'}
    alert_rule_test:
      - eval_time: 30m
        alertname: AutointelSlowExecution
        exp_alerts:
          - exp_labels: {severity: warning}
            exp_annotations:
              summary: "autointel experimental runs are slow (p95 14m 51s)"
              description: "p95 execution time at depth=experimental has exceeded 720 s over the last 15 minutes."
      - eval_time: 30m
        alertname: AutointelHighErrorRate
        exp_alerts:
          - exp_labels: {severity: critical}
            exp_annotations:
              summary: "autointel error rate 10% over 5 minutes"
              description: "More than 5% errors per run (autointel_errors_total / autointel_runs_total) in 5 minutes."
  - interval: 1m
    input_series:
      - {series: 'autointel_execution_duration_seconds_bucket{depth="experimental",le="720"}', values: '0+1x40'}
      - {series: 'autointel_execution_duration_seconds_bucket{depth="experimental",le="+Inf"}', values: '0+1x40'}
      - {series: 'autointel_runs_total{status="ok"}', values: '0+10x40'}
      - {series: 'autointel_errors_total{error_type="RuntimeError"}', values: '0+0x40'}
    alert_rule_test:
      - {eval_time: 30m, alertname: AutointelSlowExecution, exp_alerts: []}
      - {eval_time: 30m, alertname: AutointelHighErrorRate, exp_alerts: []}
"""
