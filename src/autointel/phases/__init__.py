"""Phases: plain functions over typed values. Nothing here imports CrewAI or the harness."""

# The one ordered list of phases; depths cut it, engines schedule its steps.
PHASES: tuple[str, ...] = ("acquisition", "transcription", "analysis", "verification", "integration", "briefing")
