"""autointel's engines as a pipeline the harness benchmarks (`bench.pipeline.Pipeline`).

The target is called exactly as the CLI calls the engine, `target(source, settings, resources)`, with a fresh
`Settings` per run whose flags come from the cell's combination. A RunResult that is not `ok` is a failed run;
what the run proves about itself (flags, engine, the structure fingerprint of the plan, crew or flow it built,
a digest of its work) comes from `evidence`, its critical-path bound from `dag_bound`.
"""

from __future__ import annotations

import dataclasses
import importlib
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from autointel.bench.dag_bound import json_dicts, safe_critical_path_of, steps_with_deps
from autointel.bench.evidence import actual_fingerprint, digest_of, expected_fingerprint
from autointel.bench.measure import Diagnostics, RunSpec, measure
from autointel.bench.pipeline import Outcome, PhaseTime, PipelineRef, Run
from autointel.bench.samples import RunSample
from autointel.engines.resources import Resources
from autointel.measurement.rss import RSS_INTERVAL_S
from autointel.model import FlagsRecord, RunResult, Status, to_jsonable
from autointel.model.combo import Combo, FlagSpace
from autointel.settings import (
    AGENTIC_ENGINES,
    ALL_FLAG_ENV,
    AUTOINTEL_FLAGS,
    MASTER_FLAG_ENV,
    Depth,
    Flags,
    Settings,
    load_settings,
)

Target = Callable[[str, Settings, Resources | None], RunResult]
_PATH_FIELDS = {"data_dir", "evidence_dir"}


@dataclass(frozen=True)
class TargetRef:
    """An importable target (`module:attr`), so a fresh worker process can rebuild it."""

    path: str = "autointel.engines:run_engine"
    kwargs: Mapping[str, Any] = field(default_factory=dict)
    factory: bool = False  # call attr(**kwargs) to get the target

    def load(self) -> Target:
        module, _, attr = self.path.partition(":")
        obj = getattr(importlib.import_module(module), attr)
        target: Target = obj(**self.kwargs) if self.factory else obj
        return target


class AutointelPipeline:
    """The orchestrator (or a stand-in with its signature, such as `SyntheticTarget`) under `settings`.
    `resources`: models shared by every in-process run; `preload`: load models and the engine's imports in
    `prepare`, off the clock (what a worker process does for a session that shares models)."""

    def __init__(self, settings: Settings, target: Target | TargetRef | None = None,
                 resources: Resources | None = None, *, preload: bool = False) -> None:
        self.settings = settings
        self.resources = resources
        self._preload = preload
        self._owned: Resources | None = None
        self._models_dir: tempfile.TemporaryDirectory[str] | None = None
        self._target: Target | None = None
        self._ref: TargetRef | None = None
        if target is None or isinstance(target, TargetRef):
            self._ref = target or TargetRef()
        else:
            self._target = target
            make_ref: Callable[[], TargetRef] | None = getattr(target, "ref", None)
            self._ref = make_ref() if make_ref is not None else None

    @property
    def space(self) -> FlagSpace:
        return AUTOINTEL_FLAGS

    def settings_for(self, combo: Combo, engine: str, seed: int | None = None) -> Settings:
        """A fresh Settings per run from the session's base: nothing cached, so no flag can leak. `seed` draws
        the LLM profile's latencies (the same for every cell of an iteration)."""
        own = dataclasses.replace(self.settings, flags=Flags.from_combo(combo), engine=engine)
        return own if seed is None else dataclasses.replace(own, llm_seed=seed)

    def target(self) -> Target:
        if self._target is None:
            assert self._ref is not None
            self._target = self._ref.load()
        return self._target

    def prepare(self, source: str, combo: Combo, engine: str, seed: int) -> Run:
        settings = self.settings_for(combo, engine, seed)
        if self._preload:
            self._load_models(settings)
        return AutointelRun(self.target(), source, settings, self.resources or self._owned,
                            expected_fingerprint(settings))

    def _load_models(self, settings: Settings) -> None:
        """The models and the engine's imports (CrewAI too for its engines), as an in-process session that
        shares loaded models has them after its warmup, so e2e means the same in both modes."""
        from autointel.engines import scheduler_for

        if self._owned is None:
            self._models_dir = tempfile.TemporaryDirectory(prefix="autointel-models-")
            self._owned = Resources(dataclasses.replace(settings, data_dir=Path(self._models_dir.name)))
            self._owned.load_models()
        scheduler_for(settings.engine)  # the engine's imports (Qdrant's client, networkx)
        if settings.engine in AGENTIC_ENGINES:
            from autointel.engines.crewai_adapter.crew import preload_crewai

            preload_crewai(settings.data_dir)

    def close(self) -> None:
        if self._owned is not None:
            self._owned.close()
            self._owned = None
        if self._models_dir is not None:
            self._models_dir.cleanup()
            self._models_dir = None

    def describe(self) -> Mapping[str, Any]:
        """The settings; with a real LLM its name stands where the offline LLM's profile would (the report's
        header and the history key: a session on a real model is never compared with a profile's)."""
        fields = dict(settings_fields(self.settings))
        if self.settings.llm == "local":
            fields["llm_profile"] = f"local llama.cpp, {self.settings.llm_slots} slot(s)"
        elif self.settings.llm != "offline":
            fields["llm_profile"] = self.settings.llm
        return fields

    def ref(self) -> PipelineRef | None:
        """How a worker rebuilds this pipeline; flag variables are removed from its environment (the flags
        come from the cell), and it preloads models when this session shares them."""
        if self._ref is None:
            return None
        target = {"path": self._ref.path, "kwargs": dict(self._ref.kwargs), "factory": self._ref.factory}
        return PipelineRef("autointel.bench.autointel_pipeline:from_request",
                           {"target": target, "settings": settings_fields(self.settings),
                            "preload": self._preload or self.resources is not None},
                           unset=(*ALL_FLAG_ENV.values(), MASTER_FLAG_ENV))


