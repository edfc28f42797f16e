"""Scoring the analysers on labelled JSONL files: `autointel eval KIND FILE.jsonl` and `nox -s quality`."""
