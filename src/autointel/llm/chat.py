"""One JSON-answering chat call to an OpenAI-compatible server: the seam between the writing phases and a model.

The phases ask for a JSON object that matches a schema and get text plus token counts back; how the schema is
enforced differs by server (llama.cpp takes it inside `json_object` and turns it into a grammar, OpenAI takes a
strict `json_schema`), so that choice lives here. A failed call raises `ChatError`; after a failure no retry can
cure (the server is gone, the key is rejected, a call timed out) every later call fails at once, so a dead server
costs a run one timeout, not one per part.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from autointel.errors import AutointelError, first_line
from autointel.llm.guard import is_fatal

SchemaStyle = str  # "grammar" (llama.cpp: json_object + schema) | "strict" (OpenAI: json_schema) | "none"
SCHEMA_STYLES = ("grammar", "strict", "none")


class ChatError(AutointelError):
    """A call gave no usable answer (one line: why)."""


class ChatUnavailable(ChatError):
    """No call was made: an earlier call failed in a way no retry can cure."""


@dataclass(frozen=True)
class Completion:
    text: str
    prompt_tokens: int
    completion_tokens: int
    seconds: float
    cut: bool = False  # the answer reached the token limit (its JSON is likely unfinished)
    queued_s: float = 0.0  # waiting for a free slot before the request was sent (`pool.ChatPool`)
    slot: int = 0  # the server process that answered, and its request count before this one
    sequence: int = -1


class Chat(Protocol):
    """What the writing phases need of a model."""

    @property
    def model(self) -> str: ...

    def complete(self, system: str, user: str, schema: Mapping[str, Any], max_tokens: int) -> Completion: ...


class OpenAIChat:
    """A chat model behind an OpenAI-compatible endpoint (llama.cpp's server, OpenAI), temperature 0; `base_url`
    and `api_key` None: the SDK's own (`OPENAI_BASE_URL`, `OPENAI_API_KEY`)."""

    def __init__(self, base_url: str | None, model: str, *, api_key: str | None = "none", timeout_s: float = 120.0,
                 retries: int = 0, style: SchemaStyle = "grammar", seed: int = 0) -> None:
        import openai

        if style not in SCHEMA_STYLES:
            raise ValueError(f"schema style {style!r} is not one of {SCHEMA_STYLES}")
        self._client = openai.OpenAI(base_url=base_url, api_key=api_key, timeout=timeout_s, max_retries=retries)
        self._model, self._style, self._seed = model, style, seed
        self._dead: str | None = None
        self._lock = threading.Lock()

    @property
    def model(self) -> str:
        return self._model

    def complete(self, system: str, user: str, schema: Mapping[str, Any], max_tokens: int) -> Completion:
        with self._lock:
            dead = self._dead
        if dead is not None:
            raise ChatUnavailable(f"the model is unavailable since an earlier call failed ({dead})")
        messages: Sequence[Mapping[str, str]] = ({"role": "system", "content": system},
                                                 {"role": "user", "content": user})
        start = time.perf_counter()
        try:
            response = self._client.chat.completions.create(
                model=self._model, messages=messages,  # type: ignore[arg-type]
                max_tokens=max_tokens, temperature=0.0, seed=self._seed, **self._format(schema))
        except Exception as exc:  # the SDK's errors, connection refused, timeouts: each ends this part
            reason = _one_line(exc)
            if is_fatal(exc):
                with self._lock:
                    self._dead = self._dead or reason
            raise ChatError(reason) from exc
        usage = response.usage
        choice = response.choices[0] if response.choices else None
        text = choice.message.content if choice is not None else None
        return Completion(text or "", usage.prompt_tokens if usage else 0, usage.completion_tokens if usage else 0,
                          time.perf_counter() - start, choice is not None and choice.finish_reason == "length")

    def _format(self, schema: Mapping[str, Any]) -> dict[str, Any]:
        if self._style == "grammar":
            return {"response_format": {"type": "json_object", "schema": dict(schema)}}
        if self._style == "strict":
            return {"response_format": {"type": "json_schema",
                                        "json_schema": {"name": "answer", "schema": dict(schema), "strict": True}}}
        return {}


def parse_object(text: str) -> dict[str, Any]:
    """The JSON object a completion holds (a model may wrap it in prose or a code fence); ChatError if none."""
    stripped = text.strip()
    start, end = stripped.find("{"), stripped.rfind("}")
    if not stripped:
        raise ChatError("empty answer")
    if start < 0 or end <= start:
        raise ChatError("the answer is not a JSON object")
    try:
        value = json.loads(stripped[start:end + 1])
    except ValueError as exc:
        raise ChatError(f"the answer is not valid JSON ({exc.args[0] if exc.args else 'parse error'})") from None
    if not isinstance(value, dict):
        raise ChatError("the answer is not a JSON object")
    return value


def _one_line(exc: BaseException) -> str:
    text = first_line(exc, "")
    return f"{type(exc).__name__}: {text}"[:200] if text else type(exc).__name__
