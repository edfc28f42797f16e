"""Briefing: the Markdown report a reader gets, assembled only from values computed upstream.

A reader should be able to trust every line: each score says what it measures, transcript warnings are
shown where the recogniser struggled, and key insights say how they were chosen.
"""

from __future__ import annotations

from collections.abc import Sequence

from autointel.model import Analysis, Media, Transcript, Verdict, Verification
from autointel.model.result import Writing
from autointel.phases.explain import clock, deception_line, plural, quality_line, trust_line, verb, warning_lines
from autointel.phases.insights import INSIGHT_RULE, Insight
from autointel.phases.writing import sections


def render_briefing(
    media: Media,
    transcript: Transcript,
    analysis: Analysis,
    verification: Verification | None,
    deception_score: float | None,
    insights: Sequence[Insight] = (),
    writing: Writing | None = None,
) -> str:
    """`writing`: what an LLM wrote, shown labelled beside the local results (None: no LLM configured)."""
    lines = [f"# Intelligence briefing: {media.title}", "", "## Overview", ""]
    lines.append(
        f"Source `{media.source}` ({media.platform}), {media.duration_s:.0f} s, "
        f"{plural(len(transcript.segments), 'transcript segment')}, language {transcript.language}, "
        f"transcription quality {transcript.quality:.2f}."
    )
    lines += _warnings(transcript)
    lines += sections.briefing_lines(writing) if writing is not None else []
    summary = analysis.summary or "_The transcript is empty._"
    lines += ["", "## Summary", "", *sections.summary_lines(writing, summary), ""]
    lines += ["## Key Insights", "", f"_{INSIGHT_RULE}_", ""]
    lines += [f"- [{clock(i.start_s)}] \"{i.text}\" ({i.reason})" for i in insights] or ["- none"]
    lines += sections.insight_lines(writing)
    lines += ["", "## Themes", ""]
    lines += [_theme(t.label, t.weight, t.keywords) for t in analysis.themes] or ["- none"]
    lines += ["", "## Perspectives", ""]
    lines.append(f"- Present: {', '.join(analysis.perspectives.present) or 'none'}")
    lines.append(f"- Missing: {', '.join(analysis.perspectives.missing) or 'none'}")
    lines += ["", "## Fallacies", ""]
    found = [
        f"- [{clock(f.start_s)}] **{f.type.replace('_', ' ')}** ({f.confidence:.2f}): \"{f.quote}\" - {f.explanation}"
        f"{sections.fallacy_note(writing, i)}"
        for i, f in enumerate(analysis.fallacies)
    ]
    review = writing.fallacy_review if writing is not None else None
    found += [sections.format_added(f, clock(f.start_s)) for f in (review.added if review is not None else ())]
    lines += found or ["- none detected"]
    lines += ["", "## Verified Claims", "", *_claims(verification, writing)]
    lines += ["", "## Scores", "", *_scores(transcript, verification, deception_score)]
    lines += ["", "## Conclusion", "", _conclusion(analysis, verification, deception_score)]
    lines += sections.parts_lines(writing)
    return "\n".join([*lines, ""])


def _warnings(transcript: Transcript) -> list[str]:
    if not transcript.warnings:
        return []
    return ["", "## Transcript warnings", "", *(f"- {line}" for line in warning_lines(transcript.warnings))]


def _theme(label: str, weight: float, keywords: Sequence[str]) -> str:
    related = f": {', '.join(keywords)}" if keywords else ""
    return f"- **{label}** ({weight:.0%} of sentences){related}"


def _claims(verification: Verification | None, writing: Writing | None) -> list[str]:
    if verification is None:
        return ["- verification not run at this depth"]
    lines = []
    for index, claim in enumerate(verification.claims):
        source = f" (source: {claim.evidence[0].source})" if claim.evidence else ""
        lines.append(f"- [{clock(claim.start_s)}] **{claim.verdict.value}** ({claim.confidence:.2f}): "
                     f"\"{claim.text}\" - {claim.rationale}{source}{sections.verdict_note(writing, index, claim)}")
    return lines or ["- no check-worthy claims found"]


def _scores(transcript: Transcript, verification: Verification | None, deception_score: float | None) -> list[str]:
    lines = [quality_line(transcript.quality)]
    if verification is not None:
        lines.append(trust_line(verification.trust_score))
    if deception_score is not None:
        lines.append(deception_line(deception_score))
    return [f"- {line}" for line in lines]


def _conclusion(analysis: Analysis, verification: Verification | None, deception_score: float | None) -> str:
    parts = [f"Overall sentiment is {analysis.sentiment.label} ({analysis.sentiment.score:+.2f})."]
    flagged = len(analysis.fallacies)
    parts.append(f"{plural(flagged, 'potential fallacy', 'potential fallacies')} {verb(flagged, 'was', 'were')} "
                 "flagged.")
    if verification is not None:
        verdicts = [c.verdict for c in verification.claims]
        counts = [(verdicts.count(v), v.value) for v in Verdict]
        said = [f"{n} {verb(n)} {name}" for n, name in counts]
        parts.append(f"Of {plural(len(verdicts), 'claim')}, {said[0]}, {said[1]} and {said[2]}; "
                     f"trust score {verification.trust_score:.0f}/100.")
    if deception_score is not None:
        parts.append(f"Deception score {deception_score:.2f}.")
    return " ".join(parts)
