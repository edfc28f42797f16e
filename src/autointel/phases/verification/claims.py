"""Check-worthy claim spotting: a learned score per sentence, over its embedding and a few cues.

Regexes for numbers, dates and names miss most real claims ("the deficit is the biggest problem we
have", "Donald thinks climate change is a hoax"), so a sentence is kept when a logistic model fitted on
public labelled debate sentences (`python -m autointel.training.checkworthy`) scores it above the
threshold chosen on held-out sentences. Each sentence is scored on its own shared embedding, so scoring
streams with the decoder; the cues (kinds) only label what a kept claim asserts.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
import numpy.typing as npt

from autointel.memory.embeddings import Embedder
from autointel.model import Claim
from autointel.phases.analysis.entities import candidate_names, extract_entities
from autointel.phases.text import Sentence
from autointel.phases.verification.numbers import Quantity, quantities

TOP_N = 8
MODEL_FILE = "checkworthy.npz"

_COMPARISON = re.compile(
    r"\b(?:more|less|fewer|greater|larger|smaller|bigger|higher|lower|faster|slower|cheaper|older|newer|"
    r"longer|shorter|better|worse|increased?|increases|increasing|decreased?|decreases|decreasing|rose|"
    r"risen|rises|fell|fallen|falls|grew|grown|grows|dropped|drops|declined?|declines|doubled|tripled|"
    r"halved|jumped|surged|plunged|climbed|shrank|shrunk|reduced|cut|record|only)\b"
)
_SUPERLATIVE = re.compile(
    r"\b(?:largest|biggest|highest|lowest|smallest|fastest|slowest|oldest|newest|longest|shortest|greatest|"
    r"worst|best|deadliest|richest|poorest|cheapest|busiest|first|last|most|least|\w{3,}iest)\b"
)
# An explicit comparison ("more workers than") is checkable without names or numbers.
_THAN = re.compile(r"\b(?:more|less|fewer|\w{3,}er) (?:\w+ ){0,3}than\b|\b(?:as \w+ as|compared (?:to|with))\b")
_CAUSE = re.compile(
    r"\b(?:because|caused?|causes|causing|due to|led to|leads? to|leading to|result(?:s|ed)? (?:of|in)|"
    r"as a result|thanks to|responsible for|blamed?|so that|therefore|contributed? to)\b"
)
_MONTH_DAY = re.compile(
    r"\b(?:january|february|march|april|may|june|july|august|september|october|november|december)"
    r"\s+\d{1,2}(?:st|nd|rd|th)?\b|\b\d{1,2}(?:st|nd|rd|th)? of (?:january|february|march|april|may|june|"
    r"july|august|september|october|november|december)\b|\b(?:1[5-9]|20)\d0s\b"
)
_QUESTION_START = re.compile(
    r"^(?:do|does|did|is|are|was|were|can|could|would|should|will|have|has|why|how|what|who|where|when)"
    r" (?:you|we|they|i|it|he|she|there|anyone|anybody|the|this|that)\b"
)
_NORMATIVE = re.compile(
    r"\b(?:should|must|need to|needs to|ought to|have to|has to|have got to|let's|let us|please|imagine)\b"
)
_OPINION = re.compile(
    r"\b(?:i think|i believe|i feel|in my opinion|i hope|i guess|personally|it seems to me|my view|i'm sure|"
    r"i am sure|i want|i'd like|i would like|i support|i oppose|i agree|i disagree)\b"
)
_HEDGE = re.compile(r"\b(?:maybe|perhaps|might|possibly|probably|could be|i suppose)\b")
_FUTURE = re.compile(r"\b(?:will|won't|i'll|we'll|going to|gonna|plan to|intend to|promise)\b")
_FIRST_PERSON = re.compile(r"\b(?:i|i'm|i've|i'd|me|my|mine)\b")
_SOCIAL = re.compile(
    r"\b(?:thank you|thanks|good evening|good morning|good night|hello|welcome|congratulations|"
    r"ladies and gentlemen|applause|laughter)\b"
)
_CUES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("comparison", _COMPARISON), ("than", _THAN), ("superlative", _SUPERLATIVE), ("cause", _CAUSE),
    ("normative", _NORMATIVE), ("opinion", _OPINION), ("hedge", _HEDGE), ("future", _FUTURE),
    ("first_person", _FIRST_PERSON), ("social", _SOCIAL),
)
LEXICAL_FEATURES: tuple[str, ...] = (
    "number", "date", "name", *(name for name, _ in _CUES), "question", "log_words",
)

Vector = npt.NDArray[np.float64]


class ClaimSpotter:
    """The part of claim spotting that needs no other sentence (the quantities a sentence states).

    Computed once per sentence: by the consumers that follow transcription while it still runs, or else
    at extraction (under the lock, so two consumers never both compute one sentence; a sentence takes
    microseconds). Which entities name a claim needs the whole talk, so that waits.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._found: dict[str, tuple[Quantity, ...]] = {}

    def spot(self, text: str) -> tuple[Quantity, ...]:
        lowered = _lowered(text)
        with self._lock:
            known = self._found.get(lowered)
            if known is None:
                known = self._found[lowered] = quantities(lowered)
        return known

    def __len__(self) -> int:
        with self._lock:
            return len(self._found)

    def __contains__(self, text: object) -> bool:
        """Whether this sentence was spotted already."""
        with self._lock:
            return isinstance(text, str) and _lowered(text) in self._found


