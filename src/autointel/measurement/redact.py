"""Keep secrets out of every output: results, reports, traces and logs pass through `redact`.

Three nets: the values of secret-looking environment variables seen by this process, token shapes
that providers use (sk-..., Bearer ...), and credentials inside URLs, wherever they appear in a string.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from typing import Any

from autointel.urls import redact_urls_in_text

SECRET_NAME = re.compile(r"(KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|AUTH)", re.IGNORECASE)
TOKEN_SHAPES = re.compile(
    r"(sk-[A-Za-z0-9_\-]{16,}|(?<=Bearer )[A-Za-z0-9_\-\.=]{16,}|AKIA[0-9A-Z]{16}|gh[pousr]_[A-Za-z0-9]{30,})"
)
MASK = "[REDACTED]"


def secret_values(env: Mapping[str, str] | None = None) -> tuple[str, ...]:
    env = os.environ if env is None else env
    values = {v for k, v in env.items() if SECRET_NAME.search(k) and len(v) >= 8}
    return tuple(sorted(values, key=len, reverse=True))


def redact_text(text: str, secrets: tuple[str, ...] | None = None) -> str:
    for value in secret_values() if secrets is None else secrets:
        text = text.replace(value, MASK)
    return redact_urls_in_text(TOKEN_SHAPES.sub(MASK, text))


def redact(value: Any, secrets: tuple[str, ...] | None = None) -> Any:
    """Redact every string inside JSON-ready data (dicts, lists, strings)."""
    secrets = secret_values() if secrets is None else secrets
    if isinstance(value, str):
        return redact_text(value, secrets)
    if isinstance(value, dict):
        return {k: MASK if SECRET_NAME.search(str(k)) and isinstance(v, str) else redact(v, secrets)
                for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v, secrets) for v in value]
    return value


def redacted_json(value: Any, *, indent: int | None = 2) -> str:
    """JSON text of a result value with secrets redacted: every document the CLI prints or writes goes through here."""
    from autointel.model import to_jsonable

    return json.dumps(redact(to_jsonable(value)), indent=indent, ensure_ascii=False)
