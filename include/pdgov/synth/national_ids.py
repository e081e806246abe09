"""Taiwanese national ID numbers (身分證統一編號) that pass the checksum, for synthetic staff.

Kept independent of the ingest's validator on purpose: each checks the other in the tests.
"""

from __future__ import annotations

import random

# Letter → two-digit area code, as printed on the ID card rules.
LETTER_CODES = {
    "A": 10, "B": 11, "C": 12, "D": 13, "E": 14, "F": 15, "G": 16, "H": 17, "I": 34, "J": 18,
    "K": 19, "L": 20, "M": 21, "N": 22, "O": 35, "P": 23, "Q": 24, "R": 25, "S": 26, "T": 27,
    "U": 28, "V": 29, "W": 32, "X": 30, "Y": 31, "Z": 33,
}
WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 1)


def check_digit(letter: str, first_eight: str) -> int:
    code = LETTER_CODES[letter]
    total = (code // 10) + (code % 10) * 9 + sum(int(d) * w for d, w in zip(first_eight, WEIGHTS, strict=True))
    return (10 - total % 10) % 10


def is_valid(nid: str) -> bool:
    if len(nid) != 10 or nid[0] not in LETTER_CODES or nid[1] not in "12" or not nid[1:].isdigit():
        return False
    return check_digit(nid[0], nid[1:9]) == int(nid[9])


def make(rng: random.Random, letter: str = "A") -> str:
    first_eight = f"{rng.randrange(1, 3)}{rng.randrange(10_000_000):07d}"  # sex digit, then seven digits
    return f"{letter}{first_eight}{check_digit(letter, first_eight)}"


def make_invalid(rng: random.Random) -> str:
    nid = make(rng)
    return nid[:9] + str((int(nid[9]) + 1) % 10)
