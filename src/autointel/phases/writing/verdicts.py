"""The model's verdict on one claim, read from the checker's retrieved evidence, with a quote that must be there.

The verdict comes from a closed label set and, unless it is unverifiable, cites a passage of the evidence word for
word; a one-line rationale says why. It stands beside the trained checker's verdict, which keeps deciding the
trust score: the result says where the two agree.
"""

from __future__ import annotations

from typing import Any

from autointel.llm.chat import ChatError
from autointel.model import CheckedClaim, Verdict
from autointel.model.result import LLMVerdict
from autointel.phases.writing.grounding import find_quote, one_line
from autointel.phases.writing.writer import Ask

SYSTEM = ("You check a claim against evidence. Reply with JSON: verdict (supported, contradicted or "
          "unverifiable), quote (the evidence sentence your verdict rests on, copied word for word) and "
          "rationale (one line).")
SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"verdict": {"type": "string", "enum": [v.value for v in Verdict]},
                   "quote": {"type": "string"}, "rationale": {"type": "string"}},
    "required": ["verdict", "quote", "rationale"],
}


def read_verdict(ask: Ask, index: int, checked: CheckedClaim) -> LLMVerdict:
    """The model's verdict on claim `index`; ChatError when it has no evidence to read or its answer does not hold."""
    passages = [e.text for e in checked.evidence]
    if not passages:
        raise ChatError("no evidence passage to read")
    evidence = "\n".join(f"- {p}" for p in passages)
    answer = ask(SYSTEM, f"Claim: {checked.text}\nEvidence:\n{evidence}", SCHEMA, 120)
    try:
        verdict = Verdict(str(answer.get("verdict")))
    except ValueError:
        raise ChatError(f"the verdict {answer.get('verdict')!r} is not one of the labels") from None
    rationale = one_line(answer.get("rationale"), 300, "the rationale")
    quote = answer.get("quote")
    text = quote.strip() if isinstance(quote, str) else ""
    if verdict is not Verdict.UNVERIFIABLE and find_quote(text, passages) is None:
        raise ChatError("the quote is not in the evidence")
    return LLMVerdict(index, verdict, text if verdict is not Verdict.UNVERIFIABLE else "", rationale,
                      verdict is checked.verdict)
