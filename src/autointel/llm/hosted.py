"""A hosted OpenAI model (or any OpenAI-compatible endpoint named by `openai/...` and a base URL) as the model that
writes the LLM parts: its JSON schema is sent as OpenAI's strict `json_schema`, and the SDK reads the key from
`OPENAI_API_KEY`, as CrewAI's own client does."""

from __future__ import annotations

from autointel.errors import InputError, first_line
from autointel.llm.chat import OpenAIChat
from autointel.llm.pool import ChatPool

WRITING_PROVIDERS = ("openai",)


def writes(spec: str) -> bool:
    """Does this `AUTOINTEL_LLM` write the LLM parts through `open_hosted`?"""
    provider, _, model = spec.partition("/")
    return provider.lower() in WRITING_PROVIDERS and bool(model.strip())


def open_hosted(spec: str, base_url: str | None, timeout_s: float, retries: int) -> ChatPool:
    """InputError in one line when the SDK refuses the configuration (no key: the CLI's preflight says so first)."""
    model = spec.partition("/")[2].strip()
    try:
        client = OpenAIChat(base_url, model, api_key=None, timeout_s=timeout_s, retries=retries, style="strict")
    except Exception as exc:  # the SDK's OpenAIError: no key in the environment
        first = first_line(exc)
        raise InputError(f"AUTOINTEL_LLM={spec!r}: {first}") from None
    return ChatPool([client])
