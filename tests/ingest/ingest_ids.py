"""Valid and invalid national IDs for the ingest tests, made here so the corpus depends on
nothing but the ingest itself (not on the synthetic-data generator)."""

from __future__ import annotations

import random

from pdgov.ingest.national_id import LETTER_CODES


def check_digit(body: str) -> int:
    """The last digit that makes ``body`` (letter + 8 digits) a valid ID."""
    code = LETTER_CODES[body[0]]
    total = code // 10 + (code % 10) * 9 + sum(int(d) * w for d, w in zip(body[1:9], range(8, 0, -1), strict=True))
    return (10 - total % 10) % 10


def valid_id(rng: random.Random) -> str:
    body = rng.choice("ABCDEFGHJKLMNPQRSTUVXYWZIO") + rng.choice("12") + "".join(rng.choice("0123456789")
                                                                             for _ in range(7))
    return body + str(check_digit(body))


def bad_checksum_id(rng: random.Random) -> str:
    v = valid_id(rng)
    return v[:9] + str((int(v[9]) + 1) % 10)
