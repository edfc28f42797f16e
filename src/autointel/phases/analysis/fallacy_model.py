"""The trained fallacy classifier at run time: a fine-tuned MiniLM sentence classifier in int8 ONNX.

Reading the whole sentence lets it recognise a fallacy however it is worded, where a linear model over a frozen
embedding mostly saw topic. It runs with onnxruntime and the MiniLM tokenizer already in the package (no torch at
run time), is loaded once per process on first use and is shared read-only between threads. "none" is a class of
its own, trained on ordinary real sentences; a sentence is scored by its most likely type against "none" alone
(mass spread over other fallacy types says the type is unsure, not that the sentence is innocent). The logit
temperature and the threshold on that score are fitted on a dev split (`python -m autointel.training.fallacies`).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from tokenizers import Tokenizer

from autointel.memory.embeddings import cross_encoder_tokenizer

NONE = "none"
MODEL_FILE = "fallacies.onnx"
META_FILE = "fallacies.json"
MAX_LEN = 128
Matrix = npt.NDArray[np.float32]


@lru_cache(maxsize=1)
def tokenizer() -> Tokenizer:
    """The model's tokenizer (loaded once: a read-only constant of the shipped files)."""
    return cross_encoder_tokenizer(MAX_LEN)


@dataclass(frozen=True)
class Calibration:
    """What the dev split fixed after training: the class order, the logit temperature and the threshold."""

    classes: tuple[str, ...]
    temperature: float
    threshold: float  # flag a sentence when P(top type) / (P(top type) + P(none)) reaches this

    @classmethod
    def read(cls, path: Path) -> Calibration:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return cls(tuple(data["classes"]), float(data["temperature"]), float(data["threshold"]))

    def write(self, path: Path) -> None:
        data = {"classes": list(self.classes), "temperature": self.temperature, "threshold": self.threshold}
        path.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")


class FallacyClassifier:
    """Calibrated class probabilities per sentence from the shipped (or a given) ONNX file."""

    def __init__(self, model: Path, calibration: Calibration, threads: int = 2) -> None:
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")  # leave the decoder its CPU
        self._session = ort.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])
        self._lock = threading.Lock()
        self.calibration = calibration

    @classmethod
    def load(cls) -> FallacyClassifier:
        """The shipped model (`Resources` loads it once per run's models, inside the fallacy constants)."""
        folder = Path(str(resources.files("autointel") / "data" / "models"))
        return cls(folder / MODEL_FILE, Calibration.read(folder / META_FILE))

    @property
    def classes(self) -> tuple[str, ...]:
        return self.calibration.classes

    @property
    def threshold(self) -> float:
        return self.calibration.threshold

    def logits(self, texts: Sequence[str]) -> Matrix:
        """Raw logits, one row per text, each text run alone.

        The int8 model quantises activations with one scale per call, so a sentence batched with others (and
        their padding) scores differently than alone; one sentence per call keeps a verdict independent of its
        neighbours, and costs little because nothing is padded. Tokenisation is batched.
        """
        encoded = tokenizer().encode_batch([t if t.strip() else "." for t in texts])
        out = np.zeros((len(texts), len(self.classes)), dtype=np.float32)
        for row, e in enumerate(encoded):
            out[row] = self._run(e.ids)
        return out

    def probabilities(self, texts: Sequence[str]) -> Matrix:
        """Temperature-calibrated softmax over the classes, one row per text."""
        return softmax(self.logits(texts) / self.calibration.temperature)

    def best(self, row: Matrix) -> tuple[str, float]:
        """The most probable fallacy type of one row and P(type | type or none), the detector's confidence."""
        none = self.classes.index(NONE)
        top = max((i for i in range(len(self.classes)) if i != none), key=lambda i: float(row[i]))
        return self.classes[top], float(row[top] / max(float(row[top] + row[none]), 1e-12))

    def _run(self, token_ids: Sequence[int]) -> Matrix:
        ids = np.asarray([token_ids], dtype=np.int64)
        feed = {"input_ids": ids, "attention_mask": np.ones_like(ids), "token_type_ids": np.zeros_like(ids)}
        with self._lock:  # one inference at a time: each already uses the session's threads
            return np.asarray(self._session.run(["logits"], feed)[0][0], dtype=np.float32)


def softmax(logits: Matrix) -> Matrix:
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    return np.asarray(shifted / shifted.sum(axis=1, keepdims=True), dtype=np.float32)
