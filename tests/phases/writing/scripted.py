"""A scripted stand-in for the `Chat` seam (autointel.llm.chat.Chat): answers from a list, records what was asked.

The real client is tested against llama.cpp's server in tests/llm/test_local_llm.py.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from autointel.llm.chat import ChatError, Completion

Answer = str | dict[str, Any] | ChatError | Callable[[str], str | dict[str, Any]]


@dataclass
class ScriptedChat:
    answers: Sequence[Answer]
    cut: bool = False
    asked: list[tuple[str, str]] = field(default_factory=list)

    @property
    def model(self) -> str:
        return "scripted"

    def complete_ask(self) -> Callable[[str, str, Mapping[str, Any], int], dict[str, Any]]:
        """This script as a writing phase's `Ask` (answers parsed, nothing recorded)."""
        from autointel.llm.chat import parse_object

        def ask(system: str, user: str, schema: Mapping[str, Any], max_tokens: int) -> dict[str, Any]:
            return parse_object(self.complete(system, user, schema, max_tokens).text)

        return ask

    def complete(self, system: str, user: str, schema: Mapping[str, Any], max_tokens: int) -> Completion:
        answer = self.answers[min(len(self.asked), len(self.answers) - 1)]
        self.asked.append((system, user))
        if isinstance(answer, ChatError):
            raise answer
        if callable(answer):
            answer = answer(user)
        text = answer if isinstance(answer, str) else json.dumps(answer)
        return Completion(text, 10, 5, 0.01, self.cut)
