"""Archive and quarantine copies that never hold a national ID in clear.

A delivered file leaves ``landing/`` for ``archive/`` (loaded) or ``quarantine/`` (refused). Moving
the bytes as sent would keep whatever a clerk typed: an ID in 事由 or 說明, in a column the
contract drops (備註), or in a file refused before any column was read. So every copy is placed
here: a file with no ID-shaped token (``text_ids``) is moved as sent (the usual case, and the
archive keeps the delivered bytes); one with a token is written as UTF-8 text with each token
pseudonymised; a workbook with a token is kept as its CSV conversion, pseudonymised
(``<name>.csv``); an unreadable binary with a token (a corrupt workbook, an old ``.xls``) is not
kept at all — a note (``<name>.withheld.txt``) says why, and the agency still has its original.

The scan is a byte-level test over the file in chunks (``might_have_token``, over-inclusive; only
a hit pays for the decode and the exact check). A loaded file whose every column went into the
raw table as typed (none dropped, none free text) is moved unscanned: its copy holds nothing the
warehouse does not.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

from pdgov.ingest import text_ids

CHUNK = 1 << 22
OVERLAP = 64
# The fast scan: bytes translated to classes (a letter or any non-ASCII byte → a, 1 or 2 → 1, other
# digits → 0, anything else → .), so an ID shape with ASCII digits is "a1" and eight of 0/1 — a
# literal-prefixed search, several times faster than a character-class regex over the raw bytes.
# IDs typed with full-width or mathematical digits are caught by their 1/2 (U+FF11, U+FF12, U+1D7xx).
_CLASSES = bytes(ord("a") if b >= 0x80 or chr(b).isalpha() else ord("1") if b in b"12"
                 else ord("0") if chr(b).isdigit() else ord(".") for b in range(256))
_SHAPE = re.compile(rb"a1[01]{8}")
_WIDE_ONE_TWO = (b"\xef\xbc\x91", b"\xef\xbc\x92", b"\xf0\x9d\x9f")
_BINARY_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".zip", ".ods")
_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")


def might_have_token(path: Path) -> bool:
    """A fast, over-inclusive test: False means the file has no ID-shaped token in UTF-8 text."""
    tail = b""
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            window = tail + chunk
            if _SHAPE.search(window.translate(_CLASSES)) or any(w in window for w in _WIDE_ONE_TWO):
                return True
            tail = chunk[-OVERLAP:]
    return False


def _decoded(path: Path) -> str | None:
    data = path.read_bytes()
    for enc in ("utf-8-sig", "cp950"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    return None


def _is_binary(path: Path) -> bool:
    if path.suffix.lower() in _BINARY_SUFFIXES:
        return True
    with open(path, "rb") as fh:
        head = fh.read(8)
    return head.startswith(_MAGIC) or b"\x00" in head


def _binary_has_token(path: Path) -> bool:
    """Whether an unreadable binary might hold an ID: its bytes read as UTF-8, UTF-16 and Latin-1,
    and every zip member that still decompresses."""
    data = path.read_bytes()
    texts = [data.decode("utf-8", "ignore"), data.decode("utf-16-le", "ignore"), data.decode("latin-1")]
    try:
        with zipfile.ZipFile(path) as z:
            for info in z.infolist():
                try:
                    texts.append(z.read(info).decode("utf-8", "ignore"))
                except Exception:  # noqa: BLE001 — a damaged member: whatever is readable was read
                    continue
    except Exception:  # noqa: BLE001 — not a zip, or its directory is gone
        pass
    return any(text_ids.has_token(t) for t in texts)


def place(src: Path, dest: Path, key: bytes, converted: Path | None = None, as_loaded: bool = False) -> Path:
    """Move ``src`` to ``dest`` — or, when it carries an ID-shaped token, write its pseudonymised
    text there instead (see the module docstring). ``converted``: the file's UTF-8 CSV when the
    ingest made one (a workbook, a Big5 file). ``as_loaded``: every delivered column went into the
    raw table as typed (none dropped, none free text), so the copy holds nothing the warehouse does
    not and is moved unscanned (a 10-million-row punch export costs a rename, not a read).
    Returns the path written; ``src`` is gone after."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    if as_loaded:
        return _move(src, dest)
    readable = converted if converted is not None and converted.exists() and converted != src else None
    if _is_binary(src):
        text = _decoded(readable) if readable is not None else None
        if text is None:
            if not _binary_has_token(src):
                return _move(src, dest)
            note = dest.with_name(dest.name + ".withheld.txt")
            note.write_text(f"{src.name}: the file could not be read and may carry national IDs, so no copy is "
                            "kept (檔案無法讀取且可能含身分證統一編號，不保留副本). The agency keeps its original.\n",
                            encoding="utf-8")
            src.unlink()
            return note
        if not text_ids.has_token(text) and not _binary_has_token(src):
            return _move(src, dest)
        return _write(src, dest.with_name(dest.name + ".csv"), text_ids.scrub(text, key))
    text_path = readable or src
    if not might_have_token(text_path):
        return _move(src, dest)
    text = _decoded(text_path)
    if text is None:  # neither UTF-8 nor Big5 (two encodings mixed): judged on what decodes
        text = text_path.read_bytes().decode("utf-8", "replace")
    if not text_ids.has_token(text):
        return _move(src, dest)
    return _write(src, dest, text_ids.scrub(text, key))


def _move(src: Path, dest: Path) -> Path:
    shutil.move(str(src), dest)
    return dest


def _write(src: Path, out: Path, text: str) -> Path:
    out.write_text(text, encoding="utf-8")
    src.unlink()
    return out
