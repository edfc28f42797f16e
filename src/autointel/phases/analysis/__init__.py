"""Deterministic, local talk analysis: summary, themes, sentiment, fallacies, perspectives, entities.

Every function is independent (the engine may run them in parallel) and takes sentences from
`autointel.phases.text.split_sentences`; `analyze` is the sequential convenience.
"""

from __future__ import annotations

from autointel.memory.embeddings import Embedder
from autointel.model import Analysis, Transcript
from autointel.phases.analysis.entities import extract_entities
from autointel.phases.analysis.fallacies import FALLACY_TYPES, FallacyDetector, FallacyExemplars, detect_fallacies
from autointel.phases.analysis.perspectives import synthesize_perspectives
from autointel.phases.analysis.sentiment import analyze_sentiment
from autointel.phases.analysis.summary import summarize
from autointel.phases.analysis.themes import extract_themes
from autointel.phases.text import split_sentences

__all__ = [
    "FALLACY_TYPES",
    "FallacyDetector",
    "FallacyExemplars",
    "analyze",
    "analyze_sentiment",
    "detect_fallacies",
    "extract_entities",
    "extract_themes",
    "summarize",
    "synthesize_perspectives",
]


def analyze(transcript: Transcript, embedder: Embedder, detector: FallacyDetector | None = None) -> Analysis:
    """Run every analysis step on one transcript, one after another (pass `detector` to reuse exemplars)."""
    sentences = split_sentences(transcript)
    return Analysis(
        summary=summarize(sentences, embedder),
        themes=extract_themes(sentences, embedder),
        sentiment=analyze_sentiment(sentences),
        fallacies=detector.detect(sentences) if detector else detect_fallacies(sentences, embedder),
        perspectives=synthesize_perspectives(sentences, embedder),
    )
