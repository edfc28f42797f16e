"""The fine-tuned fallacy classifier: the shipped ONNX file loads once, ranks fallacies above plain text."""

from __future__ import annotations

import json
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

from autointel.memory.chunking import split_sentences
from autointel.memory.embeddings import MiniLMEmbedder
from autointel.phases.analysis.fallacies import EXPLANATIONS, FALLACY_TYPES, FallacyDetector, FallacyModel, Verdict
from autointel.phases.analysis.fallacy_model import MODEL_FILE, NONE, FallacyClassifier
from autointel.phases.text import Sentence
from autointel.training.fallacies import FP_BUDGET, Scores, score, tune_threshold, units
from tests.helpers import DATASETS

AD_HOMINEM = "You're too stupid to understand economics, so your opinion doesn't count."
PLAIN = "The bridge opened to traffic in 1932 after four years of construction."


@pytest.fixture(scope="module")
def embedder() -> Iterator[MiniLMEmbedder]:
    yield MiniLMEmbedder()


@pytest.fixture(scope="module")
def detector(embedder: MiniLMEmbedder) -> FallacyDetector:
    return FallacyDetector(embedder, FallacyModel.embedded(embedder))


def dev_rows(name: str) -> list[dict[str, str]]:
    lines = (DATASETS / name / "dev.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def sentences(*texts: str) -> list[Sentence]:
    return [Sentence(t, float(i), float(i + 1)) for i, t in enumerate(texts)]


@pytest.fixture(scope="module")
def classifier() -> FallacyClassifier:
    return FallacyClassifier.load()


def test_shipped_model_matches_fallacy_types(classifier: FallacyClassifier) -> None:
    model = classifier
    assert NONE in model.classes and set(model.classes) - {NONE} <= set(FALLACY_TYPES)
    assert 0.0 < model.threshold < 1.0 and model.calibration.temperature > 0.0
    assert all(kind in EXPLANATIONS for kind in FALLACY_TYPES)
    path = Path(str(resources.files("autointel") / "data" / "models" / MODEL_FILE))
    assert path.stat().st_size < 30 * 2**20


def test_ranks_an_obvious_ad_hominem_above_a_plain_sentence(classifier: FallacyClassifier) -> None:
    model = classifier
    probs = model.probabilities([PLAIN, AD_HOMINEM])
    assert probs.shape == (2, len(model.classes))
    assert np.allclose(probs.sum(axis=1), 1.0, atol=1e-5)
    plain, attack = (model.best(row) for row in probs)
    assert attack[0] == "ad_hominem" and attack[1] >= model.threshold > plain[1]


def test_batching_does_not_change_probabilities(classifier: FallacyClassifier) -> None:
    model = classifier
    texts = [PLAIN, AD_HOMINEM, "Everyone is buying one, so it must be good.", "Short."]
    together = model.probabilities(texts)
    alone = np.vstack([model.probabilities([t]) for t in texts])
    assert np.allclose(together, alone, atol=1e-4)


def test_flags_public_fallacies_beyond_cue_phrases(detector: FallacyDetector) -> None:
    """Fallacious samples of the bundled public dev splits: many are caught, mostly by the classifier."""
    rows = [r for name in ("argotario_fallacies", "reddit_fallacies") for r in dev_rows(name)[:60]
            if r["label"] != NONE]
    caught = right = by_model = 0
    for r in rows:
        found = detector.detect(sentences(*split_sentences(r["text"])))
        if found:
            best = max(found, key=lambda f: f.confidence)
            caught += 1
            right += best.type == r["label"]
            by_model += "in the training data" in best.explanation
    assert caught >= 0.4 * len(rows), (caught, len(rows))
    assert right >= 0.6 * caught, (right, caught)
    assert by_model >= 0.5 * caught, (by_model, caught)


def test_quiet_on_plain_sentences(detector: FallacyDetector) -> None:
    plain = ("The council meets on the second Tuesday of every month.",
             "Rainfall in the region was twelve percent below the long-term average.",
             "The library extended its opening hours to nine in the evening.",
             "She studied chemistry in Lyon before moving to Toronto in 2015.", PLAIN)
    assert detector.detect(sentences(*plain)) == ()


def test_neutral_dev_sentences_rarely_flagged(detector: FallacyDetector) -> None:
    """The bundled public neutral dev split (the threshold's tuning set) stays within the false-positive budget."""
    rows = dev_rows("neutral_sentences")
    found = detector.detect(sentences(*(r["text"] for r in rows)))
    assert len(found) <= FP_BUDGET * len(rows), [f.quote for f in found]


def test_one_fallacy_at_most_per_sentence_and_confidence_is_the_probability(detector: FallacyDetector) -> None:
    """No cue fires on the attack, so its confidence is the classifier's calibrated probability."""
    talk = sentences(PLAIN, AD_HOMINEM, AD_HOMINEM)
    found = detector.detect(talk)
    assert [f.start_s for f in found] == [1.0, 2.0]
    verdict = detector.judge(talk)[1]
    assert found[0].confidence == round(verdict.probability, 3)


def test_units_give_every_sentence_its_sample_label() -> None:
    texts, labels = units([{"text": "One sentence here. Another one there.", "label": "bandwagon"}])
    assert texts == ["One sentence here.", "Another one there."] and labels == ["bandwagon"] * 2


def test_threshold_and_scores() -> None:
    neutral = [[Verdict("bandwagon", i / 1000, "", 0.0, "")] for i in range(1000)]
    threshold = tune_threshold(neutral, frozenset())
    flagged = sum(vs[0].probability >= threshold for vs in neutral)
    assert flagged <= FP_BUDGET * len(neutral) < flagged + 2  # the lowest threshold within the budget
    got = score(["bandwagon", NONE, "slippery_slope", NONE], ["bandwagon", "bandwagon", NONE, NONE], [True, False])
    assert got == Scores(detection=0.5, macro_f1=0.667, neutral_fp=0.5, none_fp=0.5, per_type={"bandwagon": 0.667})


def test_a_given_classifier_is_the_one_used(embedder: MiniLMEmbedder, classifier: FallacyClassifier) -> None:
    model = FallacyModel.embedded(embedder, classifier)
    assert model.classifier is classifier
