"""The header vocabulary: every name a contract column is accepted under, kept as data.

Sixty-nine agencies export from different systems, so one column arrives as 廠牌 or 品牌, 內網 or
連接內網 or 內網連線 (SPEC §2). The contract itself keeps one zh-TW name and the canonical English
name per column (always accepted, so a new contract works with no vocabulary rows); every other
spelling is a row of the dbt seed ``seeds/ingest/header_vocabulary.csv`` (source, column_name,
accepted_name, note). A steward adds a row there and the next night's ingest accepts the header:
no code change. The ingest reads the CSV file itself at run time (it is a dbt seed too, so the
vocabulary is in the warehouse and in the dbt docs for auditors). ``PDGOV_HEADER_VOCABULARY``
points the ingest at another copy (tests, a steward trying a change).

Headers are compared after ``normalise``: full-/half-width forms folded (NFKC), all whitespace
and bracket characters removed, case folded — so ``ＮＣＣ 審驗（合格）`` and ``NCC審驗合格`` are
the same header. A header that still matches nothing after that is tried once more with its
bracketed parts removed (``打卡時間(YYYY-MM-DD)`` → 打卡時間).
"""

from __future__ import annotations

import csv
import difflib
import os
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pdgov.config import DBT_PROJECT_DIR

DEFAULT_PATH = DBT_PROJECT_DIR / "seeds" / "ingest" / "header_vocabulary.csv"
ENV = "PDGOV_HEADER_VOCABULARY"

_OPEN = "([{（［｛【「『〔〈《〖"
_CLOSE = ")]}）］｝】」』〕〉》〗"
_BRACKETS = re.compile("[" + re.escape(_OPEN + _CLOSE) + "]")
_BRACKETED = re.compile("[" + re.escape(_OPEN) + "][^" + re.escape(_OPEN + _CLOSE) + "]*[" + re.escape(_CLOSE) + "]")
_SPACE = re.compile(r"\s+")


class VocabularyError(ValueError):
    """The vocabulary seed itself is wrong (unknown source/column, one name for two columns)."""


def normalise(header: str) -> str:
    """The form headers are compared in: NFKC, no whitespace, no brackets, case-folded."""
    text = unicodedata.normalize("NFKC", header or "").lstrip("\ufeff")
    return _BRACKETS.sub("", _SPACE.sub("", text)).casefold()


def _without_bracketed(header: str) -> str:
    text = unicodedata.normalize("NFKC", header or "")
    return normalise(_BRACKETED.sub("", text))


@dataclass(frozen=True)
class Vocabulary:
    """Accepted names of one source's columns: normalised name → column, and the names as written."""

    source: str
    by_name: dict[str, str]
    display: dict[str, str]   # normalised name → the name as the contract or the seed spells it

    def column_for(self, header: str) -> str | None:
        """The contract column a delivered header means, or None."""
        hit = self.by_name.get(normalise(header))
        if hit is None:
            stripped = _without_bracketed(header)
            hit = self.by_name.get(stripped) if stripped else None
        return hit

    def closest(self, header: str, n: int = 3, cutoff: float = 0.5) -> list[tuple[str, str]]:
        """The accepted names nearest a header the vocabulary does not know: (name, column)."""
        found = difflib.get_close_matches(normalise(header), list(self.by_name), n=n, cutoff=cutoff)
        return [(self.display[f], self.by_name[f]) for f in found]

    def names_of(self, column: str) -> list[str]:
        return [self.display[k] for k, c in self.by_name.items() if c == column]


def vocabulary_path() -> Path:
    return Path(os.environ.get(ENV) or DEFAULT_PATH)


def seed_rows(path: Path | None = None) -> list[dict[str, str]]:
    """The seed's rows as written (utf-8, with or without BOM)."""
    p = path or vocabulary_path()
    with open(p, encoding="utf-8-sig", newline="") as fh:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(fh)]


def vocabulary(source: str) -> Vocabulary:
    """The vocabulary of ``source``: its contract's names plus the seed's rows for it."""
    p = vocabulary_path()
    stamp = p.stat().st_mtime_ns if p.exists() else None
    return _build(source, str(p), stamp)


@lru_cache(maxsize=64)
def _build(source: str, path: str, stamp: int | None) -> Vocabulary:
    from pdgov.contracts import CONTRACTS

    contract = CONTRACTS[source]
    columns = {c.name for c in contract.columns}
    by_name: dict[str, str] = {}
    display: dict[str, str] = {}

    def add(name: str, column: str, where: str) -> None:
        key = normalise(name)
        if not key:
            raise VocabularyError(f"{where}: empty accepted name")
        if by_name.get(key, column) != column:
            raise VocabularyError(f"{where}: {name!r} is already accepted for {source}.{by_name[key]}; "
                                  f"one name cannot mean two columns")
        by_name[key] = column
        display.setdefault(key, name)

    for c in contract.columns:
        add(c.name, c.name, f"contract {source}")
        add(c.zh, c.name, f"contract {source}")
    if stamp is not None:
        for line_no, row in enumerate(seed_rows(Path(path)), start=2):
            where = f"{Path(path).name} line {line_no}"
            if row.get("source") not in _sources():
                raise VocabularyError(f"{where}: unknown source {row.get('source')!r}")
            if row["source"] != source:
                continue
            if row.get("column_name") not in columns:
                raise VocabularyError(f"{where}: {source} has no column {row.get('column_name')!r} "
                                      f"(columns: {', '.join(sorted(columns))})")
            add(row.get("accepted_name", ""), row["column_name"], where)
    return Vocabulary(source, by_name, display)


def _sources() -> set[str]:
    from pdgov.contracts import CONTRACTS

    return set(CONTRACTS)
