"""The shipped NLI cross-encoder: it loads, reads meaning, and a negated claim is never supported."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from autointel.model import Claim, Evidence, Verdict
from autointel.phases.verification.factcheck import check_claim
from autointel.phases.verification.nli import LABELS, NLIModel, tokenizer

ENTAIL, CONTRA = LABELS.index("entailment"), LABELS.index("contradiction")


class FlatEmbedder:
    """Every text the same direction: retrieval order then decides, and no embedding model is loaded."""

    dim = 4

    def embed(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        return np.tile(np.asarray([0.5, 0.5, 0.5, 0.5], dtype=np.float32), (len(texts), 1))


def test_pairs_are_tokenised_as_the_model_was_trained() -> None:
    encoded = tokenizer().encode("The cat sleeps.", "A cat rests.")
    assert encoded.tokens[0] == "[CLS]" and encoded.tokens.count("[SEP]") == 2
    assert set(encoded.type_ids[: encoded.tokens.index("[SEP]") + 1]) == {0} and encoded.type_ids[-1] == 1
    assert len(tokenizer().encode("word " * 400, "claim").ids) == 128


def test_entailment_outranks_contradiction(nli: NLIModel) -> None:
    premise = "The museum opened to the public in 1889 and is located in Paris."
    p = nli.score([(premise, "The museum is in Paris."), (premise, "The museum is not in Paris.")])
    assert p.shape == (2, 3) and np.allclose(p.sum(axis=1), 1.0)
    assert p[0, ENTAIL] > p[1, ENTAIL]
    assert p[1, CONTRA] > p[0, CONTRA]
    assert p[0, ENTAIL] > p[0, CONTRA]


def test_negated_claim_is_not_supported(nli: NLIModel) -> None:
    evidence = [Evidence("The bridge was completed in 1932 and carries eight lanes of traffic.", "a.txt", 0.8)]
    got = check_claim(Claim("The bridge was never completed.", 0.0, ()), lambda _q, _k: evidence, FlatEmbedder(),
                      nli)
    assert got.verdict is not Verdict.SUPPORTED
    assert 0.0 <= got.confidence <= 1.0
