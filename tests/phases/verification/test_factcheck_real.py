"""Fact-checking on public data: the numbers reader, the same-subject gate and the shipped model."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from autointel.memory.embeddings import MiniLMEmbedder
from autointel.model import Claim, Evidence, Verdict
from autointel.phases.verification.decision import load_model
from autointel.phases.verification.factcheck import check_claim
from autointel.phases.verification.features import FEATURES
from autointel.phases.verification.nli import NLIModel
from autointel.phases.verification.numbers import quantities, relation, units_compatible
from tests.helpers import DATASETS

DATASET = DATASETS / "vitaminc_sample"


def test_ordinals_are_not_quantities_of_another_kind() -> None:
    century, count = quantities("the 20th-century record")[0], quantities("21 records")[0]
    assert century.kind == "ordinal" and century.unit == "century"
    assert not units_compatible(century, count)
    assert quantities("COVID-19 spread") == ()


def test_bounds_ranges_and_points() -> None:
    q = quantities
    assert relation(q("more than 540,000 people")[0], q("545,500 people")[0]) == "agree"
    assert relation(q("less than 50 %")[0], q("50 %")[0]) == "conflict"
    assert relation(q("fewer than 4,800 deaths")[0], q("more than 4,700 deaths")[0]) == "overlap"
    assert relation(q("about 400 cases")[0], q("410 cases")[0]) == "agree"
    assert relation(q("100 %")[0], q("97 %")[0]) == "conflict"
    span = q("between 10 and 20 percent")[0]
    assert (span.kind, span.value, span.high) == ("percent", 10.0, 20.0)
    assert relation(span, q("15 percent")[0]) == "agree"
    assert q("rose 3 percentage points")[0].kind == "points"
    assert relation(q("founded before 1998")[0], q("in 1998")[0]) == "conflict"


def test_model_file_matches_features() -> None:
    model = load_model()
    p = model.probabilities(tuple(0.5 for _ in FEATURES))
    assert set(p) == set(Verdict) and abs(sum(p.values()) - 1.0) < 1e-9
    assert 0.5 <= model.thresholds[Verdict.SUPPORTED] < 1.0


@pytest.fixture(scope="module")
def embedder() -> Iterator[MiniLMEmbedder]:
    yield MiniLMEmbedder()


def test_unrelated_evidence_and_negation_never_support(embedder: MiniLMEmbedder, nli: NLIModel) -> None:
    passages = [Evidence("Black Canary was launched in 1996 and became a cigarette brand.", "a.txt", 0.6)]
    other = check_claim(Claim("The Eiffel Tower opened in 1889.", 0.0, ()), lambda _q, _k: passages, embedder, nli)
    assert other.verdict is Verdict.UNVERIFIABLE
    negated = [Evidence("2015 was not even close to the hottest year on record.", "b.txt", 0.8)]
    got = check_claim(Claim("2015 was the hottest year on record.", 0.0, ()), lambda _q, _k: negated, embedder, nli)
    assert got.verdict is not Verdict.SUPPORTED
    assert 0.0 <= got.confidence <= 1.0 and "\n" not in got.rationale


def test_dataset_splits_are_disjoint_and_labelled() -> None:
    splits = {n: [json.loads(x) for x in (DATASET / f"{n}.jsonl").read_text().splitlines()]
              for n in ("train", "dev", "test")}
    assert [len(v) for v in splits.values()] == [200, 100, 100]
    claims = [{r["claim"] for r in v} for v in splits.values()]
    assert not (claims[0] & claims[1] or claims[0] & claims[2] or claims[1] & claims[2])
    assert {r["label"] for v in splits.values() for r in v} == {"supported", "contradicted", "unverifiable"}
