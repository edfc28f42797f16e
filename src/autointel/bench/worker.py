"""Process isolation: one sample per fresh interpreter, so peak RSS and cold costs are honest.

Protocol: the parent writes one JSON request on the worker's stdin (target ref, source, settings
fields without flags, the flags as environment variables, run spec, diagnostics); the worker builds
its Settings from that environment exactly like the CLI does, measures one run and writes one JSON
RunSample as the last line of stdout. Anything the target prints goes to stderr, so it cannot corrupt
the protocol. A worker that dies, times out or answers garbage becomes a failed sample in the parent.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from autointel.bench.measure import Diagnostics, RunSpec, TargetRef, failed_sample, measure_run
from autointel.bench.samples import RunSample, sample_from_json, sample_to_json
from autointel.settings import AGENTIC_ENGINES, FLAG_ENV, MASTER_FLAG_ENV, Depth, Settings, load_settings

_PATH_FIELDS = {"data_dir", "evidence_dir"}


def settings_fields(settings: Settings) -> dict[str, Any]:
    """Every Settings field except the flags (those travel as environment variables)."""
    out: dict[str, Any] = {}
    for f in dataclasses.fields(Settings):
        if f.name == "flags":
            continue
        value = getattr(settings, f.name)
        if isinstance(value, Depth):
            value = value.value
        elif isinstance(value, Path):
            value = str(value)
        out[f.name] = value
    return out


def settings_from(fields: dict[str, Any], flags_env: dict[str, str]) -> Settings:
    values: dict[str, Any] = {
        k: Path(v) if k in _PATH_FIELDS and v is not None else v for k, v in fields.items()
    }
    if values.get("depth") is not None:
        values["depth"] = Depth(str(values["depth"]))
    return load_settings(dict(flags_env), **values)


def build_request(
    ref: TargetRef,
    source: str,
    settings: Settings,
    spec: RunSpec,
    diagnostics: Diagnostics,
    rss_interval_s: float,
    preload_models: bool = False,
) -> dict[str, Any]:
    return {
        "preload_models": preload_models,
        "target": {"path": ref.path, "kwargs": dict(ref.kwargs), "factory": ref.factory},
        "source": source,
        "settings": settings_fields(settings),
        "flags_env": settings.flags.env(),
        "spec": dataclasses.asdict(spec),
        "diagnostics": dataclasses.asdict(diagnostics),
        "rss_interval_s": rss_interval_s,
    }


def worker_env(flags_env: dict[str, str]) -> dict[str, str]:
    """The parent's environment minus any flag variable, plus exactly the requested flags."""
    env = {k: v for k, v in os.environ.items() if k not in FLAG_ENV.values() and k != MASTER_FLAG_ENV}
    env.update(flags_env)
    return env


def measure_in_subprocess(
    ref: TargetRef,
    source: str,
    settings: Settings,
    spec: RunSpec,
    diagnostics: Diagnostics | None = None,
    timeout_s: float = 3600.0,
    rss_interval_s: float = 0.015,
    preload_models: bool = False,
) -> RunSample:
    """`preload_models`: the worker loads the models and imports the engine (CrewAI too for its engines)
    before the clock starts, as an in-process session that shares loaded models has after its warmup, so e2e
    means the same in both modes (peak RSS still holds the models and modules)."""
    request = build_request(ref, source, settings, spec, diagnostics or Diagnostics(), rss_interval_s,
                            preload_models)
    t0 = time.perf_counter()
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "autointel.bench.worker"],
            input=json.dumps(request), capture_output=True, text=True, timeout=timeout_s,
            env=worker_env(request["flags_env"]), check=False,
        )
    except subprocess.TimeoutExpired:
        return failed_sample(settings, spec, f"worker timed out after {timeout_s:.0f} s",
                             time.perf_counter() - t0, isolated=True)
    elapsed = time.perf_counter() - t0
    lines = [line for line in proc.stdout.splitlines() if line.strip()]
    if proc.returncode == 0 and lines:
        try:
            return sample_from_json(lines[-1])
        except (json.JSONDecodeError, TypeError) as exc:
            return failed_sample(settings, spec, f"worker answered garbage: {exc}", elapsed, isolated=True)
    tail = proc.stderr.strip()[-2000:]
    return failed_sample(settings, spec, f"worker exited with code {proc.returncode}: {tail}", elapsed,
                         isolated=True)


def run_request(request: dict[str, Any]) -> RunSample:
    target = TargetRef(**request["target"]).load()
    settings = settings_from(request["settings"], request["flags_env"])
    with tempfile.TemporaryDirectory(prefix="autointel-models-") as models_dir:
        models = None
        if request.get("preload_models"):
            from autointel.engines import scheduler_for
            from autointel.engines.resources import Resources

            models = Resources(dataclasses.replace(settings, data_dir=Path(models_dir)))
            models.load_models()
            scheduler_for(settings.engine)  # the engine's imports (Qdrant's client, networkx), off the clock
            if settings.engine in AGENTIC_ENGINES:  # an in-process session imported CrewAI in its warmup
                from autointel.engines.crewai_adapter.crew import preload_crewai

                preload_crewai(settings.data_dir)
        try:
            return measure_run(
                target, request["source"], settings, models,
                spec=RunSpec(**request["spec"]), diagnostics=Diagnostics(**request["diagnostics"]),
                rss_interval_s=float(request["rss_interval_s"]), isolated=True,
            )
        finally:
            if models is not None:
                models.close()


def main() -> int:
    request = json.loads(sys.stdin.read())
    protocol = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)  # whatever the target prints lands on stderr
    sys.stdout = sys.stderr
    sample = run_request(request)
    protocol.write(sample_to_json(sample) + "\n")
    protocol.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
