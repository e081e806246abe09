"""Deleting due rows from the files the pipeline keeps: archived deliveries and quarantine copies.

Seed 004 §11(3)2 puts "temporary files, backups and other derived files" in the scope of a
deletion, so a row purged from the warehouse must also leave the archived file it came from.
A row is removed by emptying its line (CSV) or row (XLSX) rather than by dropping it: the
line numbers the warehouse keeps as lineage (``_line_no``) keep pointing at the right line,
and a second purge of the same file stays correct. A file whose data lines are all gone is
deleted. Every rewrite goes through a temporary file, fsync and rename, so a crash leaves the
old file or the new one, and the journal lets the next run redo it (rewrites are idempotent).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path

XLSX_SUFFIXES = (".xlsx", ".xlsm")


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".pdgov-tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    fsync_dir(path.parent)


def delete_file(path: Path) -> bool:
    """Delete a file (and a stale temporary of it); True when something was removed."""
    removed = False
    for p in (path, path.with_name(path.name + ".pdgov-tmp")):
        if p.exists():
            p.unlink()
            removed = True
    if removed:
        fsync_dir(path.parent)
    return removed


def _split_lines(data: bytes) -> list[bytes]:
    # Line feeds are single bytes in UTF-8 and CP950 alike (a Big5 trail byte is never 0x0A),
    # so working on bytes needs no decoding and keeps the file's encoding and BOM as sent.
    return data.split(b"\n")


def _sheets(wb, sheet: str | None) -> list:
    """The sheets holding a delivery's rows: the named one when the workbook has it (a returned
    committee workbook: its other sheets are the night's copies, not the delivery), else every sheet
    for counting and the first for line numbers."""
    return [wb[sheet]] if sheet and sheet in wb.sheetnames else list(wb.worksheets)


def data_lines_left(path: Path, sheet: str | None = None) -> int:
    """Non-empty lines after the header (CSV) or non-empty rows after the first (XLSX; in ``sheet``
    when the workbook has a sheet of that name)."""
    if path.suffix.lower() in XLSX_SUFFIXES:
        from openpyxl import load_workbook

        wb = load_workbook(path, read_only=True)
        try:
            return sum(1 for ws in _sheets(wb, sheet) for i, row in enumerate(ws.iter_rows(values_only=True))
                       if i > 0 and any(v not in (None, "") for v in row))
        finally:
            wb.close()
    lines = _split_lines(path.read_bytes())
    return sum(1 for ln in lines[1:] if ln.strip(b"\r"))


def blank_lines(path: Path, line_nos: Iterable[int], sheet: str | None = None) -> int:
    """Empty the given 1-based lines (header = line 1, never touched); return how many changed.
    In a workbook the rows are those of ``sheet`` when it has a sheet of that name, else of the first."""
    wanted = {int(n) for n in line_nos if int(n) > 1}
    if not wanted or not path.exists():
        return 0
    if path.suffix.lower() in XLSX_SUFFIXES:
        return _blank_xlsx_rows(path, wanted, sheet)
    lines = _split_lines(path.read_bytes())
    changed = 0
    for n in wanted:
        i = n - 1
        if i < len(lines) and lines[i].strip(b"\r"):
            lines[i] = b"\r" if lines[i].endswith(b"\r") else b""
            changed += 1
    if changed:
        write_atomic(path, b"\n".join(lines))
    return changed


def _blank_xlsx_rows(path: Path, rows: set[int], sheet: str | None = None) -> int:
    from openpyxl import load_workbook

    wb = load_workbook(path)
    ws = _sheets(wb, sheet)[0]
    changed = 0
    for r in rows:
        if r > ws.max_row:
            continue
        cells = ws[r]
        if any(c.value not in (None, "") for c in cells):
            for c in cells:
                c.value = None
            changed += 1
    if changed:
        # openpyxl writes a new package (shared strings rebuilt), so the old strings are gone.
        tmp = path.with_name(path.name + ".pdgov-tmp")
        wb.save(tmp)
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        fsync_dir(path.parent)
    wb.close()
    return changed


# ---- quarantine copies: refused files never reached the warehouse, so their rows are found by
# the dates and agency codes written in them.

_GREG = re.compile(r"(?<!\d)((?:19|20)\d{2})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)")
_ROC = re.compile(r"(?<![\d/])(\d{2,3})[/年](\d{1,2})[/月](\d{1,2})(?!\d)")
_ROC_COMPACT = re.compile(r"(?<![\d\w])(\d{3})(\d{2})(\d{2})(?![\d\w])")
_AGENCY = re.compile(r"(?<![0-9A-Za-z])(\d{9}[A-Z])(?![0-9A-Za-z])")


def first_date(text: str) -> date | None:
    """The first calendar date written in a line, Gregorian or ROC (民國)."""
    for rx, offset in ((_GREG, 0), (_ROC, 1911), (_ROC_COMPACT, 1911)):
        for m in rx.finditer(text):
            y, mo, d = (int(g) for g in m.groups())
            try:
                return date(y + offset, mo, d)
            except ValueError:
                continue
    return None


def agency_in(text: str, fallback: str | None) -> str | None:
    m = _AGENCY.search(text)
    return m.group(1) if m else fallback


def due_lines_by_date(path: Path, cutoff: date, held: Callable[[str | None, date], bool],
                      sheet: str | None = None) -> tuple[list[int], int]:
    """Lines of a text or XLSX file whose first date is before ``cutoff`` and not held.

    Returns (due line numbers, data lines in the file). Lines without a date are left alone:
    nothing in them is known to be due.
    """
    m = _AGENCY.search(path.name.split("__", 1)[-1])
    fallback = m.group(1) if m else None
    due: list[int] = []
    total = 0
    for n, text in _iter_text_rows(path, sheet):
        if n == 1 or not text.strip():
            continue
        total += 1
        d = first_date(text)
        if d is not None and d < cutoff and not held(agency_in(text, fallback), d):
            due.append(n)
    return due, total


def _iter_text_rows(path: Path, sheet: str | None = None) -> Iterable[tuple[int, str]]:
    if path.suffix.lower() in XLSX_SUFFIXES:
        from openpyxl import load_workbook

        wb = load_workbook(path, read_only=True)
        try:
            for i, row in enumerate(_sheets(wb, sheet)[0].iter_rows(values_only=True), start=1):
                yield i, ",".join("" if v is None else str(v) for v in row).strip(",")
        finally:
            wb.close()
        return
    data = path.read_bytes()
    for enc in ("utf-8-sig", "cp950"):
        try:
            text = data.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    else:
        return
    for i, line in enumerate(text.split("\n"), start=1):
        yield i, line.strip("\r")
