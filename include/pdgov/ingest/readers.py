"""Turning what agencies send (CSV in UTF-8/BOM/Big5, XLSX, JSON) into one UTF-8 CSV.

Every later step (contracts, typing, loading) then works on one shape, inside DuckDB. The
encoding is decided from the bytes, never from the file name: Taiwanese systems still export
Big5/CP950, and a file that is neither valid UTF-8 nor valid CP950 (e.g. two encodings mixed
in one file) is refused rather than loaded as mojibake.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

CHUNK = 1 << 22
HEAD = 1 << 16


class FileRefused(Exception):
    """The whole file is refused; ``line_no``/``column`` say where, when known."""

    def __init__(self, reason: str, line_no: int | None = None, column: str | None = None):
        super().__init__(reason)
        self.reason = reason
        self.line_no = line_no
        self.column = column


@dataclass
class Sniffed:
    sha256: str
    size: int
    encoding: str | None  # utf-8, utf-8-sig, cp950; None for binary formats


def file_digest(path: Path) -> tuple[str, int]:
    """SHA-256 and size, streamed (files can be several GB)."""
    h = hashlib.sha256()
    size = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            h.update(chunk)
            size += len(chunk)
    return h.hexdigest(), size


def sniff(path: Path) -> Sniffed:
    """Hash the file and tell its text encoding from the bytes.

    Only the first 64 KB are decoded here; DuckDB validates UTF-8 on the full read for free, and
    a file that turns out not to be UTF-8 further down is retried as Big5/CP950, which
    ``to_utf8_csv`` decodes strictly (so a mixed file is refused, never loaded as mojibake).
    Decoding every byte in Python would cost more than DuckDB's whole load.
    """
    h = hashlib.sha256()
    size, head, has_nul = 0, b"", False
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            if not head:
                head = chunk[:HEAD]
            h.update(chunk)
            size += len(chunk)
            has_nul = has_nul or b"\x00" in chunk
    broken = binary_refusal(path, head, size)
    if broken:
        raise FileRefused(broken)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return Sniffed(h.hexdigest(), size, None)
    if has_nul:
        raise FileRefused("file contains NUL bytes (binary or UTF-16 content)")
    try:
        codecs.getincrementaldecoder("utf-8")("strict").decode(head, final=len(head) == size)
        enc = "utf-8-sig" if head.startswith(codecs.BOM_UTF8) else "utf-8"
    except UnicodeDecodeError:
        enc = "cp950"
    return Sniffed(h.hexdigest(), size, enc)


OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Compound File: Excel 97-2003 .xls, or an encrypted .xlsx
ZIP_MAGIC = b"PK\x03\x04"
#: Reasons a steward understands, zh-TW and English, for the files no reader can open.
EMPTY = "檔案是空的（0 位元組） / the file is empty (0 bytes): export it again"
ENCRYPTED = ("活頁簿設有密碼保護，無法讀取：請移除密碼後另存為 .xlsx 再傳送 / the workbook is password-protected "
             "(encrypted): remove the password, save as .xlsx and deliver it again")
OLD_XLS = ("舊版 Excel 97-2003 (.xls) 格式不受理：請另存為 .xlsx 或 CSV (UTF-8) / old binary Excel .xls is not "
           "accepted: save it as .xlsx or CSV (UTF-8) and deliver it again")
DAMAGED = ("活頁簿已損毀或不完整（可能傳輸中斷）：請重新匯出 / the workbook is damaged or incomplete (truncated or "
           "corrupt; perhaps cut off in transfer): export it again")
NOT_EXCEL = ("副檔名為 Excel 但內容不是 Excel 活頁簿：請另存為 .xlsx 或 CSV (UTF-8) / named as an Excel file but the "
             "content is not an Excel workbook: save it as .xlsx or CSV (UTF-8)")
NO_DATA = "工作表沒有資料 / the workbook's sheet is empty: export it again with its rows"


def binary_refusal(path: Path, head: bytes, size: int) -> str | None:
    """Why a file no reader can open is refused, told from its first bytes; None if it may be read.

    An Excel 97-2003 file and a password-protected .xlsx are both OLE compound files (an encrypted
    .xlsx is an OLE container holding an ``EncryptedPackage`` stream); a truncated or corrupt
    .xlsx is a zip whose directory (at its end) is missing or wrong."""
    suffix = path.suffix.lower()
    if size == 0:
        return EMPTY
    if head.startswith(OLE_MAGIC):
        with open(path, "rb") as fh:
            data = fh.read(1 << 20)
        if "EncryptedPackage".encode("utf-16-le") in data or "EncryptionInfo".encode("utf-16-le") in data:
            return ENCRYPTED
        return ENCRYPTED if suffix in (".xlsx", ".xlsm") else OLD_XLS
    if suffix in (".xls", ".xlsb"):
        return OLD_XLS if suffix == ".xls" else NOT_EXCEL
    if suffix in (".xlsx", ".xlsm"):
        if not head.startswith(ZIP_MAGIC):
            return NOT_EXCEL
        import zipfile

        try:
            with zipfile.ZipFile(path) as z:
                names = set(z.namelist())
        except (zipfile.BadZipFile, OSError, EOFError, ValueError):
            return DAMAGED
        if "[Content_Types].xml" not in names:
            return NOT_EXCEL
    return None


def to_utf8_csv(path: Path, sniffed: Sniffed, workdir: Path) -> Path:
    """A UTF-8 CSV (no BOM) with the header on line 1, whatever was delivered."""
    suffix = path.suffix.lower()
    if sniffed.size == 0:
        raise FileRefused(EMPTY)
    if suffix in (".xlsx", ".xlsm"):
        return _xlsx_to_csv(path, workdir)
    if suffix == ".json":
        return _json_to_csv(path, sniffed, workdir)
    if sniffed.encoding == "utf-8":
        return path
    out = workdir / (path.name + ".utf8.csv")
    try:
        with open(path, encoding=sniffed.encoding, newline="") as src, \
                open(out, "w", encoding="utf-8", newline="") as dst:
            while chunk := src.read(CHUNK):
                dst.write(chunk)
    except UnicodeDecodeError as exc:
        raise FileRefused(
            "file is neither valid UTF-8 nor valid Big5/CP950 (mixed or unknown encoding)"
        ) from exc
    return out


def _xlsx_to_csv(path: Path, workdir: Path) -> Path:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        wb = load_workbook(path, read_only=True, data_only=False)
    except InvalidFileException as exc:
        raise FileRefused(f"{NOT_EXCEL} ({type(exc).__name__})") from exc
    except Exception as exc:  # noqa: BLE001 — BadZipFile, zlib.error, XML parse errors …: all mean damaged
        raise FileRefused(f"{DAMAGED} ({type(exc).__name__})") from exc
    try:
        return _sheet_to_csv(wb, path, workdir)
    except FileRefused:
        raise
    except Exception as exc:  # noqa: BLE001 — a damaged member only shows while rows are read
        raise FileRefused(f"{DAMAGED} ({type(exc).__name__})") from exc
    finally:
        wb.close()


def _sheet_to_csv(wb, path: Path, workdir: Path) -> Path:
    """The workbook's one sheet with data as a UTF-8 CSV (formula cells refused)."""
    sheets = [ws for ws in wb.worksheets if ws.max_row and ws.max_row > 0 and _has_data(ws)]
    if len(sheets) > 1:
        raise FileRefused(
            f"workbook has {len(sheets)} sheets with data ({', '.join(ws.title for ws in sheets)}); "
            "send one sheet per file"
        )
    if not sheets:
        raise FileRefused(NO_DATA)
    ws = sheets[0]
    out = workdir / (path.name + ".csv")
    with open(out, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        header: list[str] = []
        for row_no, row in enumerate(ws.iter_rows(), start=1):
            values = []
            for ci, cell in enumerate(row):
                if cell.data_type == "f" or (isinstance(cell.value, str) and cell.value.startswith("=")
                                             and cell.data_type == "f"):
                    col = header[ci] if ci < len(header) else f"column {ci + 1}"
                    raise FileRefused("formula cell: deliver values, not formulas", row_no, col)
                values.append(_cell_text(cell.value))
            if row_no == 1:
                header = values
            if any(v != "" for v in values):
                w.writerow(values)
            else:
                w.writerow([""] * len(values))
    return out


def _has_data(ws) -> bool:
    for row in ws.iter_rows(max_row=2, values_only=True):
        if any(v not in (None, "") for v in row):
            return True
    return False


def _cell_text(value) -> str:
    from datetime import datetime

    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S") if (value.hour or value.minute or value.second) \
            else value.strftime("%Y-%m-%d")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _json_to_csv(path: Path, sniffed: Sniffed, workdir: Path) -> Path:
    try:
        data = json.loads(path.read_text(encoding=sniffed.encoding or "utf-8"))
    except json.JSONDecodeError as exc:
        raise FileRefused(f"not valid JSON: {exc.msg}", exc.lineno) from exc
    records = data if isinstance(data, list) else [data]
    if not records or not all(isinstance(r, dict) for r in records):
        raise FileRefused("JSON must be an object or a list of objects")
    keys: list[str] = []
    for r in records:
        for k in r:
            if k not in keys:
                keys.append(k)
    out = workdir / (path.name + ".csv")
    with open(out, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(keys)
        for r in records:
            w.writerow(["" if r.get(k) is None else str(r.get(k)) for k in keys])
    return out
