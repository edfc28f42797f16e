"""A short briefing written by the model from the run's structured results, never from its own knowledge.

The model sees only the facts the local phases established (summary, themes, sentiment, fallacies, verdicts,
trust score); every figure it writes must be one of those facts' figures, and most of its words theirs.
"""

from __future__ import annotations

from typing import Any

from autointel.llm.chat import ChatError
from autointel.model import Analysis, Verification
from autointel.phases.verification.features import content_words
from autointel.phases.writing.grounding import one_line, require_grounded, unknown_figures
from autointel.phases.writing.writer import Ask

SYSTEM = ("You write a short intelligence briefing (at most five sentences) from the facts given, for a busy "
          "reader. Use only those facts. Reply with JSON: briefing.")
SCHEMA: dict[str, Any] = {"type": "object", "properties": {"briefing": {"type": "string"}}, "required": ["briefing"]}
GROUNDED = 0.5


def facts(title: str, analysis: Analysis, verification: Verification | None) -> str:
    """The structured results as short lines: what the model may write from."""
    lines = [f"Title: {title}", f"Summary: {analysis.summary}",
             "Themes: " + ", ".join(t.label for t in analysis.themes[:5]),
             f"Sentiment: {analysis.sentiment.label}"]
    lines += [f"Fallacy ({f.type.replace('_', ' ')}): {f.quote}" for f in analysis.fallacies[:3]]
    if verification is not None:
        lines += [f"Claim ({c.verdict.value}): {c.text}" for c in verification.claims[:6]]
        lines.append(f"Trust score: {verification.trust_score:.0f} of 100")
    return "\n".join(lines)


def write_briefing(ask: Ask, source_facts: str) -> str:
    answer = ask(SYSTEM, f"Facts:\n{source_facts}", SCHEMA, 260)
    text = one_line(answer.get("briefing"), 1500, "the briefing")
    invented = unknown_figures(text, source_facts)
    if invented:
        raise ChatError(f"the briefing states figures the results do not ({', '.join(invented[:3])})")
    require_grounded(text, content_words(source_facts), GROUNDED, "the briefing")
    return text
