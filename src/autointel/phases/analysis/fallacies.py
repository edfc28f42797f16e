"""Fallacy detection: lexical cue patterns combined with embedding similarity to exemplars.

Cues are precise but brittle (a speaker can phrase a false dilemma without "either"); embedding
similarity to hand-written exemplars is robust to wording but drifts toward topic. Combining them,
and subtracting similarity to ordinary argumentative sentences, keeps both precision and recall.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from autointel.memory.embeddings import Embedder
from autointel.model import Fallacy
from autointel.phases.analysis.common import content_words, data_json, normalise, split_rows, stopwords
from autointel.phases.analysis.fallacy_cues import cue_table, fired_cues
from autointel.phases.text import Sentence

FALLACY_TYPES = (
    "ad_hominem", "straw_man", "false_dilemma", "slippery_slope", "appeal_to_authority",
    "hasty_generalization", "appeal_to_fear", "bandwagon", "circular_reasoning", "red_herring",
)
EXPLANATIONS = {
    "ad_hominem": "Attacks the person making the argument instead of the argument itself",
    "straw_man": "Misrepresents the opposing position as a more extreme one that is easier to attack",
    "false_dilemma": "Presents only two options as if no others existed",
    "slippery_slope": "Claims one step will inevitably set off a chain of worse consequences without showing why",
    "appeal_to_authority": "Treats someone's status or fame as proof instead of offering evidence",
    "hasty_generalization": "Draws a sweeping conclusion from one or a few anecdotes",
    "appeal_to_fear": "Uses fear of harm to persuade instead of evidence",
    "bandwagon": "Argues something is right because many people believe or do it",
    "circular_reasoning": "The reason given restates the conclusion instead of supporting it",
    "red_herring": "Diverts attention to a different issue instead of answering the point",
}
CUE_WEIGHT = 0.6
EMBEDDING_WEIGHT = 0.4
SIMILARITY_FLOOR = 0.25  # exemplar similarity at or below this adds nothing
SIMILARITY_CEILING = 0.6  # ... and at or above this adds the full embedding weight
NEGATIVE_PENALTY = 0.5  # embedding evidence is halved when an ordinary sentence is closer
THRESHOLD = 0.475  # a cue of strength 0.8 fires on its own; weaker cues need embedding support
BECAUSE = (" because ", " since ", " as a result of ", " the reason is ")
CIRCULAR_MIN_CONTAINMENT = 0.6  # share of the reason's words that merely repeat the claim
CIRCULAR_MIN_SIMILARITY = 0.75  # ... or embedding similarity of claim and reason
# Light verbs say little about content, so they do not count as the reason's own words.
LIGHT_WORDS = frozenset({"tells", "told", "tell", "says", "said", "makes", "made", "gets", "got", "does", "did",
                         "keeps", "kept", "goes", "went", "seems", "means", "simply", "clearly", "obviously"})
# Evaluative words whose near-synonyms make a reason restate the claim ("honest because truthful").
CONCEPTS = (
    frozenset({"honest", "honesty", "truth", "truthful", "true", "trustworthy", "trust", "trusted", "reliable",
               "rely", "relied", "dependable", "credible", "sincere"}),
    frozenset({"best", "better", "greatest", "superior", "finest", "top", "unbeatable"}),
    frozenset({"works", "work", "working", "effective", "effectiveness", "successful", "success", "succeeds",
               "succeed", "succeeded", "efficient"}),
    frozenset({"safe", "safety", "secure", "harmless", "dangerous", "danger", "unsafe", "risky"}),
    frozenset({"right", "correct", "valid", "accurate", "true"}),
    frozenset({"fair", "just", "justice", "unfair", "unjust", "fairness"}),
    frozenset({"legal", "law", "lawful", "illegal", "unlawful", "allowed"}),
    frozenset({"healthy", "health", "unhealthy", "harmful", "bad"}),
    frozenset({"important", "matters", "essential", "crucial", "vital", "significant"}),
    frozenset({"wrong", "bad", "evil", "immoral", "unacceptable"}),
)


@dataclass(frozen=True)
class FallacyExemplars:
    """The exemplar embeddings: constants of the embedding model, computed once per loaded model."""

    types: tuple[str, ...]
    vectors: dict[str, npt.NDArray[np.float32]]
    negatives: npt.NDArray[np.float32]

    @classmethod
    def embedded(cls, embedder: Embedder) -> FallacyExemplars:
        data = data_json("fallacy_exemplars.json")
        types: dict[str, list[str]] = data["types"]
        texts = [text for t in FALLACY_TYPES for text in types[t]]
        vectors = embedder.embed([*texts, *data["negatives"]])  # one batch: cheaper than one per type
        *blocks, negatives = split_rows(vectors, [len(types[t]) for t in FALLACY_TYPES])
        return cls(FALLACY_TYPES, dict(zip(FALLACY_TYPES, blocks, strict=True)), negatives)


class FallacyDetector:
    """Scores sentences against the exemplars; pass `exemplars` to reuse them across talks (read-only)."""

    def __init__(self, embedder: Embedder, exemplars: FallacyExemplars | None = None) -> None:
        self._embedder = embedder
        self._exemplars = exemplars or FallacyExemplars.embedded(embedder)
        self._cues = cue_table()
        self._stop = stopwords()

    def detect(self, sentences: Sequence[Sentence]) -> tuple[Fallacy, ...]:
        """At most one fallacy (the best-scoring type) per sentence, in transcript order."""
        if not sentences:
            return ()
        vectors = self._embedder.embed([s.text for s in sentences])
        circular = self._circular_scores(sentences)
        found: list[Fallacy] = []
        for i, sentence in enumerate(sentences):
            scored = self._score(normalise(sentence.text), vectors[i], circular[i])
            kind, score, cue = max(scored, key=lambda x: x[1])  # max keeps the first type on ties
            if score >= THRESHOLD:
                found.append(Fallacy(kind, sentence.text, sentence.start_s, round(min(score, 1.0), 3),
                                     _explain(kind, cue)))
        return tuple(found)

    def _score(self, text: str, vector: npt.NDArray[np.float32],
               circular: tuple[float, str]) -> list[tuple[str, float, str]]:
        negative = float(np.max(self._exemplars.negatives @ vector))
        out: list[tuple[str, float, str]] = []
        for kind in self._exemplars.types:
            similarity = _top_mean(self._exemplars.vectors[kind] @ vector, 2)
            embedding = float(np.clip((similarity - SIMILARITY_FLOOR) / (SIMILARITY_CEILING - SIMILARITY_FLOOR),
                                      0.0, 1.0))
            if negative >= similarity:
                embedding *= NEGATIVE_PENALTY
            strength, name = fired_cues(text, self._cues[kind])
            if kind == "circular_reasoning" and circular[0] > strength:
                strength, name = circular
            out.append((kind, CUE_WEIGHT * strength + EMBEDDING_WEIGHT * embedding, name))
        return out

    def _circular_scores(self, sentences: Sequence[Sentence]) -> list[tuple[float, str]]:
        """Cue strength from how much a "because" clause repeats its own conclusion.

        Word containment (reason words that already occur in the claim, prefix-matched to catch
        "trust"/"trustworthy") and the embedding similarity of the two halves both count.
        """
        splits = [_split_reason(normalise(s.text)) for s in sentences]
        pairs = [(i, claim, reason) for i, (claim, reason) in enumerate(splits) if claim and reason]
        scores: list[tuple[float, str]] = [(0.0, "")] * len(sentences)
        if not pairs:
            return scores
        claims = self._embedder.embed([c for _, c, _ in pairs])
        reasons = self._embedder.embed([r for _, _, r in pairs])
        for row, (i, claim, reason) in enumerate(pairs):
            claim_words = content_words(claim, self._stop)
            reason_words = [w for w in content_words(reason, self._stop) if w not in LIGHT_WORDS]
            if not claim_words or not reason_words:
                continue
            shared = [w for w in reason_words if any(_same_word(w, c) for c in claim_words)]
            containment = len(shared) / len(reason_words)
            similarity = float(claims[row] @ reasons[row])
            if shared and (containment >= CIRCULAR_MIN_CONTAINMENT or similarity >= CIRCULAR_MIN_SIMILARITY):
                strength = 0.5 + 0.5 * containment + 0.3 * float(np.clip((similarity - 0.4) / 0.4, 0.0, 1.0))
                words = ", ".join(dict.fromkeys(shared))
                scores[i] = (min(strength, 1.0), f"the 'because' clause repeats the claim ({words})")
        return scores


def detect_fallacies(sentences: Sequence[Sentence], embedder: Embedder) -> tuple[Fallacy, ...]:
    """Detect fallacies in `sentences`; see `FallacyDetector` to reuse exemplar embeddings."""
    if not sentences:
        return ()
    return FallacyDetector(embedder).detect(sentences)


def _top_mean(values: npt.NDArray[np.float32], k: int) -> float:
    top = np.sort(values)[::-1][:k]
    return float(top.mean()) if len(top) else 0.0


def _split_reason(text: str) -> tuple[str, str]:
    """(claim, reason) around the first causal connective, or ("", "") when there is none."""
    padded = f" {text} "
    for marker in BECAUSE:
        at = padded.find(marker)
        if at > 0:
            return padded[:at].strip(" ,."), padded[at + len(marker):].strip(" ,.")
    return "", ""


def _same_word(a: str, b: str) -> bool:
    """Equal, near-synonymous evaluative words, or sharing a prefix covering most of the shorter word."""
    if a == b or any(a in group and b in group for group in CONCEPTS):
        return True
    prefix = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        prefix += 1
    return prefix >= 4 and prefix >= 0.75 * min(len(a), len(b))


def _explain(kind: str, cue: str) -> str:
    reason = cue or f"close to typical {kind.replace('_', ' ')} phrasing"
    return f"{EXPLANATIONS[kind]} (cue: {reason})."
