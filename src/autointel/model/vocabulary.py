"""The names of the run's phases and step kinds, defined once: settings validate against them, the engines
schedule them, the reports order by them."""

from __future__ import annotations

# The one ordered list of phases; depths cut it, engines schedule its steps.
PHASES: tuple[str, ...] = ("acquisition", "transcription", "analysis", "verification", "integration", "briefing")

# Every kind of step a plan can hold (engines.steps maps each to its function; a test keeps the two equal).
STEP_KINDS: tuple[str, ...] = (
    "acquire", "transcribe", "text_analysis", "fallacy_detection", "perspective_synthesis", "analysis_integration",
    "index_evidence", "claim_extraction", "fact_check", "verification_integration", "memory_store", "graph_build",
    "briefing",
)
