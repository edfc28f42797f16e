"""Natural-language inference at run time: does this evidence entail, leave open or contradict the claim?

Shared words and numbers cannot read meaning, so a small cross-encoder trained here
(`autointel.training.nli`) reads the evidence and the claim together. It ships as an int8 ONNX file and
runs with onnxruntime and the MiniLM tokenizer already in the package: no torch at run time. The model is
loaded once per process, on first use, and is safe to share between threads.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
import numpy.typing as npt
from tokenizers import Tokenizer

from autointel.memory.embeddings import cross_encoder_tokenizer

MODEL_FILE = "nli-minilm-int8.onnx"
LABELS = ("entailment", "neutral", "contradiction")
MAX_LEN = 128
BATCH = 16


@lru_cache(maxsize=1)
def tokenizer() -> Tokenizer:
    """The model's tokenizer (loaded once: a read-only constant of the shipped files)."""
    return cross_encoder_tokenizer(MAX_LEN)


class NLIModel:
    """Entailment / neutral / contradiction probabilities for (premise, hypothesis) pairs."""

    def __init__(self, path: Path | None = None, threads: int = 2) -> None:
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        source = str(path) if path is not None else str(_shipped_path())
        self._session = ort.InferenceSession(source, options, providers=["CPUExecutionProvider"])
        self._lock = threading.Lock()

    def score(self, pairs: Sequence[tuple[str, str]]) -> npt.NDArray[np.float64]:
        """One row of probabilities (in `LABELS` order) per (premise, hypothesis), batched."""
        out = np.zeros((len(pairs), len(LABELS)), dtype=np.float64)
        for lo in range(0, len(pairs), BATCH):
            out[lo:lo + BATCH] = self._batch(pairs[lo:lo + BATCH])
        return out

    def _batch(self, pairs: Sequence[tuple[str, str]]) -> npt.NDArray[np.float64]:
        encoded = tokenizer().encode_batch([(p, h) for p, h in pairs])
        width = max(len(e.ids) for e in encoded)
        ids = np.zeros((len(encoded), width), dtype=np.int64)
        types, mask = np.zeros_like(ids), np.zeros_like(ids)
        for row, e in enumerate(encoded):
            ids[row, :len(e.ids)], types[row, :len(e.ids)], mask[row, :len(e.ids)] = e.ids, e.type_ids, 1
        feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
        with self._lock:
            logits = np.asarray(self._session.run(["logits"], feed)[0], dtype=np.float64)
        p = np.exp(logits - logits.max(axis=1, keepdims=True))
        return p / p.sum(axis=1, keepdims=True)  # type: ignore[no-any-return]


def _shipped_path() -> Path:
    return Path(str(resources.files("autointel") / "data" / "models" / MODEL_FILE))

