"""The LLM parts: what holds is used, what does not falls back with a reason (scripted answers at the Chat seam)."""

from __future__ import annotations

from autointel.llm.chat import ChatError, parse_object
from autointel.model import CheckedClaim, Evidence, Fallacy, Verdict
from autointel.model.result import FALLBACK, WRITTEN
from autointel.phases.text import Sentence
from autointel.phases.writing import Writer, read_verdict, review_fallacies, write_briefing, write_summary
from autointel.phases.writing.grounding import find_quote, unknown_figures
from autointel.phases.writing.summary import chunks
from tests.phases.writing.scripted import ScriptedChat

SENTENCES = [
    "The city council will vote on the transit budget next month.",
    "Bus ridership in Riverton doubled since 2015.",
    "The agency asks for 40 million dollars to keep night buses running.",
]
CLAIM = CheckedClaim("Riverton's bus ridership doubled since 2015.", 3.0, ("number",), Verdict.SUPPORTED, 0.8,
                     (Evidence("Ridership on Riverton buses doubled between 2015 and 2024.", "rta.md", 0.9),), "same")


def _writer(*answers: object, cut: bool = False) -> tuple[Writer, ScriptedChat]:
    chat = ScriptedChat(list(answers), cut=cut)  # type: ignore[arg-type]
    return Writer(chat, lambda: 0.0), chat


def test_a_grounded_summary_is_written_with_its_insights_and_tokens() -> None:
    writer, _ = _writer({"summary": "The council will vote on the transit budget; bus ridership doubled since 2015.",
                         "insights": ["Bus ridership doubled since 2015.", "up to five short key points"]})
    out = writer.attempt("summary", "text_analysis", lambda ask: write_summary(ask, SENTENCES))
    assert out is not None
    summary, insights = out
    assert "ridership doubled" in summary
    assert insights == ("Bus ridership doubled since 2015.",)  # the echoed instruction is not the transcript's
    writing = writer.writing()
    assert [(p.name, p.status, p.reason) for p in writing.parts] == [("summary", WRITTEN, "")]
    assert (writing.usage.calls, writing.usage.prompt_tokens, writing.usage.completion_tokens) == (1, 10, 5)


def test_a_summary_with_an_invented_figure_falls_back_saying_which() -> None:
    writer, _ = _writer({"summary": "Ridership doubled since 2015 and 20 new buses arrive each year.", "insights": []})
    assert writer.attempt("summary", "text_analysis", lambda ask: write_summary(ask, SENTENCES)) is None
    (part,) = writer.writing().parts
    assert part.status == FALLBACK and "figures the transcript does not (20)" in part.reason


def test_a_summary_in_other_words_than_the_transcript_falls_back() -> None:
    writer, _ = _writer({"summary": "Wealthy executives plot against commuters in a secret scheme.", "insights": []})
    assert writer.attempt("summary", "s", lambda ask: write_summary(ask, SENTENCES)) is None
    assert "uses words its source does not" in writer.writing().parts[0].reason


def test_a_long_transcript_is_summarised_chunk_by_chunk_then_reduced() -> None:
    long = [f"Speaker {i} says the transit budget matters for route {i} in Riverton." for i in range(200)]
    assert len(chunks(long)) > 1
    writer, chat = _writer({"summary": "The transit budget matters for Riverton routes.", "insights": []})
    assert writer.attempt("summary", "s", lambda ask: write_summary(ask, long)) is not None
    assert len(chat.asked) == len(chunks(long)) + 1  # map each chunk, one reduce
    assert all(len(user.split()) < 700 for _, user in chat.asked)  # every prompt fits the window


def test_empty_malformed_and_cut_answers_each_fall_back_with_their_reason() -> None:
    for answer, cut, reason in (("", False, "empty answer"), ("Sure! The summary is", False, "not a JSON object"),
                                ('{"summary": "The council', True, "cut at the limit of")):
        writer, _ = _writer(answer, cut=cut)
        assert writer.attempt("summary", "s", lambda ask: write_summary(ask, SENTENCES)) is None
        assert reason in writer.writing().parts[0].reason


