"""A run's LLM writing: every call is recorded with its tokens, every part ends written or fallen back, with why.

Steps run in parallel, so the writer is shared and locked. A part's function gets an `Ask` (system, user, schema,
max tokens -> the parsed JSON object) and returns its validated output or raises `ChatError`; the writer turns
that into the part's record, and the step keeps the local result when the part fell back.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

from autointel.llm.chat import Chat, ChatError, ChatUnavailable, parse_object
from autointel.llm.perf import ServerTiming
from autointel.model.result import (
    FALLBACK,
    PART_NAMES,
    WRITTEN,
    FallacyReview,
    LLMCall,
    LLMPart,
    LLMVerdict,
    Usage,
    Writing,
)

Ask = Callable[[str, str, Mapping[str, Any], int], dict[str, Any]]
T = TypeVar("T")


@dataclass
class _Outcomes:
    step: str
    written: int = 0
    reasons: list[str] = field(default_factory=list)


class Writer:
    def __init__(self, chat: Chat, now: Callable[[], float]) -> None:
        self.chat = chat
        self._now = now
        self._lock = threading.Lock()
        self._calls: list[LLMCall] = []
        self._outcomes: dict[str, _Outcomes] = {}
        self.summary: str | None = None
        self.insights: tuple[str, ...] = ()
        self.review: FallacyReview | None = None
        self.briefing: str | None = None
        self._verdicts: dict[int, LLMVerdict] = {}

    def attempt(self, part: str, step: str, write: Callable[[Ask], T]) -> T | None:
        """`write`'s validated output, or None when the model failed or its answer did not hold (recorded)."""
        def ask(system: str, user: str, schema: Mapping[str, Any], max_tokens: int) -> dict[str, Any]:
            return self._ask(part, step, system, user, schema, max_tokens)

        try:
            value = write(ask)
        except ChatError as exc:
            self._outcome(part, step, str(exc))
            return None
        self._outcome(part, step, None)
        return value

    def add_verdict(self, verdict: LLMVerdict) -> None:
        with self._lock:
            self._verdicts[verdict.claim_index] = verdict

    def _ask(self, part: str, step: str, system: str, user: str, schema: Mapping[str, Any],
             max_tokens: int) -> dict[str, Any]:
        start = self._now()
        try:
            done = self.chat.complete(system, user, schema, max_tokens)
        except ChatUnavailable:
            raise  # no request was sent: nothing to record but the part's fallback
        except ChatError as exc:
            self._record(LLMCall(part, step, start, self._now() - start, 0, 0, False, str(exc), sequence=-1))
            raise
        self._record(LLMCall(part, step, start, done.seconds, done.prompt_tokens, done.completion_tokens, True,
                             queued_s=done.queued_s, slot=done.slot, sequence=done.sequence))
        try:
            return parse_object(done.text)
        except ChatError as exc:
            if done.cut:
                raise ChatError(f"the answer was cut at the limit of {max_tokens} tokens ({exc})") from None
            raise

    def _record(self, call: LLMCall) -> None:
        with self._lock:
            self._calls.append(call)

    def _outcome(self, part: str, step: str, reason: str | None) -> None:
        with self._lock:
            outcomes = self._outcomes.setdefault(part, _Outcomes(step))
            if reason is None:
                outcomes.written += 1
            else:
                outcomes.reasons.append(reason)

    def writing(self, price: Callable[[int, int], float | None] = lambda p, c: None,
                timings: Mapping[int, Sequence[ServerTiming]] | None = None) -> Writing:
        """Everything written so far, as the result's `writing` section (`price`: tokens -> cost, if known;
        `timings`: per slot, the local server's own account of each request, by its sequence number)."""
        with self._lock:
            calls = tuple(sorted((_timed(c, timings or {}) for c in self._calls), key=lambda c: (c.start_s, c.part)))
            outcomes = dict(self._outcomes)
            verdicts = tuple(self._verdicts[i] for i in sorted(self._verdicts))
        parts = tuple(_part(name, outcomes[name], calls, price) for name in PART_NAMES if name in outcomes)
        return Writing(self.chat.model, self.summary, self.insights, self.review, verdicts, self.briefing, parts,
                       calls, usage(calls, price))


def _timed(call: LLMCall, timings: Mapping[int, Sequence[ServerTiming]]) -> LLMCall:
    found = timings.get(call.slot, ())
    if not 0 <= call.sequence < len(found):
        return call
    t = found[call.sequence]
    return replace(call, prompt_s=round(t.prompt_s, 6), generate_s=round(t.generate_s, 6), server_s=round(t.total_s, 6))


def usage(calls: tuple[LLMCall, ...], price: Callable[[int, int], float | None]) -> Usage:
    prompt, completion = sum(c.prompt_tokens for c in calls), sum(c.completion_tokens for c in calls)
    return Usage(len(calls), prompt, completion, round(sum(c.seconds for c in calls), 6), price(prompt, completion))


def _part(name: str, outcomes: _Outcomes, calls: tuple[LLMCall, ...],
          price: Callable[[int, int], float | None]) -> LLMPart:
    """A part is written when any of its attempts was (verdicts: one per claim); the reason says what fell back."""
    mine = tuple(c for c in calls if c.part == name)
    status = WRITTEN if outcomes.written else FALLBACK
    total = outcomes.written + len(outcomes.reasons)
    if not outcomes.reasons:
        reason = ""
    elif total == 1:
        reason = outcomes.reasons[0]
    else:
        reason = f"{len(outcomes.reasons)} of {total} fell back; first: {outcomes.reasons[0]}"
    return LLMPart(name, outcomes.step, status, reason, usage(mine, price))
