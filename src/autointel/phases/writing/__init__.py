"""LLM-written parts of a briefing, on top of the local analysers: each part's output is validated against the
transcript, the evidence or the structured results it was written from, and falls back to the local result."""

from autointel.phases.writing.briefing import write_briefing
from autointel.phases.writing.fallacy_review import review_fallacies
from autointel.phases.writing.summary import write_summary
from autointel.phases.writing.verdicts import read_verdict
from autointel.phases.writing.writer import Ask, Writer

__all__ = ["Ask", "Writer", "read_verdict", "review_fallacies", "write_briefing", "write_summary"]
