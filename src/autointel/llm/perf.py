"""Where a local call's time went, as llama.cpp itself reports it: each request a server process answers ends with
`llama_perf_context_print` lines in its log (prompt evaluation, generation, total), in the order it answered them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_LINE = re.compile(r"llama_perf_context_print:\s+(prompt eval time|eval time|total time)\s+=\s+([\d.]+) ms\s*/\s*(\d+)")


@dataclass(frozen=True)
class ServerTiming:
    prompt_s: float  # evaluating the prompt
    prompt_tokens: int
    generate_s: float  # producing the answer's tokens
    generated: int
    total_s: float  # the request inside the server (sampling under the JSON grammar is the rest)


def parse_timings(log: str) -> list[ServerTiming]:
    """One timing per request the server answered, in order (an unfinished block at the end is left out)."""
    found: list[ServerTiming] = []
    block: dict[str, tuple[float, int]] = {}
    for match in _LINE.finditer(log):
        kind, ms, count = match.group(1), float(match.group(2)), int(match.group(3))
        block[kind] = (ms / 1000.0, count)
        if kind == "total time":
            prompt = block.get("prompt eval time", (0.0, 0))
            generate = block.get("eval time", (0.0, 0))
            found.append(ServerTiming(prompt[0], prompt[1], generate[0], generate[1], ms / 1000.0))
            block = {}
    return found
