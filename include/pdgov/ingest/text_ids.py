"""National IDs typed into free text (事由, 說明, 備註 …): pseudonymised at the door.

A clerk who writes "查 A123456789 之投保資料" in 事由 puts a national ID where no ID column's rules
look. SPEC §2: such a token is pseudonymised like an ID column, before anything is written — raw
tables, archive and quarantine copies, rejection texts, workbooks. Any ID-*shaped* token counts,
checksum valid or not, in upper or lower case, in full-width (Ａ１２３…) or any other form that NFKC
folds to letters and digits: a typo in the checksum is still someone's ID.

The token becomes ``[ID A12****789 #h<12 hex>]``: the mask the ID columns show, and the first 12
hex digits of the same keyed HMAC the ID columns store (over the ID upper-cased after NFKC), so an
auditor can still see that the 事由 names the queried subject without anyone seeing the ID. The
``h`` keeps the hex from ever reading as an ID itself.

A token glued to other letters or digits (``ZA123456789``, ``A1234567890``, ``D123456789X``) is
not an ID shape and is left alone: case numbers, serials and device IDs must survive. Chinese text,
spaces and punctuation around it do not protect it.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from pdgov.ingest import national_id


@lru_cache(maxsize=1)
def _classes() -> tuple[str, str, str, str]:
    """Character classes (letters, 1/2, digits, any-alnum) over every character NFKC folds to an
    ASCII letter or digit: full-width forms, mathematical alphanumerics, circled digits …"""
    letters, onetwo, digits, alnum = [], [], [], []
    ranges = (range(0x80, 0x3400), range(0xA000, 0x10000), range(0x1D400, 0x1D800), range(0x1FBF0, 0x1FBFA))
    for block in ranges:
        for cp in block:
            ch = chr(cp)
            folded = unicodedata.normalize("NFKC", ch)
            if len(folded) != 1 or not folded.isascii() or not folded.isalnum():
                continue
            alnum.append(ch)
            if folded.isalpha():
                letters.append(ch)
            else:
                digits.append(ch)
                if folded in "12":
                    onetwo.append(ch)

    def cls(ascii_part: str, extra: list[str]) -> str:
        return "[" + ascii_part + re.escape("".join(extra)) + "]"

    return (cls("A-Za-z", letters), cls("12", onetwo), cls("0-9", digits), cls("A-Za-z0-9", alnum))


@lru_cache(maxsize=1)
def token_pattern() -> re.Pattern[str]:
    letter, onetwo, digit, alnum = _classes()
    return re.compile(f"(?<!{alnum}){letter}{onetwo}{digit}{{8}}(?!{alnum})")


@lru_cache(maxsize=1)
def sql_precheck() -> str:
    """An RE2 pattern (no look-arounds) true for every text ``scrub`` may change: the SQL guard
    that keeps the Python function off the rows without an ID-shaped token."""
    letter, onetwo, digit, _ = _classes()
    return f"{letter}{onetwo}{digit}{{8}}"


def canonical(token: str) -> str:
    """The ID a token spells: NFKC, upper case (``ａ１２…`` → ``A12…``)."""
    return unicodedata.normalize("NFKC", token).upper()


def replacement(token: str, key: bytes) -> str:
    nid = canonical(token)
    return f"[ID {national_id.mask(nid)} #h{national_id.pseudonym(nid, key)[:12]}]"


def scrub(text: str | None, key: bytes) -> str | None:
    """``text`` with every national-ID-shaped token replaced by its pseudonym text."""
    if not text:
        return text
    return token_pattern().sub(lambda m: replacement(m.group(0), key), text)


def scrub_masked(text: str | None) -> str | None:
    """``text`` with every ID-shaped token masked (no key needed): for messages written where the
    key is not at hand, e.g. a reason text built from a header."""
    if not text:
        return text
    return token_pattern().sub(lambda m: f"[ID {national_id.mask(canonical(m.group(0)))}]", text)


def has_token(text: str) -> bool:
    return token_pattern().search(text) is not None


def register(con, key: bytes) -> None:
    """``_pd_scrub(text)`` on a DuckDB connection, for the free-text columns' typed values."""
    con.create_function("_pd_scrub", lambda v: scrub(v, key), ["VARCHAR"], "VARCHAR", side_effects=False)


def scrub_sql(value_sql: str) -> str:
    """SQL for a free-text value: the Python scrub only where the RE2 guard sees a token."""
    pat = sql_precheck().replace("'", "''")
    return f"(CASE WHEN regexp_matches({value_sql}, '{pat}') THEN _pd_scrub({value_sql}) ELSE {value_sql} END)"
