"""Briefing: the Markdown report a reader gets, assembled only from values computed upstream."""

from __future__ import annotations

from autointel.model import Analysis, Media, Transcript, Verdict, Verification


def _clock(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes:02d}:{secs:02d}"


def render_briefing(
    media: Media,
    transcript: Transcript,
    analysis: Analysis,
    verification: Verification | None,
    deception_score: float | None,
) -> str:
    lines = [f"# Intelligence briefing: {media.title}", "", "## Overview", ""]
    lines.append(
        f"Source `{media.source}` ({media.platform}), {media.duration_s:.0f} s, "
        f"{len(transcript.segments)} transcript segments, language {transcript.language}, "
        f"transcription quality {transcript.quality:.2f}."
    )
    lines += ["", "## Key Insights", "", analysis.summary or "_The transcript is empty._", ""]
    lines += ["## Themes", ""]
    lines += [f"- **{t.label}** ({t.weight:.0%}): {', '.join(t.keywords)}" for t in analysis.themes] or ["- none"]
    lines += ["", "## Perspectives", ""]
    lines.append(f"- Present: {', '.join(analysis.perspectives.present) or 'none'}")
    lines.append(f"- Missing: {', '.join(analysis.perspectives.missing) or 'none'}")
    lines += ["", "## Fallacies", ""]
    lines += [
        f"- [{_clock(f.start_s)}] **{f.type.replace('_', ' ')}** ({f.confidence:.2f}): \"{f.quote}\" - {f.explanation}"
        for f in analysis.fallacies
    ] or ["- none detected"]
    lines += ["", "## Verified Claims", ""]
    if verification is None:
        lines.append("- verification not run at this depth")
    else:
        for claim in verification.claims:
            source = f" (source: {claim.evidence[0].source})" if claim.evidence else ""
            lines.append(f"- [{_clock(claim.start_s)}] **{claim.verdict.value}** ({claim.confidence:.2f}): "
                         f"\"{claim.text}\" - {claim.rationale}{source}")
        if not verification.claims:
            lines.append("- no check-worthy claims found")
    lines += ["", "## Conclusion", "", _conclusion(analysis, verification, deception_score), ""]
    return "\n".join(lines)


def _conclusion(analysis: Analysis, verification: Verification | None, deception_score: float | None) -> str:
    parts = [f"Overall sentiment is {analysis.sentiment.label} ({analysis.sentiment.score:+.2f})."]
    parts.append(f"{len(analysis.fallacies)} potential fallacies were flagged.")
    if verification is not None:
        verdicts = [c.verdict for c in verification.claims]
        parts.append(
            f"Of {len(verdicts)} claims, {verdicts.count(Verdict.SUPPORTED)} are supported, "
            f"{verdicts.count(Verdict.CONTRADICTED)} contradicted and "
            f"{verdicts.count(Verdict.UNVERIFIABLE)} unverifiable; trust score {verification.trust_score:.0f}/100."
        )
    if deception_score is not None:
        parts.append(f"Deception score {deception_score:.2f} (0 = none, 1 = high).")
    return " ".join(parts)