def test_a_failed_call_is_recorded_and_the_part_falls_back() -> None:
    writer, _ = _writer(ChatError("APIConnectionError: Connection error."))
    assert writer.attempt("briefing", "briefing", lambda ask: write_briefing(ask, "Trust score: 60 of 100")) is None
    writing = writer.writing()
    assert writing.parts[0].reason == "APIConnectionError: Connection error."
    assert [c.ok for c in writing.calls] == [False]


def test_a_verdict_must_quote_its_evidence() -> None:
    quote = "Ridership on Riverton buses doubled between 2015 and 2024."
    reading = read_verdict(lambda *a: {"verdict": "supported", "quote": quote, "rationale": "It says so."}, 0, CLAIM)
    assert (reading.verdict, reading.agrees, reading.quote) == (Verdict.SUPPORTED, True, quote)
    writer, _ = _writer({"verdict": "contradicted", "quote": "Ridership fell by half.", "rationale": "No."})
    assert writer.attempt("verdicts", "fact_check", lambda ask: read_verdict(ask, 0, CLAIM)) is None
    assert writer.writing().parts[0].reason == "the quote is not in the evidence"


def test_a_verdict_outside_the_label_set_falls_back() -> None:
    writer, _ = _writer({"verdict": "mostly true", "quote": "", "rationale": "Close enough."})
    assert writer.attempt("verdicts", "fact_check", lambda ask: read_verdict(ask, 0, CLAIM)) is None
    assert "is not one of the labels" in writer.writing().parts[0].reason


def test_verdicts_count_what_fell_back_across_claims() -> None:
    good = {"verdict": "unverifiable", "quote": "", "rationale": "Not enough."}
    writer, _ = _writer(good, {"verdict": "nonsense"}, good)
    for index in range(3):
        reading = writer.attempt("verdicts", "fact_check", lambda ask, i=index: read_verdict(ask, i, CLAIM))
        if reading is not None:
            writer.add_verdict(reading)
    writing = writer.writing()
    assert [v.claim_index for v in writing.verdicts] == [0, 2]
    assert writing.parts[0].status == WRITTEN and writing.parts[0].reason.startswith("1 of 3 fell back")


def test_the_review_confirms_rejects_and_adds_only_verbatim_quotes() -> None:
    sentences = [Sentence(s, float(i), float(i) + 1) for i, s in enumerate(SENTENCES)]
    candidates = (Fallacy("bandwagon", SENTENCES[0], 0.0, 0.6, "x"), Fallacy("ad_hominem", SENTENCES[1], 1.0, 0.6, "x"))
    added = {"fallacies": [{"type": "appeal_to_fear", "quote": "to keep night buses running"},
                           {"type": "straw_man", "quote": "the mayor wants to ban all cars"},
                           {"type": "not_a_type", "quote": SENTENCES[2]}]}
    review = review_fallacies(ScriptedChat([{"decision": "confirm", "reason": "r"},
                                            {"decision": "reject", "reason": "r"}, added]).complete_ask(),
                              candidates, sentences)
    assert (review.confirmed, review.rejected) == ((0,), (1,))
    assert [(f.type, f.quote, f.start_s) for f in review.added] == [("appeal_to_fear", SENTENCES[2], 2.0)]


def test_a_briefing_may_state_only_the_results_figures() -> None:
    facts = "Summary: the budget vote.\nTrust score: 60 of 100"
    assert write_briefing(lambda *a: {"briefing": "The budget vote earns a trust score of 60 of 100."}, facts)
    try:
        write_briefing(lambda *a: {"briefing": "The budget vote earns a trust score of 80 of 125."}, facts)
    except ChatError as exc:
        assert "80, 125" in str(exc)
    else:
        raise AssertionError("an invented figure was accepted")


def test_grounding_helpers() -> None:
    assert find_quote("“Ridership doubled”  since 2015.", ["x", "Bus ridership doubled since 2015 in town."]) == 1
    assert find_quote("doubled", ["ridership doubled"]) is None  # too short to count as a quote
    assert unknown_figures("From 1,200 to 40 riders", "1200 riders, then 40") == []
    assert parse_object('Here: ```json\n{"a": 1}\n```') == {"a": 1}
