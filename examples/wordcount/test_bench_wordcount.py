"""`pytest examples/wordcount --autointel-combos=matrix`: the flag matrix of the word-count pipeline."""

from pathlib import Path

from wordcount import pipeline

TEXT = Path(__file__).with_name("text.txt")


def test_wordcount_matrix(autointel_bench):  # type: ignore[no-untyped-def]
    results = autointel_bench.run(pipeline(), source=str(TEXT), name="wordcount")
    assert all(e.matches for e in results.equivalence)  # every combination counted the same words
