"""A deterministic CrewAI LLM that needs no network: it follows CrewAI's ReAct text protocol.

First turn: it names the task's single tool (`Action:`) with an empty input. After CrewAI appends
the tool's `Observation:`, it returns that observation as the `Final Answer:`. Each call waits as
the run's provider profile dictates, so benchmarks see provider-like latency and queueing.
"""

from __future__ import annotations

import re
from typing import Any

from crewai.llms.base_llm import BaseLLM
from pydantic import PrivateAttr

from autointel.llm.profiles import ProviderModel, approximate_tokens

_TOOL_NAME = re.compile(r"Tool Name: ([\w\-]+)")


def _text(message: Any) -> str:
    content = message.get("content", "") if isinstance(message, dict) else str(message)
    return content if isinstance(content, str) else str(content)


class OfflineLLM(BaseLLM):
    llm_type: str = "offline"
    _provider: ProviderModel | None = PrivateAttr(default=None)

    def bind(self, provider: ProviderModel) -> OfflineLLM:
        self._provider = provider
        return self

    def call(
        self,
        messages: Any,
        tools: Any = None,
        callbacks: Any = None,
        available_functions: Any = None,
        from_task: Any = None,
        from_agent: Any = None,
        response_model: Any = None,
    ) -> str:
        history = list(messages) if isinstance(messages, list) else [{"role": "user", "content": str(messages)}]
        texts = [_text(m) for m in history]
        answer = self._answer(history, texts)
        task = str(getattr(from_task, "name", None) or "unknown")
        if self._provider is None:
            return answer
        with self._provider.call(task, approximate_tokens(texts)) as completion:
            completion[0] = approximate_tokens([answer])
        return answer

    async def acall(self, *args: Any, **kwargs: Any) -> str:
        return self.call(*args, **kwargs)

    @staticmethod
    def _answer(history: list[Any], texts: list[str]) -> str:
        for message, text in zip(reversed(history), reversed(texts), strict=True):
            role = message.get("role") if isinstance(message, dict) else None
            if role == "assistant" and "Observation:" in text:
                observation = text.rsplit("Observation:", 1)[1].strip()
                return f"Thought: I now know the final answer\nFinal Answer: {observation}"
        system = next((t for t in texts if "Tool Name:" in t), "")
        match = _TOOL_NAME.search(system)
        if match is None:
            return "Thought: I have no tool for this task\nFinal Answer: no tool available"
        return f"Thought: I will run the step's tool\nAction: {match.group(1)}\nAction Input: {{}}"

    def get_input_tokens_count(self, messages: Any, tools: Any = None, response_model: Any = None) -> int:
        if isinstance(messages, str):
            return approximate_tokens([messages])
        return approximate_tokens([_text(m) for m in messages])

    def supports_function_calling(self) -> bool:
        return False

    def supports_stop_words(self) -> bool:
        return False

    def get_context_window_size(self) -> int:
        return 128_000
