"""Source URLs as they may be stored and shown: no user:password, no secret-looking query values.

A source is kept in the result, the graph, the vector payloads and the briefing; credentials a user
pasted into it must reach none of them.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

MASK = "[REDACTED]"
SECRET_PARAM = re.compile(
    r"(key|token|secret|signature|sig|password|passwd|pwd|auth|credential|session|sid|jwt|code)", re.IGNORECASE
)
# Anywhere in free text: credentials in a URL's authority, and secret-named query parameters.
USERINFO_IN_TEXT = re.compile(r"(?<=://)[^/\s@?#]+@")
PARAM_IN_TEXT = re.compile(
    r"(?<=[?&;])([A-Za-z0-9_.\-]*(?:key|token|secret|signature|sig|password|passwd|pwd|auth|credential|jwt)"
    r"[A-Za-z0-9_.\-]*=)[^&#\s\"'<>]+",
    re.IGNORECASE,
)


def public_url(source: str) -> str:
    """The source without userinfo and with secret-named query values masked; other text unchanged."""
    try:
        parts = urlsplit(source)
    except ValueError:
        return redact_urls_in_text(source)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return source
    host = parts.netloc.rsplit("@", 1)[-1]
    query = urlencode([(k, MASK if SECRET_PARAM.search(k) else v) for k, v in parse_qsl(parts.query,
                                                                                      keep_blank_values=True)],
                      safe="[]")
    return urlunsplit((parts.scheme, host, parts.path, query, parts.fragment))


def redact_urls_in_text(text: str) -> str:
    """The same two rules applied to every URL-looking piece of free text (log lines, error messages)."""
    return PARAM_IN_TEXT.sub(lambda m: m.group(1) + MASK, USERINFO_IN_TEXT.sub(MASK + "@", text))
