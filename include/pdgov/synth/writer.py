"""Writing landing files and recording each in the manifest as written (format, encoding, rows,
expected outcome): tests compare the warehouse with what was written, not with an intention."""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path


@dataclass
class Writer:
    home: Path
    files: list[dict] = field(default_factory=list)

    def csv(self, source: str, name: str, header: list[str], rows: list[list], encoding: str = "utf-8",
            expect: str = "accepted", rejections: list[dict] | None = None) -> Path:
        path = self.home / "landing" / source / name
        path.parent.mkdir(parents=True, exist_ok=True)
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\r\n" if encoding == "cp950" else "\n")
        w.writerow(header)
        w.writerows(["" if v is None else v for v in r] for r in rows)
        path.write_bytes(buf.getvalue().encode(encoding))
        self._record(source, path, "csv", encoding, len(rows), expect, rejections)
        return path

    def xlsx(self, source: str, name: str, header: list[str], rows: list[list], expect: str = "accepted",
             rejections: list[dict] | None = None) -> Path:
        from openpyxl import Workbook

        path = self.home / "landing" / source / name
        path.parent.mkdir(parents=True, exist_ok=True)
        # Not write_only: streamed sheets carry no <dimension>, and readers that trust max_row
        # (openpyxl read-only mode) would see an empty sheet.
        wb = Workbook()
        ws = wb.active
        ws.title = "設備清冊"
        ws.append(header)
        for r in rows:
            ws.append(r)
        fixed = datetime(2026, 1, 1)
        wb.properties.created = fixed
        wb.properties.modified = fixed
        wb.properties.creator = "pdgov synth"
        wb.save(path)
        _normalise_zip(path)
        self._record(source, path, "xlsx", "", len(rows), expect, rejections)
        return path

    def json(self, source: str, name: str, obj: dict) -> Path:
        path = self.home / "landing" / source / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(obj, ensure_ascii=False, indent=2), encoding="utf-8")
        self._record(source, path, "json", "utf-8", 1, "accepted", None)
        return path

    def _record(self, source, path, fmt, encoding, rows, expect, rejections) -> None:
        self.files.append({
            "source": source, "path": str(path.relative_to(self.home)), "format": fmt, "encoding": encoding,
            "rows": rows, "expect": expect, "rejections": rejections or [],
        })


def _normalise_zip(path: Path) -> None:
    """Rewrite an XLSX with fixed zip timestamps so the same seed gives the same bytes."""
    import zipfile

    data = path.read_bytes()
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in sorted(src.infolist(), key=lambda i: i.filename):
            zi = zipfile.ZipInfo(info.filename, date_time=(2026, 1, 1, 0, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps the save time here
                body = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2026-01-01T00:00:00Z", body)
            dst.writestr(zi, body)
    path.write_bytes(out.getvalue())
