"""One derivation of every bootstrap seed from the session's seed and the names of what is being compared.

Adding offsets (`seed + 97 * k + j`) lets two families collide and changes a comparison's resamples when an
unrelated one is added before it; a `SeedSequence` keyed by names gives each analysis its own stream.
"""

from __future__ import annotations

import hashlib

import numpy as np


def derive_seed(seed: int, *keys: object) -> int:
    """A 32-bit seed for the analysis named by `keys`, reproducible from `seed` alone."""
    words = tuple(_word(k) for k in keys)
    state = np.random.SeedSequence(entropy=seed % 2**64, spawn_key=words).generate_state(1, dtype=np.uint32)
    return int(state[0])


def _word(key: object) -> int:
    if isinstance(key, int) and key >= 0:
        return key
    return int.from_bytes(hashlib.sha256(str(key).encode("utf-8")).digest()[:8], "big")
