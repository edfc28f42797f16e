"""Fine-tune all-MiniLM-L6-v2 as a sentence classifier over the fallacy types and "none", then ship it as int8 ONNX.

Training-time only (torch and transformers come from the `train` extra): the run is seeded, single-threaded
and deterministic so a retrain reproduces the shipped file's behaviour. Called by `autointel.training.fallacies`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from autointel.phases.analysis.fallacy_model import tokenizer
from autointel.training.torch_loop import base_model_dir, batches, export_int8, fit, padded

SEED = 27


@dataclass(frozen=True)
class Recipe:
    """The fine-tuning choices; `weight_power` 0 trains unweighted, 0.5 weights classes by inverse sqrt frequency."""

    epochs: int = 5
    batch: int = 16
    lr: float = 1e-4
    warmup: float = 0.1
    weight_power: float = 0.5


def class_weights(labels: Sequence[int], n: int, power: float) -> list[float]:
    """Inverse frequency to `power`, scaled so the average example keeps weight one."""
    counts = Counter(labels)
    raw = [(len(labels) / max(counts[k], 1)) ** power for k in range(n)]
    mean = sum(raw[y] for y in labels) / len(labels)
    return [w / mean for w in raw]


def fine_tune(texts: Sequence[str], labels: Sequence[str], classes: Sequence[str], recipe: Recipe) -> Any:
    """The fine-tuned torch model (sequence classification head over `classes`)."""
    import torch
    from transformers import AutoModelForSequenceClassification

    torch.set_num_threads(1)
    torch.manual_seed(SEED)
    torch.use_deterministic_algorithms(True)
    ids = [e.ids for e in tokenizer().encode_batch(list(texts))]
    y = [classes.index(label) for label in labels]
    model = AutoModelForSequenceClassification.from_pretrained(
        base_model_dir(), num_labels=len(classes), id2label=dict(enumerate(classes)),
        label2id={k: i for i, k in enumerate(classes)})
    loss_fn = torch.nn.CrossEntropyLoss(weight=torch.tensor(class_weights(y, len(classes), recipe.weight_power)))
    def loss_of(rows: list[int]) -> Any:
        return loss_fn(model(**padded(ids, rows)).logits, torch.tensor([y[r] for r in rows]))

    lengths = [len(i) for i in ids]
    fit(model, loss_of, lambda rng: batches(lengths, recipe.batch, rng, chunk=20), rows=len(ids),
        batch=recipe.batch, epochs=recipe.epochs, lr=recipe.lr, warmup=recipe.warmup, seed=SEED, log_every=100)
    return model


def export(model: Any, out: Path) -> None:
    """The shipped int8 ONNX file, traced on one example sentence."""
    export_int8(model, padded([tokenizer().encode("Everyone does it, so it is fine.").ids], [0]), out)
