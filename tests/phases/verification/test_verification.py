"""Verification phase: number normalisation, claim spotting, fact-checking verdicts and scores."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from autointel.memory.chunking import split_documents
from autointel.memory.embeddings import MiniLMEmbedder
from autointel.model import CheckedClaim, Claim, Fallacy, Verdict
from autointel.phases.evaluation import (
    InMemorySearch,
    claim_accuracy,
    claim_matches,
    load_labels,
    script_transcript,
)
from autointel.phases.text import Sentence, split_sentences
from autointel.phases.verification import (
    check_claim,
    deception_score,
    extract_claims,
    trust_score,
    verify,
)
from autointel.phases.verification.claims import checkworthy_scores
from autointel.phases.verification.nli import NLIModel
from autointel.phases.verification.numbers import quantities
from tests.helpers import FIXTURES

CORPUS = [
    ("The Harbor Bridge in Port Ellis opened to traffic in 1968 after six years of construction.", "bridge.md"),
    ("Daily ridership on the Port Ellis ferry fell from 8,000 passengers in 2012 to 6,000 in 2020.", "ferry.md"),
    ("The Port Ellis library budget is 3 million dollars a year.", "library.md"),
    ("Unemployment in Port Ellis was 4 percent in 2023, down from 7 percent in 2019.", "jobs.md"),
    ("The town planted twelve hundred street trees between 2015 and 2020.", "trees.md"),
    ("Volcanic soils on the northern slopes are rich in minerals used by vineyards.", "soil.md"),
]


@pytest.fixture(scope="module")
def embedder() -> Iterator[MiniLMEmbedder]:
    yield MiniLMEmbedder()


@pytest.fixture(scope="module")
def search(embedder: MiniLMEmbedder) -> InMemorySearch:
    return InMemorySearch(CORPUS, embedder)


def claim(text: str) -> Claim:
    return Claim(text, 0.0, ("number",))


def sentences(*texts: str) -> tuple[Sentence, ...]:
    return tuple(Sentence(t, float(i), float(i) + 1) for i, t in enumerate(texts))


# --- numbers ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("forty percent of riders", "percent", 40.0),
        ("40% of riders", "percent", 40.0),
        ("in two thousand and ten", "year", 2010.0),
        ("back in nineteen fifty two", "year", 1952.0),
        ("ridership has doubled", "change", 100.0),
        ("half of the budget", "percent", 50.0),
        ("one in five households", "percent", 20.0),
        ("a budget of 40 million dollars", "money", 40_000_000.0),
        ("twelve hundred street trees", "count", 1200.0),
        ("three thousand four hundred and twenty riders", "count", 3420.0),
    ],
)
def test_quantities_normalise_words_and_digits(text: str, kind: str, value: float) -> None:
    found = [(q.kind, q.value) for q in quantities(text)]
    assert (kind, value) in found


def test_quantities_ignore_one_as_pronoun() -> None:
    assert quantities("no one said it was one of the best") == ()


# --- claim extraction ---------------------------------------------------------------------------


def test_extract_claims_kinds_and_exclusions(embedder: MiniLMEmbedder) -> None:
    talk = sentences(
        "Good evening everyone.",
        "The Harbor Bridge opened in 1968.",
        "How many of you took the ferry in 2012?",
        "We should spend 5 million dollars on the ferry.",
        "I think this town is wonderful.",
        "Ferry ridership fell by a quarter in eight years.",
        "Port Ellis has the largest harbor in the region.",
    )
    got = extract_claims(talk, exhaustive=True, embedder=embedder)
    texts = [c.text for c in got]
    assert talk[1].text in texts and talk[5].text in texts
    assert not {talk[i].text for i in (0, 2, 3, 4)} & set(texts)  # greeting, question, proposal, opinion
    assert "date" in got[texts.index(talk[1].text)].kinds
    assert {"number", "comparison"} <= set(got[texts.index(talk[5].text)].kinds)
    assert got[texts.index(talk[5].text)].start_s == 5.0
    scores = checkworthy_scores([s.text for s in talk], embedder)
    assert scores[6] > scores[4] and scores[6] > scores[0]  # a superlative outranks an opinion and a greeting


def test_extract_claims_top_n_keeps_transcript_order(embedder: MiniLMEmbedder) -> None:
    many = sentences(*(f"In {2000 + i} the ferry carried {1000 + i} passengers a day." for i in range(12)),
                     "The harbor is the largest in the Port Ellis region.")
    top = extract_claims(many, exhaustive=False, embedder=embedder)
    assert len(top) == 8 and len(extract_claims(many, exhaustive=True, embedder=embedder)) >= 12
    starts = [c.start_s for c in top]
    assert starts == sorted(starts)
    assert extract_claims((), exhaustive=True, embedder=embedder) == ()


# --- fact-checking ------------------------------------------------------------------------------


def test_contradicted_year(search: InMemorySearch, embedder: MiniLMEmbedder, nli: NLIModel) -> None:
    got = check_claim(claim("The Harbor Bridge in Port Ellis opened in 1952."), search, embedder, nli)
    assert got.verdict is Verdict.CONTRADICTED
    assert "1968" in got.rationale and "1952" in got.rationale
    assert got.evidence and got.evidence[0].source == "bridge.md" and len(got.evidence) <= 3
    assert 0.0 < got.confidence <= 1.0


def test_supported_with_number_words(search: InMemorySearch, embedder: MiniLMEmbedder, nli: NLIModel) -> None:
    got = check_claim(claim("the library budget in port ellis is three million dollars a year"), search, embedder, nli)
    assert got.verdict is Verdict.SUPPORTED, got.rationale
    year = check_claim(claim("The Harbor Bridge opened to traffic in nineteen sixty eight."), search, embedder, nli)
    assert year.verdict is Verdict.SUPPORTED, year.rationale


def test_contradicted_number_and_direction(search: InMemorySearch, embedder: MiniLMEmbedder, nli: NLIModel) -> None:
    wrong = check_claim(claim("The town planted five thousand street trees between 2015 and 2020."), search, embedder,
                        nli)
    assert wrong.verdict is Verdict.CONTRADICTED and "1,200" in wrong.rationale
    rose = check_claim(claim("Daily ridership on the Port Ellis ferry rose sharply after 2012."), search, embedder, nli)
    assert rose.verdict is Verdict.CONTRADICTED, rose.rationale
    assert "direction" in rose.rationale


def test_percent_change_and_unverifiable(search: InMemorySearch, embedder: MiniLMEmbedder, nli: NLIModel) -> None:
    fell = check_claim(claim("Ferry ridership in Port Ellis fell by a quarter between 2012 and 2020."), search,
                       embedder, nli)
    # 8,000 -> 6,000 is -25 %: the values agree, so the NLI model's "contradiction" is not a verdict
    assert fell.verdict in (Verdict.SUPPORTED, Verdict.UNVERIFIABLE), fell.rationale
    unknown = check_claim(claim("The mayor's cat weighs nine kilograms."), search, embedder, nli)
    assert unknown.verdict is Verdict.UNVERIFIABLE
    empty = check_claim(claim("The bridge opened in 1968."), lambda _q, _k: [], embedder, nli)
    assert empty.verdict is Verdict.UNVERIFIABLE and empty.evidence == ()


def test_verify_is_deterministic_across_threads(
    search: InMemorySearch, embedder: MiniLMEmbedder, nli: NLIModel
) -> None:
    claims = [claim("The Harbor Bridge in Port Ellis opened in 1952."),
              claim("Unemployment in Port Ellis was 4 percent in 2023.")]
    first = verify(claims, search, embedder, nli)
    with ThreadPoolExecutor(max_workers=2) as pool:
        again = list(pool.map(lambda _: verify(claims, search, embedder, nli), range(2)))
    assert all(v == first for v in again)
    assert [c.verdict for c in first.claims] == [Verdict.CONTRADICTED, Verdict.SUPPORTED]
    assert first.trust_score == trust_score(first.claims)


# --- scores -------------------------------------------------------------------------------------


def checked(verdict: Verdict, confidence: float = 0.9) -> CheckedClaim:
    return CheckedClaim("x", 0.0, ("number",), verdict, confidence, (), "")


def test_trust_score() -> None:
    assert trust_score([]) == 50.0
    supported = trust_score([checked(Verdict.SUPPORTED)] * 3)
    contradicted = trust_score([checked(Verdict.CONTRADICTED)] * 3)
    unverifiable = trust_score([checked(Verdict.UNVERIFIABLE)] * 3)
    assert 50 < supported <= 100 and 0 <= contradicted < 50
    assert contradicted < unverifiable <= 50 < supported
    assert trust_score([checked(Verdict.SUPPORTED)] * 9) > supported


def test_deception_score() -> None:
    fallacy = Fallacy("bandwagon", "q", 0.0, 0.8, "")
    assert deception_score([], [], 0) == 0.0
    few = deception_score([checked(Verdict.SUPPORTED)], [fallacy], 20)
    many = deception_score([checked(Verdict.SUPPORTED)], [fallacy] * 6, 20)
    lying = deception_score([checked(Verdict.CONTRADICTED)] * 2, [fallacy] * 6, 20)
    assert 0.0 < few < many < lying <= 1.0


# --- fixture scripts ----------------------------------------------------------------------------


def test_claim_accuracy_helper() -> None:
    labels = [{"text": "The bridge opened in 1968", "verdict": "supported"},
              {"text": "Something never extracted at all", "verdict": "unverifiable"}]
    got = [CheckedClaim("The bridge opened in 1968.", 0.0, ("date",), Verdict.SUPPORTED, 0.9, (), "")]
    assert claim_accuracy(got, labels) == 0.5
    assert claim_matches(got, labels)[1][1] is None


def script_path(name: str) -> Path:
    for base in (FIXTURES.parent, FIXTURES):
        if (base / name).exists():
            return base / name
    return FIXTURES / "scripts" / Path(name).name


def test_claim_verdicts_on_fixture_scripts(embedder: MiniLMEmbedder, nli: NLIModel) -> None:
    labels_path, evidence = FIXTURES / "labels.json", FIXTURES / "evidence"
    if not labels_path.exists() or not any(evidence.glob("*.md")):
        pytest.skip("fixture labels or evidence not written yet")
    search = InMemorySearch([(p.text, p.source) for p in split_documents(evidence)], embedder)
    pairs = []
    for talk in load_labels(labels_path).values():
        script = script_path(talk["script"]).read_text(encoding="utf-8")
        claims = extract_claims(split_sentences(script_transcript(script)), exhaustive=True, embedder=embedder)
        pairs += claim_matches(verify(claims, search, embedder, nli).claims, talk["claims"])
    assert len(pairs) >= 10 and all(checked is not None for _, checked in pairs)  # every labelled claim is found
    decisive = [(label, c) for label, c in pairs if c is not None and c.verdict is not Verdict.UNVERIFIABLE]
    wrong = [(label["verdict"], c.text) for label, c in decisive if c.verdict.value != label["verdict"]]
    assert len(decisive) >= 3 and wrong == []  # the checker abstains when unsure; when it decides, it is right
    right = sum(1 for label, c in pairs if c is not None and c.verdict.value == label["verdict"])
    assert right / len(pairs) >= 0.5, f"{right}/{len(pairs)}"


def test_spelled_numbers_reach_the_nli_model_as_digits() -> None:
    from autointel.phases.verification.numbers import with_digits

    assert with_digits("The bridge opened in nineteen sixty eight.") == "The bridge opened in 1968."
    assert with_digits("a budget of three million dollars") == "a budget of 3 million dollars"
    spoken = "twenty percent of the forty two buses, up from 1,200"
    assert with_digits(spoken) == "20 percent of the 42 buses, up from 1,200"
    assert with_digits("one of the first, between ten and twenty") == "one of the first, between ten and twenty"
