"""What an LLM's tokens cost: a price table the user keeps (`AUTOINTEL_LLM_PRICES`, TOML or JSON), one entry per
`AUTOINTEL_LLM` value, in US dollars per million prompt and completion tokens. The local model costs nothing per
token; a model the table does not name has no cost (None), never a guessed one.

    ["openai/gpt-4o-mini"]
    prompt_per_million = 0.15
    completion_per_million = 0.60
"""

from __future__ import annotations

import json
import math
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from autointel.errors import InputError, first_line

FIELDS = ("prompt_per_million", "completion_per_million")
_MAX_PRICE = 10_000.0  # dollars per million tokens: far above any listed model, below a typo's extra zeros


@dataclass(frozen=True)
class Price:
    prompt_per_million: float
    completion_per_million: float

    def cost(self, prompt_tokens: int, completion_tokens: int) -> float:
        return (prompt_tokens * self.prompt_per_million + completion_tokens * self.completion_per_million) / 1e6


LOCAL_PRICE = Price(0.0, 0.0)


def load_prices(path: Path | None) -> dict[str, Price]:
    """The table in `path` (none: an empty table); InputError naming the file and the entry that is wrong."""
    if path is None:
        return {}
    try:
        text = path.read_text(encoding="utf-8")
        raw = tomllib.loads(text) if path.suffix == ".toml" else json.loads(text)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        first = first_line(exc)
        raise InputError(f"AUTOINTEL_LLM_PRICES {path} cannot be read: {first}") from None
    if not isinstance(raw, dict):
        raise InputError(f"AUTOINTEL_LLM_PRICES {path}: must map model names to prices")
    return {str(model): _price(path, str(model), entry) for model, entry in raw.items()}


def _price(path: Path, model: str, entry: object) -> Price:
    where = f"AUTOINTEL_LLM_PRICES {path}: {model!r}"
    if not isinstance(entry, dict) or set(entry) != set(FIELDS):
        raise InputError(f"{where} must have exactly the fields {list(FIELDS)}")
    values = [entry[name] for name in FIELDS]
    for name, value in zip(FIELDS, values, strict=True):
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) \
                or not 0 <= value <= _MAX_PRICE:
            raise InputError(f"{where}: {name} must be a number of dollars from 0 to {_MAX_PRICE:g}, not {value!r}")
    return Price(float(values[0]), float(values[1]))


def pricer(prices: Mapping[str, Price], spec: str) -> Callable[[int, int], float | None]:
    """Tokens -> dollars for the model `spec` names (the table's entry, else 0 for `local`, else None)."""
    price = prices.get(spec) or (LOCAL_PRICE if spec == "local" else None)
    if price is None:
        return lambda prompt, completion: None
    return lambda prompt, completion: round(price.cost(prompt, completion), 6)
