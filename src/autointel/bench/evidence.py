"""What an autointel run proves about itself: the structure it built and the work it did.

The harness (`measure.check_validity`) compares the structure with the one the requested flags should build
(the old harness trusted its settings and leaked flags between combinations); equal digests across combinations
show the work was the same.
"""

from __future__ import annotations

import hashlib
from typing import Any

from autointel.engines.plan import build_plan
from autointel.model import RunResult
from autointel.settings import AGENTIC_ENGINES, Settings


def expected_fingerprint(settings: Settings) -> str:
    """The structure the settings must produce: the plan's, the crew layout's or the flow's."""
    plan = build_plan(settings.depth, settings.flags, settings.fact_check_workers)
    if settings.engine == "flow":
        from autointel.engines.crewai_adapter.flow import describe_flow

        return str(describe_flow(plan)["fingerprint"])
    if settings.engine == "crew":
        from autointel.engines.crewai_adapter.crew_layout import crew_layout, describe_layout  # heavy: only when asked

        return str(describe_layout(crew_layout(plan))["fingerprint"])
    return str(plan.describe()["fingerprint"])


def actual_fingerprint(result: RunResult) -> str | None:
    info = result.crew if result.engine in AGENTIC_ENGINES else result.plan
    value = (info or {}).get("fingerprint")
    return None if value is None else str(value)


def digest_of(result: RunResult | None) -> dict[str, Any]:
    """What the run produced, order-independent: equal digests mean the same work was done."""
    if result is None:
        return {}
    claims = result.verification.claims if result.verification else ()
    text = result.transcript.text if result.transcript else None
    return {
        "transcript_sha256": hashlib.sha256(text.encode()).hexdigest() if text is not None else None,
        "claims": len(claims),
        "verdicts": [c.verdict.value for c in sorted(claims, key=lambda c: (c.start_s, c.text))],
        "fallacies": sorted(f.type for f in result.analysis.fallacies) if result.analysis else None,
        "media_duration_s": round(result.media.duration_s, 3) if result.media else None,
        # An LLM's text varies between runs (parallel slots batch differently): its parts count by structure only.
        **({"llm_parts": sorted(p.name for p in result.writing.parts)} if result.writing is not None else {}),
    }
