"""Check an `AUTOINTEL_LLM` model string before any work starts, without importing CrewAI.

CrewAI only notices a missing API key or an unroutable model string when it builds the LLM, deep
inside a run, and then prints a screenful of logs per task. These checks mirror what CrewAI 1.15
requires for its native providers, so a bad configuration costs one line and exit status 2.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Mapping
from dataclasses import dataclass

from autointel.errors import InputError


@dataclass(frozen=True)
class Provider:
    keys: tuple[str, ...] = ()  # environment variables CrewAI reads the key from (any one will do)
    sdk: str = "openai"  # the module CrewAI's native class for this provider imports


# CrewAI's native providers (crewai.llm.PROVIDER_ALIASES), the variables their classes read the key from,
# and the SDK each imports. Without LiteLLM (not installed here) any other prefix fails inside the run.
PROVIDERS: Mapping[str, Provider] = {
    "openai": Provider(("OPENAI_API_KEY",)),
    "openrouter": Provider(("OPENROUTER_API_KEY",)),
    "deepseek": Provider(("DEEPSEEK_API_KEY",)),
    "cerebras": Provider(("CEREBRAS_API_KEY",)),
    "dashscope": Provider(("DASHSCOPE_API_KEY",)),
    "deepinfra": Provider(("DEEPINFRA_API_KEY",)),
    "ollama": Provider(),  # autointel routes it to Ollama's OpenAI-compatible endpoint, no key needed
    "ollama_chat": Provider(),
    "hosted_vllm": Provider(),
    "anthropic": Provider(("ANTHROPIC_API_KEY",), "anthropic"),
    "claude": Provider(("ANTHROPIC_API_KEY",), "anthropic"),
    "gemini": Provider(("GOOGLE_API_KEY", "GEMINI_API_KEY"), "google.genai"),
    "google": Provider(("GOOGLE_API_KEY", "GEMINI_API_KEY"), "google.genai"),
    "azure": Provider(("AZURE_API_KEY",), "azure.ai.inference"),
    "bedrock": Provider((), "boto3"),  # AWS's own credential chain: files, roles or variables
    "aws": Provider((), "boto3"),
}
# Model names CrewAI routes to its native OpenAI class without a custom endpoint (`LLM._matches_provider_pattern`).
OPENAI_MODEL_PREFIXES = ("gpt-", "o1", "o3", "o4", "whisper-", "chatgpt-")
OPENAI_BASE_VARS = ("OPENAI_BASE_URL", "OPENAI_API_BASE")


def _sdk_installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:  # the parent package (`google`, `azure`) is missing
        return False


def split_model(spec: str) -> tuple[str, str]:
    """`provider/model`, both parts non-empty, the provider one CrewAI can route natively."""
    provider, _, model = spec.strip().partition("/")
    if not provider or not model.strip():
        raise InputError(f"AUTOINTEL_LLM={spec!r} is not 'offline', 'local' or a 'provider/model' string "
                         "(e.g. openai/gpt-4o-mini)")
    if provider.lower() not in PROVIDERS:
        raise InputError(f"AUTOINTEL_LLM={spec!r}: unknown provider {provider!r}; use one of {sorted(PROVIDERS)}")
    return provider.lower(), model.strip()


def check_backend(spec: str, base_url: str | None, env: Mapping[str, str]) -> None:
    """Raise one-line InputError when CrewAI could not build or authenticate this LLM."""
    if spec == "offline":
        return
    if spec == "local":
        if base_url is None:
            from autointel.llm.server import shipped_model

            shipped_model()  # one line naming the extra when llama.cpp or the model is not installed
        return
    provider, model = split_model(spec)
    needs = PROVIDERS[provider]
    if not _sdk_installed(needs.sdk):
        package = needs.sdk.split(".")[0]
        raise InputError(f"AUTOINTEL_LLM={spec!r} needs the {package!r} package, which is not installed")
    if needs.keys and not any(env.get(key, "").strip() for key in needs.keys):
        raise InputError(f"AUTOINTEL_LLM={spec!r} needs an API key in {' or '.join(needs.keys)}")
    custom = base_url or any(env.get(var) for var in OPENAI_BASE_VARS)
    if provider == "openai" and not custom and not model.lower().startswith(OPENAI_MODEL_PREFIXES):
        raise InputError(f"AUTOINTEL_LLM={spec!r}: unknown OpenAI model {model!r} (set AUTOINTEL_LLM_BASE_URL "
                         "for an OpenAI-compatible server)")
