"""A briefing a person can trust: whole sentences, honest insights, nameable themes, explained scores."""

from __future__ import annotations

import re

import pytest

from autointel.cli import _text_summary
from autointel.engines.resources import Resources
from autointel.memory.embeddings import Embedder
from autointel.model import (
    Analysis,
    CheckedClaim,
    Evidence,
    Fallacy,
    FlagsRecord,
    Media,
    Perspectives,
    RunResult,
    Segment,
    Sentiment,
    Status,
    Transcript,
    TranscriptWarning,
    Verdict,
    Verification,
)
from autointel.phases import explain
from autointel.phases.analysis import extract_themes, summarize
from autointel.phases.analysis.common import stopwords
from autointel.phases.analysis.keyphrases import Lexicon, candidates
from autointel.phases.briefing import render_briefing
from autointel.phases.evaluation import script_transcript
from autointel.phases.insights import INSIGHT_RULE, key_insights
from autointel.phases.text import MAX_UNPUNCTUATED_WORDS, Sentence, split_sentences
from tests.helpers import FIXTURES

SCRIPTS = FIXTURES / "scripts"


@pytest.fixture(scope="module")
def embedder(resources: Resources) -> Embedder:
    return resources.embedder()


def _sentences(*texts: str) -> tuple[Sentence, ...]:
    return tuple(Sentence(t, float(10 * i), float(10 * i) + 5) for i, t in enumerate(texts))


# --- fragments: a run-on cut at segment boundaries is never quoted as a sentence -------------------

RUN_ON = (  # one long unpunctuated run the recogniser spread over three segments
    "and the new bus line through the eastern district would carry nurses and students to the hospital "
    "and the university every ten minutes from early morning",
    "while the old tram depot near the river could become a maintenance yard for the electric buses "
    "that the transit agency plans to buy over the next five years",
    "so that every neighbourhood in the city gets reliable public transit without raising the fares "
    "for anyone who already rides the bus today.",
)


def _run_on_transcript() -> Transcript:
    texts = ["Public transit is the backbone of this city.", *RUN_ON, "Our transit budget must grow next year."]
    segments = tuple(Segment(float(5 * i), float(5 * i) + 5, t) for i, t in enumerate(texts))
    return Transcript(" ".join(texts), segments, "en", 0.9)


def test_pieces_of_a_cut_run_on_are_marked_as_fragments() -> None:
    got = split_sentences(_run_on_transcript())
    assert len(" ".join(RUN_ON).split()) > MAX_UNPUNCTUATED_WORDS
    assert [s.fragment for s in got] == [False, True, True, True, False]
    assert [s.text for s in got if s.fragment] == list(RUN_ON)


def test_short_unpunctuated_sentences_are_not_fragments() -> None:
    segments = (Segment(0, 4, "so the bus came late"), Segment(4, 9, "and nobody was on it"))
    got = split_sentences(Transcript("so the bus came late and nobody was on it", segments, "en", 1.0))
    assert [s.fragment for s in got] == [False, False]


def test_summary_quotes_only_whole_sentences(embedder: Embedder) -> None:
    talk = split_sentences(_run_on_transcript())
    summary = summarize(talk, embedder, max_sentences=3)
    assert summary == "Public transit is the backbone of this city. Our transit budget must grow next year."
    assert all(piece not in summary for piece in RUN_ON)
    only_pieces = tuple(s for s in talk if s.fragment)
    assert summarize(only_pieces, embedder) == ""


# --- key insights ---------------------------------------------------------------------------------

TALK = _sentences(
    "Riverton has forty electric buses on its transit routes this year.",
    "My opponent is a failed businessman who cannot manage money, so ignore his transit plan.",
    "The transit budget pays for drivers, buses, fuel and maintenance of the depots.",
    "Bus ridership doubled since 2015 according to the mayor.",
    "More frequent buses bring more riders onto the transit network.",
    "Do you really think the buses run on time?",
)


def _claim(sentence: Sentence, verdict: Verdict) -> CheckedClaim:
    evidence = (Evidence("passage", "transit_report.md", 0.8),)
    return CheckedClaim(sentence.text, sentence.start_s, ("number",), verdict, 0.8, evidence, "rationale")


def test_key_insights_skip_fallacies_contradicted_claims_and_questions(embedder: Embedder) -> None:
    fallacy = Fallacy("ad_hominem", TALK[1].text, TALK[1].start_s, 0.7, "attacks the person")
    claims = (_claim(TALK[0], Verdict.SUPPORTED), _claim(TALK[3], Verdict.CONTRADICTED))
    got = key_insights(TALK, embedder, (fallacy,), claims, limit=3)
    assert [i.text for i in got] == [TALK[0].text, TALK[2].text, TALK[4].text]  # transcript order
    assert got[0].reason == "supported by transit_report.md"
    assert {i.reason for i in got[1:]} == {"central to the talk"}
    everything = key_insights(TALK, embedder, (), (), limit=10)
    assert TALK[1].text in [i.text for i in everything]  # only the fallacy flag kept it out above
    assert key_insights(TALK, embedder, (), (), limit=0) == ()


