"""Fact-checking one claim against retrieved evidence passages.

Retrieval similarity alone cannot tell "opened in 1952" from "opened in 1968", nor a sentence about
the same film from one about another, so after retrieval each passage's most claim-like sentence is
compared with the claim (shared words and names, quantities as intervals, negation, direction), an NLI
cross-encoder reads the best sentences against the claim (does the evidence entail or contradict it?), and
a small logistic model trained on public claim data turns those features into verdict probabilities.
A decisive verdict needs evidence about the same thing and a probability above a threshold tuned
for precision; everything else stays unverifiable. The confidence is the model's probability that
the verdict given is the right one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from autointel.memory.chunking import passage_sentences
from autointel.memory.embeddings import Embedder
from autointel.model import CheckedClaim, Claim, Evidence, Verdict
from autointel.phases.verification.decision import FactModel, load_model
from autointel.phases.verification.features import Pair, empty_features, pair_features, with_nli
from autointel.phases.verification.nli import NLIModel
from autointel.phases.verification.numbers import Quantity, describe, with_digits

EvidenceSearch = Callable[[str, int], Sequence[Evidence]]

TOP_K = 5
KEEP = 3


def check_claim(claim: Claim, search: EvidenceSearch, embedder: Embedder, nli: NLIModel,
                model: FactModel | None = None) -> CheckedClaim:
    """Retrieve, align, score and decide: SUPPORTED, CONTRADICTED or UNVERIFIABLE with a reason; `nli` and
    `model` (the decision layer, read from its file when not given) are loaded once per run (`Resources`)."""
    model = model or load_model()
    found = sorted(search(claim.text, TOP_K), key=lambda e: (-e.score, e.source, e.text))
    if not found:
        p = model.probabilities(empty_features())
        return _checked(claim, Verdict.UNVERIFIABLE, p[Verdict.UNVERIFIABLE], (), "no evidence passage was found")
    best, pair = assess(claim.text, found, embedder, nli)
    used = tuple([found[best], *[e for i, e in enumerate(found) if i != best]][:KEEP])
    verdict, confidence = decide(model, pair)
    return _checked(claim, verdict, confidence, used, rationale(verdict, pair, model))


def assess(claim: str, found: Sequence[Evidence], embedder: Embedder, nli: NLIModel) -> tuple[int, Pair]:
    """The most relevant passage and its full feature pair: the aligned sentences of the top passages
    (and the two best read together, for facts split over sentences) are scored by the NLI model."""
    pairs = align(claim, found, embedder)
    order = sorted(range(len(pairs)), key=lambda i: (-relevance(pairs[i]), i))[:KEEP]
    premises = [pairs[i].sentence for i in order]
    if len(order) > 1:
        premises.append(f"{pairs[order[0]].sentence} {pairs[order[1]].sentence}")
    hypothesis = with_digits(claim)
    probabilities = nli.score([(with_digits(p), hypothesis) for p in premises])
    return order[0], with_nli(pairs[order[0]], probabilities.tolist(), 0)


def align(claim: str, passages: Sequence[Evidence], embedder: Embedder) -> list[Pair]:
    """Each passage's most claim-like sentence, with its features against the claim."""
    pieces = [(key, s) for key, e in enumerate(passages) for s in passage_sentences(e.text)]
    vectors = embedder.embed([claim, *[s for _, s in pieces]])
    similarity = vectors[1:] @ vectors[0]
    best: dict[int, tuple[float, str]] = {}
    for (key, sentence), score in zip(pieces, similarity, strict=True):
        if key not in best or float(score) > best[key][0]:
            best[key] = (float(score), sentence)
    return [
        pair_features(claim, sentence, passages[key].text, round(score, 6), float(passages[key].score))
        for key, (score, sentence) in sorted(best.items())
    ]


def relevance(pair: Pair) -> float:
    """How much a passage is about the claim's subject: similarity plus the share of the claim's words."""
    return pair.similarity + pair.feature("coverage")