def from_request(target: Mapping[str, Any], settings: Mapping[str, Any], preload: bool) -> AutointelPipeline:
    """Rebuild the pipeline in a worker process from `AutointelPipeline.ref`."""
    return AutointelPipeline(settings_from(settings), TargetRef(**target), preload=preload)


@dataclass
class AutointelRun:
    target: Target
    source: str
    settings: Settings
    resources: Resources | None
    expected: str

    def __call__(self) -> object:
        return self.target(self.source, self.settings, self.resources)

    def outcome(self, returned: object | None, error: str | None, e2e_s: float) -> Outcome:
        depth = self.settings.depth.value
        if returned is not None and not isinstance(returned, RunResult):
            error, returned = f"target returned {type(returned).__name__}, not RunResult", None
        if not isinstance(returned, RunResult):
            return Outcome(error=error, expected_structure=self.expected, depth=depth)
        result = returned
        if result.status is not Status.OK:
            details = "; ".join(f"{e.phase}: {e.type}: {e.message}" for e in result.errors) or "no error recorded"
            error = f"run status {result.status.value}: {details}"
        steps = steps_with_deps(result)
        crew_llm = (result.crew or {}).get("llm") or {}
        return Outcome(
            error=error, flags=combo_flags(result.flags), engine=result.engine,
            structure=actual_fingerprint(result), expected_structure=self.expected, digest=digest_of(result),
            phases=tuple(PhaseTime(p.name, p.start_s, p.wall_s, p.cpu_s) for p in result.phases),
            steps=tuple(steps),
            critical_path=safe_critical_path_of(result, steps, e2e_s) if error is None else None,
            llm_calls=_llm_calls(result, crew_llm),
            depth=depth,
        )


def _llm_calls(result: RunResult, crew_llm: object) -> tuple[dict[str, Any], ...]:
    """The calls that did the LLM's work: the written parts' when a model wrote (the agents' dispatch turns are
    then instant and say nothing), else the agents' turns or the pipeline's profile turns."""
    if result.writing is not None:
        return tuple({"task": c.part, "step": c.step, "start_s": c.start_s, "end_s": c.start_s + c.seconds,
                      "queued_s": c.queued_s, "latency_s": c.seconds, "prompt_tokens": c.prompt_tokens,
                      "completion_tokens": c.completion_tokens, "ok": c.ok, "slot": c.slot,
                      "prompt_s": c.prompt_s, "generate_s": c.generate_s, "server_s": c.server_s}
                     for c in result.writing.calls)
    if isinstance(crew_llm, dict):
        return tuple(json_dicts(to_jsonable(crew_llm.get("calls", []))))
    return ()


def combo_flags(record: FlagsRecord) -> dict[str, bool]:
    """A run's reported flags as the harness names them (`memory_ops`, ..., `streaming_transcription`)."""
    return Flags(**{n: bool(getattr(record, n)) for n in ALL_FLAG_ENV}).combo().values()


def measure_run(
    target: Target, source: str, settings: Settings, resources: Resources | None = None, *, spec: RunSpec,
    diagnostics: Diagnostics | None = None, rss_interval_s: float = RSS_INTERVAL_S, collect_garbage: bool = True,
    isolated: bool = False,
) -> RunSample:
    """One measured run of `target` under exactly `settings` (their flags, engine and LLM seed)."""
    run = AutointelRun(target, source, settings, resources, expected_fingerprint(settings))
    return measure(run, spec, settings.flags.combo().values(), diagnostics=diagnostics or Diagnostics(),
                   rss_interval_s=rss_interval_s, collect_garbage=collect_garbage, isolated=isolated)


def settings_fields(settings: Settings) -> dict[str, Any]:
    """Every Settings field except the flags (a cell sets its own), as JSON values."""
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


def settings_from(fields: Mapping[str, Any]) -> Settings:
    """`settings_fields` read back, validated the way the CLI validates settings (every flag off)."""
    values: dict[str, Any] = {k: Path(v) if k in _PATH_FIELDS and v is not None else v for k, v in fields.items()}
    if values.get("depth") is not None:
        values["depth"] = Depth(str(values["depth"]))
    return load_settings({}, **values)