def test_key_insights_prefer_central_statements_to_asides(embedder: Embedder) -> None:
    talk = _sentences(
        "Good evening to all of the ladies and gentlemen who came here tonight.",
        *(s.text for s in TALK if not s.text.endswith("?")),
    )
    got = [i.text for i in key_insights(talk, embedder, (), (), limit=3)]
    assert len(got) == 3 and talk[0].text not in got
    assert "Good evening" in key_insights(talk, embedder, (), (), limit=len(talk))[0].text


# --- themes ---------------------------------------------------------------------------------------


def test_keyphrase_candidates_drop_verbs_adjectives_and_filler() -> None:
    talk = _sentences("The average bus in our fleet is the oldest fleet in the state, and people walked away.")
    phrases = {c.phrase for c in candidates(talk, Lexicon.load())}
    assert {"bus", "fleet", "state"} <= phrases
    assert not any(w in p.split() for p in phrases for w in ("average", "oldest", "people", "walked", "away"))


def test_themes_are_nameable_central_distinct_keyphrases(embedder: Embedder) -> None:
    talk = split_sentences(script_transcript((SCRIPTS / "city_transit.txt").read_text()))
    themes = extract_themes(talk, embedder)
    text = " ".join(s.text for s in talk).lower()
    labels = [t.label for t in themes]
    assert len(themes) == 4 and "public transit" in labels
    stop = stopwords()
    for theme in themes:
        words = theme.label.lower().split()
        assert 1 <= len(words) <= 3 and "/" not in theme.label
        assert re.search(rf"\b{re.escape(theme.label.lower())}\b", text)  # said in the talk
        assert not any(w in stop for w in words)
        assert theme.label not in theme.keywords and 0 <= theme.weight <= 1
    assert len({w for t in themes for w in t.label.lower().split()}) == sum(len(t.label.split()) for t in themes)
    assert sum(t.weight for t in themes) <= 1.0 + 1e-9


def test_themes_separate_two_topics(embedder: Embedder) -> None:
    talk = _sentences(
        "The city budget grew by ten percent because of road maintenance costs.",
        "Property taxes will rise next year to close the budget deficit.",
        "The council wants to cut administration spending to balance the budget.",
        "Our schools need more teachers because classrooms are overcrowded.",
        "Students in crowded classrooms learn less and teachers burn out.",
        "Hiring new teachers would reduce class size in every school.",
    )
    labels = " ".join(t.label for t in extract_themes(talk, embedder, max_themes=2))
    assert "budget" in labels and ("teacher" in labels or "school" in labels or "classroom" in labels)


# --- briefing and text output ---------------------------------------------------------------------


def _result(claims: tuple[CheckedClaim, ...], warnings: tuple[TranscriptWarning, ...]) -> RunResult:
    media = Media("talk.mp3", "talk", "local", 80.0, 1, "ab" * 32, "/tmp/talk.mp3")
    transcript = Transcript("One.", (Segment(0, 3, "One."),), "en", 0.58, warnings)
    analysis = Analysis("One.", (), Sentiment("neutral", 0.0, 0.0, 0.0),
                        (Fallacy("red_herring", "One.", 0.0, 0.6, "diverts"),), Perspectives((), ()))
    return RunResult(Status.OK, "talk.mp3", "comprehensive", "pipeline", FlagsRecord(False, False, False),
                     media=media, transcript=transcript, analysis=analysis,
                     verification=Verification(claims, 62.0), deception_score=0.31)


def _briefing(result: RunResult) -> str:
    assert result.media and result.transcript and result.analysis
    return render_briefing(result.media, result.transcript, result.analysis, result.verification,
                           result.deception_score)


def test_counts_agree_with_their_number() -> None:
    one = _briefing(_result((_claim(TALK[0], Verdict.SUPPORTED),), ()))
    assert "1 transcript segment," in one and "1 potential fallacy was flagged." in one
    assert "Of 1 claim, 1 is supported, 0 are contradicted and 0 are unverifiable" in one
    two = _briefing(_result((_claim(TALK[0], Verdict.SUPPORTED), _claim(TALK[2], Verdict.SUPPORTED)), ()))
    assert "Of 2 claims, 2 are supported" in two
    assert "1 are" not in one + two and "1 claims" not in one + two
    assert "transcript: 1 segment;" in _text_summary(_result((), ()))


def test_every_score_is_explained_the_same_way_in_every_output() -> None:
    result = _result((_claim(TALK[0], Verdict.SUPPORTED),), ())
    briefing, text = _briefing(result), _text_summary(result)
    for line in (explain.quality_line(0.58), explain.trust_line(62.0), explain.deception_line(0.31)):
        assert line in briefing and line in text
    assert explain.TRUST in briefing and "## Scores" in briefing and INSIGHT_RULE in briefing


def test_transcript_warnings_are_shown_only_when_there_are_some() -> None:
    warning = TranscriptWarning("repetition_loop", 65.0, 128.5, "the same phrase repeated 9 times")
    with_warning, without = _result((), (warning,)), _result((), ())
    expected = "repetition loop [01:05-02:08]: the same phrase repeated 9 times"
    assert f"## Transcript warnings\n\n- {expected}" in _briefing(with_warning)
    assert f"transcript warning: {expected}" in _text_summary(with_warning)
    assert "Transcript warnings" not in _briefing(without)
    assert "transcript warning" not in _text_summary(without)
