"""The benchmarked pipeline's flags, so `--autointel-combos` names them (`matrix`, `parallel_count`, ...)."""

from wordcount import SPACE


def pytest_autointel_flag_space(config):  # type: ignore[no-untyped-def]
    return SPACE
