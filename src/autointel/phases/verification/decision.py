"""The learned verdict layer: logistic-regression coefficients stored as JSON, applied with numpy.

Training needs scikit-learn (a dev dependency) but running does not, so `python -m
autointel.training.factcheck` writes plain coefficients, feature scaling, a calibration temperature,
the decisive-verdict thresholds and the same-subject gate, and this module only reads them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np

from autointel.model import Verdict
from autointel.phases.verification.features import FEATURES

MODEL_FILE = "factcheck.json"


@dataclass(frozen=True)
class FactModel:
    """A multinomial logistic model over `FEATURES` plus the thresholds that turn it into verdicts."""

    classes: tuple[Verdict, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[tuple[float, ...], ...]
    intercept: tuple[float, ...]
    temperature: float
    thresholds: dict[Verdict, float]
    gate: float

    def probabilities(self, vector: tuple[float, ...]) -> dict[Verdict, float]:
        """Calibrated probability of each verdict for one feature vector."""
        x = (np.asarray(vector, dtype=np.float64) - np.asarray(self.mean)) / np.asarray(self.scale)
        logits = (np.asarray(self.coef) @ x + np.asarray(self.intercept)) / self.temperature
        p = np.exp(logits - logits.max())
        p /= p.sum()
        return {c: float(v) for c, v in zip(self.classes, p, strict=True)}


def model_from_dict(raw: dict[str, Any]) -> FactModel:
    """Parse the stored JSON; refuses a file trained on other features."""
    if tuple(raw["features"]) != FEATURES:
        raise ValueError(f"{MODEL_FILE} was trained on features {raw['features']}, code has {list(FEATURES)}")
    return FactModel(
        classes=tuple(Verdict(c) for c in raw["classes"]),
        mean=tuple(raw["mean"]),
        scale=tuple(raw["scale"]),
        coef=tuple(tuple(row) for row in raw["coef"]),
        intercept=tuple(raw["intercept"]),
        temperature=float(raw["temperature"]),
        thresholds={Verdict(k): float(v) for k, v in raw["thresholds"].items()},
        gate=float(raw["gate"]),
    )


@lru_cache(maxsize=1)
def load_model() -> FactModel:
    """The shipped model, read from its file: callers checking many claims load it once and pass it on."""
    text = (resources.files("autointel") / "data" / "models" / MODEL_FILE).read_text(encoding="utf-8")
    return model_from_dict(json.loads(text))
