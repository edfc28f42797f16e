"""Lexicon sentiment with negation, intensifiers and "but" shifts, in the spirit of VADER.

A talk is rarely uniformly positive or negative, so each sentence gets a compound score and the
talk's score is their mean; the positive/negative fields are shares of sentences past a threshold.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from autointel.model import Sentiment
from autointel.phases.analysis.common import data_lines, words
from autointel.phases.text import Sentence

NEGATIONS = frozenset(
    {"not", "no", "never", "none", "nobody", "nothing", "neither", "nor", "without", "hardly", "barely",
     "cannot", "can't", "don't", "doesn't", "didn't", "isn't", "aren't", "wasn't", "weren't", "won't",
     "wouldn't", "shouldn't", "couldn't", "haven't", "hasn't", "hadn't", "ain't"}
)
BOOSTERS = {
    "very": 0.3, "extremely": 0.4, "really": 0.25, "so": 0.2, "incredibly": 0.4, "absolutely": 0.35,
    "totally": 0.3, "completely": 0.3, "deeply": 0.3, "truly": 0.25, "highly": 0.3, "hugely": 0.35,
    "enormously": 0.4, "especially": 0.2, "most": 0.2, "utterly": 0.4,
}
DAMPENERS = {"slightly": -0.3, "somewhat": -0.3, "fairly": -0.2, "rather": -0.15, "little": -0.2, "mildly": -0.3,
             "partly": -0.25, "almost": -0.2, "marginally": -0.35}
NEGATION_FACTOR = -0.7
NEGATION_WINDOW = 3
ALPHA = 15.0  # normalisation constant of the compound score
SENTENCE_THRESHOLD = 0.05
TALK_THRESHOLD = 0.05


def load_lexicon() -> dict[str, float]:
    lexicon: dict[str, float] = {}
    for line in data_lines("sentiment_lexicon.tsv"):
        word, value = line.split("\t")
        lexicon[word] = float(value)
    return lexicon


def analyze_sentiment(sentences: Sequence[Sentence]) -> Sentiment:
    """Mean compound score over sentences; label positive/negative past +-0.05, else neutral."""
    if not sentences:
        return Sentiment("neutral", 0.0, 0.0, 0.0)
    lexicon = load_lexicon()
    scores = [sentence_score(s.text, lexicon) for s in sentences]
    mean = sum(scores) / len(scores)
    positive = sum(1 for s in scores if s >= SENTENCE_THRESHOLD) / len(scores)
    negative = sum(1 for s in scores if s <= -SENTENCE_THRESHOLD) / len(scores)
    label = "positive" if mean >= TALK_THRESHOLD else "negative" if mean <= -TALK_THRESHOLD else "neutral"
    return Sentiment(label, round(mean, 4), round(positive, 4), round(negative, 4))


def sentence_score(text: str, lexicon: dict[str, float]) -> float:
    """Compound valence in -1..1 of one sentence."""
    tokens = words(text)
    valences: list[float] = []
    for i, token in enumerate(tokens):
        base = lexicon.get(token)
        if base is None:
            valences.append(0.0)
            continue
        value = base
        for j in range(max(0, i - NEGATION_WINDOW), i):
            value += base * (BOOSTERS.get(tokens[j], 0.0) + DAMPENERS.get(tokens[j], 0.0))
        if any(t in NEGATIONS or t.endswith("n't") for t in tokens[max(0, i - NEGATION_WINDOW) : i]):
            value *= NEGATION_FACTOR
        valences.append(value)
    if "but" in tokens:  # the clause after "but" carries the speaker's real stance
        pivot = tokens.index("but")
        valences = [v * 0.5 if i < pivot else v * 1.5 for i, v in enumerate(valences)]
    total = sum(valences)
    if text.rstrip().endswith("!") and total:
        total += math.copysign(0.3, total)
    return total / math.sqrt(total * total + ALPHA)
