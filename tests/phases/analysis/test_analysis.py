"""Analysis phase: sentence splitting, summary, themes, sentiment, fallacies, perspectives, entities."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from autointel.memory.embeddings import MiniLMEmbedder
from autointel.model import Segment, Transcript
from autointel.phases.analysis import (
    FALLACY_TYPES,
    FallacyDetector,
    analyze,
    analyze_sentiment,
    detect_fallacies,
    extract_entities,
    extract_themes,
    summarize,
    synthesize_perspectives,
)
from autointel.phases.evaluation import FallacyCounts, fallacy_counts, fallacy_scores, load_labels, script_transcript
from autointel.phases.text import Sentence, split_sentences
from tests.helpers import FIXTURES


@pytest.fixture(scope="module")
def embedder() -> Iterator[MiniLMEmbedder]:
    yield MiniLMEmbedder()


@pytest.fixture(scope="module")
def detector(embedder: MiniLMEmbedder) -> FallacyDetector:
    return FallacyDetector(embedder)


def script_path(name: str) -> Path:
    """labels.json names scripts relative to the repository (or to fixtures/)."""
    for base in (FIXTURES.parent, FIXTURES):
        if (base / name).exists():
            return base / name
    return FIXTURES / "scripts" / Path(name).name


def sentences(*texts: str) -> tuple[Sentence, ...]:
    return tuple(Sentence(t, float(i), float(i) + 1) for i, t in enumerate(texts))


def transcript(*segments: tuple[float, float, str]) -> Transcript:
    segs = tuple(Segment(a, b, t) for a, b, t in segments)
    return Transcript(" ".join(s.text for s in segs), segs, "en", 1.0)


TWO_TOPICS = sentences(
    "The city budget grew by ten percent, mostly because of higher road maintenance costs.",
    "Property taxes will rise next year to pay for the budget shortfall.",
    "The council wants to cut spending on administration to balance the budget.",
    "Our schools need more teachers because classrooms are overcrowded.",
    "Students in crowded classrooms learn less and teachers burn out.",
    "Hiring forty new teachers would reduce average class size to twenty two students.",
    "Thank you.",
)


# --- sentence splitting -------------------------------------------------------------------------


def test_split_sentences_handles_decimals_abbreviations_and_times() -> None:
    t = transcript((0.0, 10.0, " Dr. Smith said growth was 3.5 percent in the U.S. last year. It was"),
                   (10.0, 20.0, " a good year! was it? yes."))
    got = split_sentences(t)
    assert [s.text for s in got] == [
        "Dr. Smith said growth was 3.5 percent in the U.S. last year.", "It was a good year!", "was it?", "yes.",
    ]
    assert got[0].start_s == 0.0 and got[0].end_s < got[1].start_s < 10.0 < got[1].end_s
    assert all(a.start_s <= b.start_s for a, b in itertools.pairwise(got))


def test_split_sentences_falls_back_to_segments_without_punctuation() -> None:
    got = split_sentences(transcript((0, 4, "so the bus came late"), (4, 9, "and nobody was on it")))
    assert [(s.text, s.start_s, s.end_s) for s in got] == [
        ("so the bus came late", 0.0, 4.0), ("and nobody was on it", 4.0, 9.0),
    ]


def test_split_sentences_empty() -> None:
    assert split_sentences(Transcript("", (), "en", 0.0)) == ()
    assert split_sentences(transcript((0, 1, "   "))) == ()


# --- summary, themes, sentiment -----------------------------------------------------------------


def test_summarize_is_extractive_ordered_and_diverse(embedder: MiniLMEmbedder) -> None:
    summary = summarize(TWO_TOPICS, embedder, max_sentences=2)
    picked = [s.text for s in TWO_TOPICS if s.text in summary]
    assert len(picked) == 2
    assert summary == " ".join(picked)  # original order
    assert any("budget" in p or "tax" in p for p in picked) and any("teacher" in p for p in picked)
    assert summarize((), embedder) == ""


def test_extract_themes_separates_topics(embedder: MiniLMEmbedder) -> None:
    themes = extract_themes(TWO_TOPICS, embedder, max_themes=2)
    assert 1 <= len(themes) <= 2
    words = [" ".join((t.label, *t.keywords)).lower() for t in themes]
    budget = [i for i, w in enumerate(words) if "budget" in w or "tax" in w]
    schools = [i for i, w in enumerate(words) if "teacher" in w or "classroom" in w or "school" in w]
    assert budget and schools and set(budget) != set(schools)  # one theme per topic
    assert all(1 <= len(t.label.split()) <= 3 for t in themes)  # keyphrases, not word lists
    assert all(0 < t.weight <= 1 for t in themes) and sum(t.weight for t in themes) <= 1.0 + 1e-9
    assert extract_themes((), embedder) == ()


def test_sentiment_lexicon_negation_and_intensifiers() -> None:
    positive = analyze_sentiment(sentences("This is a wonderful, successful project.", "The results are great."))
    negative = analyze_sentiment(sentences("This is not a good plan.", "It was a terrible failure."))
    assert positive.label == "positive" and positive.score > 0 and positive.positive == 1.0
    assert negative.label == "negative" and negative.score < 0 and negative.negative == 1.0
    plain = analyze_sentiment(sentences("The park is nice.")).score
    boosted = analyze_sentiment(sentences("The park is extremely nice.")).score
    assert boosted > plain > 0
    assert analyze_sentiment(()).label == "neutral"
    assert analyze_sentiment(sentences("The meeting starts at seven.")).label == "neutral"


# --- fallacies ----------------------------------------------------------------------------------

FALLACY_EXAMPLES = [
    ("false_dilemma", "Either we pave the old trail or the tourists will never come back."),
    ("slippery_slope", "If we let the gym stay open late, soon it will be open all night and eventually nobody "
                       "in this building will sleep."),
    ("bandwagon", "Everybody on our street has already installed the new meters, so you should too."),
    ("ad_hominem", "You can't trust what the inspector says about the wiring, he failed his own exams twice."),
    ("appeal_to_authority", "The diet must be healthy because a famous singer says so."),
    ("hasty_generalization", "My sister's new phone broke after a week, so that brand is always junk."),
    ("appeal_to_fear", "If the shelter opens here, your children will be in danger on the way to school."),
    ("straw_man", "So what you're saying is that we should let the ferry sink and swim to work."),
    ("circular_reasoning", "The museum is important because it matters so much."),
    ("red_herring", "Why are we worried about the leaking roof when the mayor's car is so old?"),
]
PLAIN = [
    "The ferry carries about nine hundred passengers on a typical weekday.",
    "We should fund the shelter because the waiting list has grown for three years.",
    "If the council approves the budget, construction can start in May.",
    "Residents can choose either the morning or the evening collection slot.",
]


def test_detects_each_fallacy_type_with_explanation(detector: FallacyDetector) -> None:
    found = detector.detect(sentences(*(t for _, t in FALLACY_EXAMPLES), *PLAIN))
    by_quote = {f.quote: f for f in found}
    for kind, text in FALLACY_EXAMPLES:
        assert text in by_quote, f"missed {kind}: {text}"
        f = by_quote[text]
        assert f.type == kind
        assert 0.0 < f.confidence <= 1.0
        assert "cue:" in f.explanation and f.explanation.endswith(".")
    assert all(t not in by_quote for t in PLAIN)
    assert {f.type for f in found} <= set(FALLACY_TYPES)


def test_circular_reasoning_via_because_clause(detector: FallacyDetector) -> None:
    found = detector.detect(sentences("We can rely on the new software because it is reliable.",
                                      "Prices rose because demand for housing rose sharply."))
    assert [f.type for f in found] == ["circular_reasoning"]
    assert "reliable" in found[0].explanation


def test_detect_fallacies_empty(embedder: MiniLMEmbedder) -> None:
    assert detect_fallacies((), embedder) == ()


# --- perspectives and entities ------------------------------------------------------------------


def test_perspectives_present_and_missing(embedder: MiniLMEmbedder) -> None:
    talk = sentences(
        "The new factory will add two hundred jobs and raise tax revenue for the city budget.",
        "Local businesses expect more customers and higher profits.",
        "Investors say the economy of the region will grow.",
    )
    got = synthesize_perspectives(talk, embedder)
    assert "economic" in got.present
    assert "opposing view / critics" in got.missing
    assert not set(got.present) & set(got.missing)
    assert synthesize_perspectives((), embedder).present == ()



def test_perspective_prototypes_are_embedded_once_per_loaded_model_and_change_no_verdict(tmp_path: Path) -> None:
    """Runs that share models share the prototype embeddings; the perspectives of a talk are unchanged."""
    from autointel.engines.resources import Resources
    from autointel.phases.analysis.perspectives import PerspectivePrototypes, load_categories
    from autointel.settings import load_settings

    with Resources(load_settings({}, data_dir=tmp_path / "a")) as shared:
        run = Resources(load_settings({}, data_dir=tmp_path / "b"), models_from=shared)
        prototypes = run.perspective_prototypes()
        assert prototypes is shared.perspective_prototypes() is run.perspective_prototypes()
        assert isinstance(prototypes, PerspectivePrototypes)
        assert [c.id for c in prototypes.categories] == [c.id for c in load_categories()]
        assert [len(b) for b in prototypes.vectors] == [len(c.prototypes) for c in prototypes.categories]
        talk = split_sentences(script_transcript((FIXTURES / "scripts" / "city_transit.txt").read_text()))
        reused = synthesize_perspectives(talk, run.embedder(), prototypes)
        assert reused.present and reused == synthesize_perspectives(talk, MiniLMEmbedder())
        run.close()

def test_extract_entities() -> None:
    got = extract_entities(sentences(
        "Yesterday the Riverton Transit Authority met with Maria Lopez.",
        "Riverton is growing fast.",
        "Buses now run to the University of Greenfield.",
        "Greatly improved service was promised.",
    ))
    assert got == ("Riverton Transit Authority", "Maria Lopez", "Riverton", "University of Greenfield")


# --- convenience, determinism, empty ------------------------------------------------------------


def test_pieces_are_deterministic_across_threads(embedder: MiniLMEmbedder, detector: FallacyDetector) -> None:
    talk = (*TWO_TOPICS, *sentences(FALLACY_EXAMPLES[0][1], FALLACY_EXAMPLES[2][1]))

    def run(_: int) -> object:
        return (summarize(talk, embedder), extract_themes(talk, embedder), detector.detect(talk),
                analyze_sentiment(talk))

    first = run(0)
    with ThreadPoolExecutor(max_workers=3) as pool:
        others = list(pool.map(run, range(3)))
    assert all(o == first for o in others)


def test_analyze_runs_every_step(embedder: MiniLMEmbedder, detector: FallacyDetector) -> None:
    t = transcript(*((float(i), float(i) + 1, s.text) for i, s in enumerate(TWO_TOPICS)),
                   (9.0, 10.0, FALLACY_EXAMPLES[0][1]))
    got = analyze(t, embedder, detector)
    assert got.summary and got.themes and got.sentiment.label in ("positive", "negative", "neutral")
    assert [f.type for f in got.fallacies] == ["false_dilemma"] and got.fallacies[0].start_s == 9.0
    assert "economic" in got.perspectives.present


def test_analyze_empty_transcript(embedder: MiniLMEmbedder) -> None:
    got = analyze(Transcript("", (), "en", 0.0), embedder)
    assert got.summary == "" and got.themes == () and got.fallacies == ()
    assert got.sentiment.label == "neutral"


# --- evaluation helpers and fixture scripts -----------------------------------------------------


def test_fallacy_scoring_helpers() -> None:
    from autointel.model import Fallacy

    labels = [{"type": "bandwagon", "quote": "everyone is already doing it so we should"}]
    detected = [Fallacy("bandwagon", "Everyone is already doing it, so we should too.", 0, 0.9, ""),
                Fallacy("red_herring", "What about the roads?", 1, 0.6, "")]
    assert fallacy_scores(detected, labels) == (0.5, 1.0)
    total = fallacy_counts(detected, labels) + FallacyCounts(1, 1, 0, 1)
    assert (total.precision, total.recall) == (2 / 3, 0.5)


def test_fallacy_detection_on_fixture_scripts(detector: FallacyDetector) -> None:
    labels_path = FIXTURES / "labels.json"
    if not labels_path.exists():
        pytest.skip("fixtures/labels.json not written yet")
    total = FallacyCounts(0, 0, 0, 0)
    for talk in load_labels(labels_path).values():
        script = script_path(talk["script"]).read_text(encoding="utf-8")
        found = detector.detect(split_sentences(script_transcript(script)))
        total = total + fallacy_counts(found, talk["fallacies"])
    assert total.labelled > 0
    assert total.precision >= 0.75, total
    assert total.recall >= 0.75, total


def test_exemplars_are_embedded_once_per_loaded_model_and_change_no_detection(tmp_path: Path) -> None:
    """Runs that share models share the exemplar embeddings (input-independent); detections are unchanged."""
    from autointel.engines.resources import Resources
    from autointel.phases.analysis import FallacyExemplars
    from autointel.settings import load_settings

    with Resources(load_settings({}, data_dir=tmp_path / "a")) as shared:
        run = Resources(load_settings({}, data_dir=tmp_path / "b"), models_from=shared)
        exemplars = run.fallacy_exemplars()
        assert exemplars is shared.fallacy_exemplars() is run.fallacy_exemplars()
        assert isinstance(exemplars, FallacyExemplars) and set(exemplars.types) == set(FALLACY_TYPES)
        text = script_transcript((FIXTURES / "scripts" / "city_transit.txt").read_text())
        talk = split_sentences(text)
        reused = FallacyDetector(run.embedder(), exemplars).detect(talk)
        assert reused and reused == FallacyDetector(MiniLMEmbedder()).detect(talk)
        run.close()


def test_load_models_loads_every_model_and_constant_before_any_run(tmp_path: Path) -> None:
    """What the bench's shared models and isolated workers rely on: nothing is left to load on a run's clock."""
    from autointel.engines.resources import Resources
    from autointel.settings import load_settings

    with Resources(load_settings({}, data_dir=tmp_path / "a")) as shared:
        assert shared._transcriber is None and shared._embedder is None and not shared._constants
        shared.load_models()
        assert shared._transcriber is not None and shared._embedder is not None
        assert len(shared._constants) == 2  # the fallacy exemplars and the perspective prototypes
        run = Resources(load_settings({}, data_dir=tmp_path / "b"), models_from=shared)
        assert run.transcriber() is shared._transcriber
        assert run.perspective_prototypes() is shared.perspective_prototypes()
        assert run.fallacy_exemplars() is shared.fallacy_exemplars()
        assert shared._nli is not None and run.nli() is shared._nli  # the fact-check models load once, too
        assert shared._fact_model is not None and run.fact_model() is shared._fact_model
