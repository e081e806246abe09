"""A delivered file in one shape: a UTF-8 CSV, its header mapped to the contract, and the SELECT
that types it and finds each row's problems inside DuckDB (the rules of ``pdgov.ingest.checks``).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from pdgov import clock
from pdgov.contracts import FORBIDDEN_HEADER_WORDS, Contract
from pdgov.contracts.vocabulary import normalise, vocabulary
from pdgov.ingest.checks import typed_select
from pdgov.ingest.readers import FileRefused, Sniffed
from pdgov.ingest.text_ids import scrub_masked

FUTURE_TOLERANCE = timedelta(minutes=10)


class NotUtf8(Exception):
    """DuckDB met bytes that are not UTF-8 after a start that was."""


@dataclass
class Delivery:
    """A delivered file in one shape: a UTF-8 CSV and how its columns map to the contract."""

    csv_path: Path
    header: list[str]
    mapping: dict[int, str]
    dropped: list[str]
    agency_from_name: str | None

    def layout(self) -> tuple:
        """What must be equal for files to be read by one ``read_csv``: their columns, in order."""
        return (tuple(self.mapping.get(i, f"_drop{i}") for i in range(len(self.header))), bool(self.agency_from_name))

    def stage1(self, contract: Contract, together: list[Delivery] | None = None) -> tuple[str, list[str]]:
        """SELECT of typed values (``name``) and the delivered text (``_r_name``) straight over the
        CSV, plus the reason expressions over them.

        ``together``: deliveries of the same ``layout()`` read by this one ``read_csv`` (a batch of
        small files); each row then also carries its CSV's path as ``filename``."""
        names = list(self.layout()[0])
        cols = ", ".join(f"'{n}': 'VARCHAR'" for n in names)
        present = [n for n in names if not n.startswith("_drop")]
        extra = ""
        if self.agency_from_name:
            agency = (per_file([(d.csv_path, d.agency_from_name) for d in together]) if together
                      else f"'{self.agency_from_name}'")
            extra = f", {agency} AS agency_code"
            present.append("agency_code")
        now_sql = f"TIMESTAMP '{(clock.now() + FUTURE_TOLERANCE):%Y-%m-%d %H:%M:%S}'"
        typed, raw, reasons = typed_select(contract, present, now_sql)
        files = (f"[{', '.join(sql_str(d.csv_path.as_posix()) for d in together)}]" if together
                 else sql_str(self.csv_path.as_posix()))
        reader = (f"read_csv({files}, header = true, columns = {{{cols}}}, delim = ',', "
                  "quote = '\"', escape = '\"', strict_mode = true, null_padding = false, max_line_size = 1048576, "
                  f"auto_detect = false{', filename = true' if together else ''})")
        tag = ", filename" if together else ""
        return f"SELECT {', '.join(typed + raw)}{tag} FROM (SELECT *{extra} FROM {reader})", reasons


@dataclass
class Pending:
    """A small file hashed, read and mapped, waiting to load with others in one transaction."""

    f: Path
    sniffed: Sniffed
    delivery: Delivery

    @property
    def sha(self) -> str:
        return self.sniffed.sha256

    @property
    def size(self) -> int:
        return self.sniffed.size


def per_file(values: list[tuple[Path, str]]) -> str:
    """A per-file constant of a several-file read, chosen by the row's CSV path (``filename``)."""
    whens = " ".join(f"WHEN {sql_str(path.as_posix())} THEN {sql_str(value)}" for path, value in values)
    return f"(CASE filename {whens} END)"


def prepare(contract: Contract, f: Path, csv_path: Path) -> Delivery:
    header = _read_header(csv_path)
    mapping, dropped = _map_header(contract, header)
    agency_from_name = None
    if contract.source == "webir" and "agency_code" not in mapping.values():
        # SPEC §2 lists no agency column: the querying agency is the account's agency in the
        # account roster as of the query time, which dbt derives (int_webir_* models). A file name
        # that starts with an agency code (379000000A_…) still says it; otherwise it stays NULL.
        m = re.match(r"^(\d{9}[A-Z])(?![0-9A-Za-z])", f.name)
        agency_from_name = m.group(1) if m else None
    return Delivery(csv_path, header, mapping, dropped, agency_from_name)


def _read_header(csv_path: Path) -> list[str]:
    try:
        with open(csv_path, encoding="utf-8", newline="") as fh:
            try:
                header = next(csv.reader(fh))
            except StopIteration as exc:
                raise FileRefused("檔案是空的 / file is empty (no header line)", 1) from exc
            except csv.Error as exc:
                raise FileRefused(f"header line is not valid CSV: {exc}", 1) from exc
            if next(fh, None) is None:
                raise FileRefused("只有標題列，沒有資料 / file has a header but no data rows", 1)
    except UnicodeDecodeError as exc:
        raise NotUtf8 from exc
    return [h.strip().lstrip("\ufeff") for h in header]


def _map_header(contract: Contract, header: list[str]) -> tuple[dict[int, str], list[str]]:
    """Each delivered column's contract column, by the header vocabulary (``contracts.vocabulary``).

    Refused: a biometric/photo column; two headers meaning one column; a required column missing;
    and an unknown header that resembles a name of a column the file lacks (a misspelling would
    otherwise drop an optional column's data unseen). The refusal names the column's position and
    the nearest accepted names, so the steward can fix the file or add the spelling to the seed.
    Other unknown columns are dropped and the drop is noted in the ledger (as before).
    """
    vocab = vocabulary(contract.source)
    mapping: dict[int, str] = {}
    dropped: list[str] = []
    unknown: list[tuple[int, str]] = []
    for i, h in enumerate(header):
        low = normalise(h)
        if any(normalise(w) in low for w in FORBIDDEN_HEADER_WORDS):
            raise FileRefused("column carries biometric templates, photos or images; such data is never "
                              "stored (minimisation, seed 004 §4)", 1, h)
        name = vocab.column_for(h)
        if name is None:
            unknown.append((i, h))
            continue
        if name in mapping.values():
            j = next(k for k, v in mapping.items() if v == name)
            raise FileRefused(f"columns {j + 1} ({header[j]}) and {i + 1} ({h}) both mean {name} "
                              f"({_zh(contract, name)}); deliver it once / 兩個欄位代表同一欄", 1, h)
        mapping[i] = name
    present = set(mapping.values())
    missing = [c for c in contract.columns if c.required and c.name not in present]
    for i, h in unknown:
        near = vocab.closest(h)
        if any(col not in present for _, col in near):
            raise FileRefused(_unknown_reason(i, h, near, vocab.source), 1, h)
        dropped.append(scrub_masked(h))  # the ledger's notes name it: never an ID typed in a header
    if missing:
        c = missing[0]
        others = "; unknown headers in this file: " + ", ".join(
            f"column {i + 1} ({h})" for i, h in unknown) if unknown else ""
        raise FileRefused(f"required column {c.zh} ({c.name}) is missing (缺少必要欄位); accepted headers: "
                          f"{'、'.join(vocab.names_of(c.name))}{others}", 1, c.zh)
    return mapping, dropped


def _unknown_reason(i: int, h: str, near: list[tuple[str, str]], source: str) -> str:
    hint = f"did you mean {' / '.join(n for n, _ in near)}? " if near else ""
    return (f"column {i + 1} header {h!r} is not a known header of {source} (無法辨識的欄位名稱); {hint}"
            f"a data steward can add it to seeds/ingest/header_vocabulary.csv")


def _zh(contract: Contract, name: str) -> str:
    return next(c.zh for c in contract.columns if c.name == name)


def sql_str(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"
