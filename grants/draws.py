"""The draw algorithm (DOMAIN 9a), small enough for anyone to re-run by hand or in any language.

    seed_hash = sha256(seed)                                  published before the draw
    order     = participants sorted by sha256(seed + ":" + reference), as lowercase hex, ascending

The participants are application references in canonical (alphabetical) order, frozen at publication.
Nobody can re-draw until the outcome suits them: the hash binds the seed before anyone sees the order.
"""

import hashlib
import secrets

ALGORITHM = "sha256"


def new_seed():
    """A secret random seed: 32 random bytes as 64 hexadecimal characters."""
    return secrets.token_hex(32)


def seed_hash(seed):
    return hashlib.sha256(seed.encode()).hexdigest()


def draw_key(seed, reference):
    return hashlib.sha256(f"{seed}:{reference}".encode()).hexdigest()


def canonical(references):
    return sorted(set(references))


def draw_order(seed, references):
    """The order of ``references`` that ``seed`` gives: first drawn first."""
    return sorted(canonical(references), key=lambda reference: draw_key(seed, reference))


def verify(*, seed, seed_hash_published, participants, result):
    """(hash matches, order matches) for a revealed seed against what was published and stored."""
    return seed_hash(seed) == seed_hash_published, draw_order(seed, participants) == list(result)
