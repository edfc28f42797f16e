"""Persisting runs: raw_samples.jsonl lines to and from `RunSample` (defined in the model with its counting rules)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

from autointel.model.run_sample import PURPOSES, RunSample

__all__ = ["PURPOSES", "RunSample", "load_samples", "sample_from_dict", "sample_from_json", "sample_to_dict",
           "sample_to_json"]


def sample_to_dict(sample: RunSample) -> dict[str, Any]:
    return dataclasses.asdict(sample)


def sample_from_dict(data: dict[str, Any]) -> RunSample:
    """Rebuild a sample; unknown keys are ignored and missing optional ones take their defaults."""
    names = {f.name for f in dataclasses.fields(RunSample)}
    return RunSample(**{k: v for k, v in data.items() if k in names})


def sample_to_json(sample: RunSample) -> str:
    """One raw_samples.jsonl line, secrets redacted (error messages may quote a command or a URL)."""
    from autointel.measurement.redact import redact

    return json.dumps(redact(sample_to_dict(sample)), separators=(",", ":"), sort_keys=True, allow_nan=True)


def sample_from_json(text: str) -> RunSample:
    return sample_from_dict(json.loads(text))


def load_samples(path: Path) -> list[RunSample]:
    """Read a raw_samples.jsonl; a torn last line (session killed mid-write) is skipped, not fatal."""
    samples: list[RunSample] = []
    if not path.exists():
        return samples
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        try:
            samples.append(sample_from_json(line))
        except (json.JSONDecodeError, TypeError):
            continue
    return samples