# An explicit clash on the same subject (most of the claim's words and some of its names in the aligned evidence
# sentence, and a stated value (a measurement or an event's year) that the evidence contradicts with none it
# confirms, or the opposite
# direction of change) contradicts the claim even when the NLI model misses it. It never fired on the public train
# and dev claims, so its precision is not measured; its confidence is the model's probability that the evidence
# does not support the claim.
VALUE_CLASH_COVERAGE = 0.5
VALUE_CLASH_NAMES = 0.3


def decide(model: FactModel, pair: Pair) -> tuple[Verdict, float]:
    """The verdict and its probability; decisive only past the tuned threshold and the same-subject gate."""
    p = model.probabilities(pair.vector)
    verdict = max(p, key=lambda v: (p[v], v == Verdict.UNVERIFIABLE))
    if verdict is Verdict.UNVERIFIABLE:
        if _value_clash(pair):
            return Verdict.CONTRADICTED, 1.0 - p[Verdict.SUPPORTED]
        return verdict, p[verdict]
    same_subject = pair.feature("coverage") >= model.gate and pair.feature("entity_coverage") >= model.gate
    clash = pair.feature("negation_mismatch") > 0 or pair.feature("numbers_conflict") > 0
    blocked = (verdict is Verdict.SUPPORTED and clash) or (verdict is Verdict.CONTRADICTED and _values_agree(pair))
    if not same_subject or blocked or p[verdict] < model.thresholds[verdict]:
        return Verdict.UNVERIFIABLE, p[Verdict.UNVERIFIABLE]
    return verdict, p[verdict]


def _values_agree(pair: Pair) -> bool:
    """Every value the claim states agrees with the evidence and nothing negates or reverses it: a contradiction
    read there has no stated reason (the NLI model reads "fell by a quarter" against 8,000 -> 6,000 as a clash)."""
    reversed_ = pair.negation_mismatch or pair.direction_clash or pair.feature("antonym") > 0
    return bool(pair.agree) and not pair.conflict and not reversed_


def _value_clash(pair: Pair) -> bool:
    """A stated value or a direction of change that the same-subject evidence contradicts."""
    same_subject = (pair.feature("coverage") >= VALUE_CLASH_COVERAGE
                    and pair.feature("entity_coverage") >= VALUE_CLASH_NAMES)
    measured = any(_stated(want) for want, _ in pair.conflict) and not pair.agree
    return same_subject and (measured or pair.direction_clash)


def _stated(q: Quantity) -> bool:
    """A value the claim asserts: a measurement, or the year of an event ("opened in 1952"), not a period's bound
    ("rose after 2012")."""
    return q.kind != "year" or not q.bound


def rationale(verdict: Verdict, pair: Pair, model: FactModel) -> str:
    """One readable line: the comparison that carried the verdict."""
    if verdict is Verdict.CONTRADICTED:
        measured = [(want, got) for want, got in pair.conflict if _stated(want)]
        if measured:  # a clash of stated values says most; a year that bounds a period only frames them
            want, got = measured[0]
            return f"evidence gives {describe(got)}, claim says {describe(want)}"
        if pair.direction_clash:
            return "evidence describes the opposite direction of change"
        if pair.negation_mismatch:
            return "evidence states the negation of the claim"
        if pair.conflict:
            want, got = pair.conflict[0]
            return f"evidence gives {describe(got)}, claim says {describe(want)}"
        return f"evidence on the same subject says otherwise (similarity {pair.similarity:.2f})"
    if verdict is Verdict.SUPPORTED:
        if pair.agree:
            values = ", ".join(dict.fromkeys(describe(e) for _, e in pair.agree))
            return f"evidence gives the same value ({values})"
        return f"evidence restates the claim (similarity {pair.similarity:.2f})"
    if pair.feature("coverage") < model.gate or pair.feature("entity_coverage") < model.gate:
        return f"no evidence passage is about the same thing (best similarity {pair.similarity:.2f})"
    return "related evidence found, but it neither confirms nor contradicts the claim"


def _checked(claim: Claim, verdict: Verdict, confidence: float, evidence: tuple[Evidence, ...],
             rationale_text: str) -> CheckedClaim:
    return CheckedClaim(claim.text, claim.start_s, claim.kinds, verdict, round(min(max(confidence, 0.0), 1.0), 3),
                        evidence, rationale_text)
