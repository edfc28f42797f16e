"""The briefing's lines about what the LLM wrote: its text is labelled as the model's, beside the local result."""

from __future__ import annotations

from autointel.model import CheckedClaim, Fallacy
from autointel.model.result import WRITTEN, LLMVerdict, Writing


def briefing_lines(writing: Writing) -> list[str]:
    if writing.briefing is None:
        return []
    return ["", f"## Briefing (written by {writing.model})", "", writing.briefing]


def summary_lines(writing: Writing | None, local: str) -> list[str]:
    if writing is None or writing.summary is None:
        return [local]
    return [f"_Written by {writing.model} from the transcript:_", "", writing.summary, "",
            "_Extractive (sentences as spoken):_", "", local]


def insight_lines(writing: Writing | None) -> list[str]:
    if writing is None or not writing.insights:
        return []
    return ["", f"_Written by {writing.model} from the transcript:_", "", *(f"- {i}" for i in writing.insights)]


def fallacy_note(writing: Writing | None, index: int) -> str:
    review = writing.fallacy_review if writing is not None else None
    if review is None:
        return ""
    if index in review.confirmed:
        return " (LLM review: confirmed)"
    if index in review.rejected:
        return " (LLM review: rejected)"
    return ""


def format_added(fallacy: Fallacy, clock: str) -> str:
    return f"- [{clock}] **{fallacy.type.replace('_', ' ')}** (added by the LLM review): \"{fallacy.quote}\""


def verdict_note(writing: Writing | None, index: int, claim: CheckedClaim) -> str:
    found = _verdict(writing, index)
    if found is None:
        return ""
    agreement = "agrees" if found.agrees else f"the checker says {claim.verdict.value}"
    quote = f" \"{found.quote}\"" if found.quote else ""
    return f"\n  - LLM reading: **{found.verdict.value}**{quote} - {found.rationale} ({agreement})"


def _verdict(writing: Writing | None, index: int) -> LLMVerdict | None:
    if writing is None:
        return None
    return next((v for v in writing.verdicts if v.claim_index == index), None)


def parts_lines(writing: Writing | None) -> list[str]:
    if writing is None:
        return []
    u = writing.usage
    lines = ["", "## LLM parts", "",
             f"Model {writing.model}: {u.calls} calls, {u.prompt_tokens} prompt and {u.completion_tokens} "
             f"completion tokens, {u.seconds:.1f} s.", ""]
    for part in writing.parts:
        state = "written" if part.status == WRITTEN else "fell back to the local result"
        why = f" ({part.reason})" if part.reason else ""
        lines.append(f"- {part.name}: {state}{why}; {part.usage.calls} calls, "
                     f"{part.usage.prompt_tokens + part.usage.completion_tokens} tokens")
    return lines
