"""Fallacy detection: a fine-tuned sentence classifier trained on public labelled fallacies, backed by cue patterns.

The classifier (`fallacy_model`) reads each sentence whole, so it recognises a fallacy however it is worded.
A strong cue pattern of a backstop type (with embedding similarity to exemplars and the circular-reasoning
check) still names a sentence's type first, since its wording is precise, and it covers types the public data
lacks; otherwise the classifier flags the sentence when confident. Detection runs per chunk of sentences, so it
streams with the decoder.
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
from autointel.phases.analysis.fallacy_model import FallacyClassifier
from autointel.phases.text import Sentence

FALLACY_TYPES = (
    "ad_hominem", "straw_man", "false_dilemma", "slippery_slope", "appeal_to_authority",
    "hasty_generalization", "appeal_to_fear", "bandwagon", "circular_reasoning", "red_herring",
    "appeal_to_emotion", "appeal_to_nature", "appeal_to_tradition", "appeal_to_worse_problems",
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
    "appeal_to_emotion": "Stirs pity, anger or sympathy to persuade instead of giving reasons",
    "appeal_to_nature": "Argues something is good because it is natural, or bad because it is not",
    "appeal_to_tradition": "Argues something is right because it has long been done that way",
    "appeal_to_worse_problems": "Dismisses an issue because worse problems exist elsewhere",
}
CUE_WEIGHT = 0.6
EMBEDDING_WEIGHT = 0.4
SIMILARITY_FLOOR = 0.25  # exemplar similarity at or below this adds nothing
SIMILARITY_CEILING = 0.6  # ... and at or above this adds the full embedding weight
NEGATIVE_PENALTY = 0.5  # embedding evidence is halved when an ordinary sentence is closer
THRESHOLD = 0.475  # a cue of strength 0.8 fires on its own; weaker cues need embedding support
# Types whose strong cue flags a sentence the classifier left unflagged (chosen on the dev split).
CUE_BACKSTOP: frozenset[str] = frozenset(FALLACY_TYPES)
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
class FallacyModel:
    """The shared classifier and the cue exemplar embeddings: constants of the models, built once per process."""

    types: tuple[str, ...]
    vectors: dict[str, npt.NDArray[np.float32]]
    negatives: npt.NDArray[np.float32]
    classifier: FallacyClassifier

    @classmethod
    def embedded(cls, embedder: Embedder, classifier: FallacyClassifier | None = None) -> FallacyModel:
        """`classifier` defaults to the shipped one, shared by the whole process."""
        data = data_json("fallacy_exemplars.json")
        types: dict[str, list[str]] = data["types"]
        kinds = [t for t in FALLACY_TYPES if t in types]
        texts = [text for t in kinds for text in types[t]]
        vectors = embedder.embed([*texts, *data["negatives"]])  # one batch: cheaper than one per type
        *blocks, negatives = split_rows(vectors, [len(types[t]) for t in kinds])
        return cls(FALLACY_TYPES, dict(zip(kinds, blocks, strict=True)), negatives,
                   classifier or FallacyClassifier.load())


FallacyExemplars = FallacyModel  # the name the engines' shared resources use


@dataclass(frozen=True)
class Verdict:
    """Both opinions on one sentence before any threshold: the classifier's best type and the strongest cue."""

    kind: str
    probability: float  # calibrated P(kind | kind or none)
    cue_kind: str
    cue_score: float
    cue: str  # what fired, for the explanation


def decide(verdict: Verdict, threshold: float, backstop: frozenset[str] = CUE_BACKSTOP) -> tuple[str, float] | None:
    """A strong cue of a backstop type names the type (precise wording), else the classifier when confident enough."""
    if verdict.cue_kind in backstop and verdict.cue_score >= THRESHOLD:
        return verdict.cue_kind, min(verdict.cue_score, 1.0)
    if verdict.probability >= threshold:
        return verdict.kind, verdict.probability
    return None


class FallacyDetector:
    """Flags sentences by backstop cue or classifier; pass `exemplars` to reuse the loaded model across talks."""

    def __init__(self, embedder: Embedder, exemplars: FallacyModel | None = None) -> None:
        self._embedder = embedder
        self._model = exemplars or FallacyModel.embedded(embedder)
        self._cues = cue_table()
        self._stop = stopwords()

    def detect(self, sentences: Sequence[Sentence]) -> tuple[Fallacy, ...]:
        """At most one fallacy per sentence, in transcript order."""
        threshold = self._model.classifier.threshold
        found: list[Fallacy] = []
        for sentence, verdict in zip(sentences, self.judge(sentences), strict=True):
            decided = decide(verdict, threshold)
            if decided is None:
                continue
            kind, confidence = decided
            cue = verdict.cue if kind == verdict.cue_kind else self._cue_name(normalise(sentence.text), kind)
            found.append(Fallacy(kind, sentence.text, sentence.start_s, round(confidence, 3), _explain(kind, cue)))
        return tuple(found)

    def judge(self, sentences: Sequence[Sentence], cues: bool = bool(CUE_BACKSTOP)) -> list[Verdict]:
        """One verdict per sentence, all sentences in one classifier call; `cues` False skips the cue scoring."""
        if not sentences:
            return []
        texts = [s.text for s in sentences]
        classifier = self._model.classifier
        best = [classifier.best(row) for row in classifier.probabilities(texts)]
        scored = self._cue_verdicts(sentences) if cues else [("", 0.0, "")] * len(texts)
        return [Verdict(kind, p, *cue) for (kind, p), cue in zip(best, scored, strict=True)]

    def _cue_verdicts(self, sentences: Sequence[Sentence]) -> list[tuple[str, float, str]]:
        """The strongest cue type per sentence (first type on ties), with its combined score."""
        vectors = self._embedder.embed([s.text for s in sentences])
        circular = self._circular_scores(sentences)
        return [max(self._score(normalise(s.text), vectors[i], circular[i]), key=lambda x: x[1])
                for i, s in enumerate(sentences)]

    def _cue_name(self, text: str, kind: str) -> str:
        return fired_cues(text, self._cues.get(kind, ()))[1]

    def _score(self, text: str, vector: npt.NDArray[np.float32],
               circular: tuple[float, str]) -> list[tuple[str, float, str]]:
        negative = float(np.max(self._model.negatives @ vector))
        out: list[tuple[str, float, str]] = []
        for kind in self._model.types:
            block = self._model.vectors.get(kind)
            similarity = _top_mean(block @ vector, 2) if block is not None else 0.0
            embedding = float(np.clip((similarity - SIMILARITY_FLOOR) / (SIMILARITY_CEILING - SIMILARITY_FLOOR),
                                      0.0, 1.0))
            if negative >= similarity:
                embedding *= NEGATIVE_PENALTY
            strength, name = fired_cues(text, self._cues.get(kind, ()))
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
    """Detect fallacies in `sentences`; see `FallacyDetector` to reuse the loaded model."""
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
    reason = cue or f"reads like typical {kind.replace('_', ' ')} in the training data"
    return f"{EXPLANATIONS[kind]} (cue: {reason})."