@dataclass(frozen=True)
class CheckworthyModel:
    """Logistic regression over [sentence embedding, lexical features]; `threshold` was tuned on dev."""

    coef: Vector
    intercept: float
    threshold: float
    features: tuple[str, ...]

    def probabilities(self, rows: Vector) -> Vector:
        logits = rows @ self.coef + self.intercept
        return np.asarray(1.0 / (1.0 + np.exp(-logits)), dtype=np.float64)

    def scores(self, rows: Vector, texts: Sequence[str]) -> Vector:
        """Probabilities, with questions at zero: a question asserts nothing evidence could settle."""
        asked = np.array([is_question(t) for t in texts], dtype=bool)
        return np.where(asked, 0.0, self.probabilities(rows))


def model_path() -> Path:
    return Path(str(resources.files("autointel") / "data" / "models" / MODEL_FILE))


def load_model(path: Path | None = None) -> CheckworthyModel:
    """The shipped coefficients (or those at `path`); refuses a file fitted on other features."""
    with np.load(path or model_path()) as data:
        features = tuple(str(f) for f in data["features"])
        if features != LEXICAL_FEATURES:
            raise ValueError(f"check-worthiness model was fitted on features {features}, not {LEXICAL_FEATURES}")
        return CheckworthyModel(np.asarray(data["coef"], dtype=np.float64), float(data["intercept"]),
                                float(data["threshold"]), features)


def lexical_features(text: str, found: Sequence[Quantity] | None = None) -> tuple[float, ...]:
    """The cheap cues, in `LEXICAL_FEATURES` order (`found`: the sentence's quantities, if spotted already)."""
    lowered = _lowered(text)
    found = quantities(lowered) if found is None else found
    cues = [float(bool(pattern.search(lowered))) for _, pattern in _CUES]
    question = is_question(text)
    words = len(lowered.split())
    return (float(any(q.kind != "year" for q in found)), float(_has_date(lowered, found)),
            float(bool(candidate_names(text))), *cues, float(question), float(np.log1p(words)))


def is_question(text: str) -> bool:
    lowered = _lowered(text)
    return lowered.endswith("?") or bool(_QUESTION_START.match(lowered))


def feature_rows(texts: Sequence[str], embedder: Embedder, spotter: ClaimSpotter | None = None) -> Vector:
    """One row per text: its (cached) embedding then its lexical features."""
    vectors = np.asarray(embedder.embed(list(texts)), dtype=np.float64)
    spot = spotter.spot if spotter is not None else None
    lexical = [lexical_features(t, spot(t) if spot else None) for t in texts]
    return np.hstack([vectors, np.asarray(lexical, dtype=np.float64).reshape(len(texts), len(LEXICAL_FEATURES))])


def checkworthy_scores(
    texts: Sequence[str], embedder: Embedder, spotter: ClaimSpotter | None = None,
    model: CheckworthyModel | None = None,
) -> tuple[float, ...]:
    """Probability that each text is a check-worthy factual claim."""
    if not texts:
        return ()
    model = model or load_model()
    return tuple(float(p) for p in model.scores(feature_rows(texts, embedder, spotter), texts))


def extract_claims(
    sentences: Sequence[Sentence], exhaustive: bool, embedder: Embedder, spotter: ClaimSpotter | None = None,
    model: CheckworthyModel | None = None,
) -> tuple[Claim, ...]:
    """Check-worthy sentences in transcript order: all of them, or the `TOP_N` most check-worthy."""
    if not sentences:
        return ()
    model = model or load_model()
    spotter = spotter or ClaimSpotter()
    scores = checkworthy_scores([s.text for s in sentences], embedder, spotter, model)
    kept = [i for i, score in enumerate(scores) if score >= model.threshold]
    if not exhaustive:
        kept = sorted(sorted(kept, key=lambda i: (-scores[i], i))[:TOP_N])
    entities = [e for e in extract_entities(sentences) if len(e) > 1]
    return tuple(Claim(sentences[i].text, sentences[i].start_s, claim_kinds(sentences[i].text, entities, spotter))
                 for i in kept)


def claim_kinds(text: str, entities: Sequence[str], spotter: ClaimSpotter | None = None) -> tuple[str, ...]:
    """What a kept claim asserts: number, date, entity, comparison, superlative, cause, else statement."""
    lowered = _lowered(text)
    found = spotter.spot(text) if spotter is not None else quantities(lowered)
    kinds: list[str] = []
    if any(q.kind != "year" for q in found):
        kinds.append("number")
    if _has_date(lowered, found):
        kinds.append("date")
    if candidate_names(text) or any(re.search(rf"(?<!\w){re.escape(e)}(?!\w)", text) for e in entities):
        kinds.append("entity")
    if _COMPARISON.search(lowered) or _THAN.search(lowered):
        kinds.append("comparison")
    if _SUPERLATIVE.search(lowered):
        kinds.append("superlative")
    if _CAUSE.search(lowered):
        kinds.append("cause")
    return tuple(kinds) or ("statement",)


def _has_date(lowered: str, found: Sequence[Quantity]) -> bool:
    return any(q.kind == "year" for q in found) or bool(_MONTH_DAY.search(lowered))


def _lowered(text: str) -> str:
    return " ".join(text.lower().replace("\u2019", "'").split())
