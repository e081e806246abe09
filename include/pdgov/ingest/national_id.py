"""Taiwanese national IDs (身分證統一編號): validate at the door, keep only a keyed HMAC.

The HMAC (not a plain hash) matters: there are only ~2×10⁹ valid IDs, so an unkeyed SHA-256
could be reversed by enumeration in minutes. With the key kept outside the warehouse, the
pseudonym still joins roster and WebIR subjects (colleague look-ups) without exposing anyone.
"""

from __future__ import annotations

import hashlib
import hmac
import re

LETTER_CODES = {
    "A": 10, "B": 11, "C": 12, "D": 13, "E": 14, "F": 15, "G": 16, "H": 17, "I": 34, "J": 18,
    "K": 19, "L": 20, "M": 21, "N": 22, "O": 35, "P": 23, "Q": 24, "R": 25, "S": 26, "T": 27,
    "U": 28, "V": 29, "W": 32, "X": 30, "Y": 31, "Z": 33,
}
FORMAT = re.compile(r"^[A-Z][12]\d{8}$")


def problem(value: str | None) -> str | None:
    """Why ``value`` is not a valid national ID, in plain words; None when it is valid."""
    if value is None or not value.strip():
        return "national ID is empty"
    v = value.strip()
    if re.match(r"^[a-z][12]\d{8}$", v):
        return "national ID has a lower-case letter"
    if not FORMAT.match(v):
        return "national ID is not one letter, 1 or 2, then eight digits"
    code = LETTER_CODES[v[0]]
    total = code // 10 + (code % 10) * 9 + sum(int(d) * w for d, w in zip(v[1:9], (8, 7, 6, 5, 4, 3, 2, 1), strict=True))
    total += int(v[9])
    if total % 10:
        return "national ID checksum does not match"
    return None


def pseudonym(value: str, key: bytes) -> str:
    return hmac.new(key, value.strip().encode("ascii"), hashlib.sha256).hexdigest()


def mask(value: str) -> str:
    """Display form for exports: A12****789."""
    v = value.strip()
    return f"{v[:3]}****{v[-3:]}" if len(v) >= 7 else "****"
