"""A FastAPI app mounted in the Airflow API server by ``plugins/pdgov_ui.py``.

Every route depends on Airflow's own authentication (``requires_authenticated``): the same
login the agencies already use, through whichever auth manager the deployment configures.
Downloads are confined to ``PDGOV_HOME/exports`` (workbooks) and ``PDGOV_HOME/dbt/docs``
(lineage): no ``..``, no absolute paths, no encoded slashes, no symlinks out.
"""

from __future__ import annotations

import hashlib
import html
from datetime import datetime
from pathlib import Path

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse

from pdgov.clock import TAIPEI
from pdgov.config import paths

DOC_TYPES = {".html": "text/html", ".json": "application/json", ".css": "text/css", ".js": "text/javascript",
             ".svg": "image/svg+xml", ".png": "image/png"}


def _auth_dependency():
    from airflow.api_fastapi.core_api.security import requires_authenticated

    return Depends(requires_authenticated())


def confined(root: Path, rel: str, raw_path: bytes = b"") -> Path:
    """The file ``rel`` under ``root``, or 404: the one place that decides what may be served."""
    low = raw_path.lower()
    if b"%2f" in low or b"%5c" in low or b"%2e%2e" in low:
        raise HTTPException(status_code=404, detail="not found")
    if not rel or rel.startswith(("/", "\\")) or "\\" in rel or "\x00" in rel:
        raise HTTPException(status_code=404, detail="not found")
    parts = Path(rel).parts
    if any(p in ("..", ".") or p.startswith("~") for p in parts):
        raise HTTPException(status_code=404, detail="not found")
    root = root.resolve()
    candidate = root.joinpath(*parts)
    # No symlink anywhere on the way: resolve() must not change the path.
    if candidate.resolve() != candidate or not candidate.is_file():
        raise HTTPException(status_code=404, detail="not found")
    return candidate


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def list_workbooks() -> list[dict]:
    root = paths().exports.resolve()
    rows = []
    if root.exists():
        for f in sorted(root.rglob("*.xlsx"), reverse=True):
            if f.is_symlink() or not f.is_file():
                continue
            rel = f.relative_to(root).as_posix()
            st = f.stat()
            scope = "全市" if "全市" in f.name else (f.stem.split("_")[1] if f.stem.count("_") >= 2 else f.stem)
            rows.append({"path": rel, "run": rel.split("/")[0], "agency": scope,
                         "size": st.st_size, "modified": datetime.fromtimestamp(st.st_mtime, TAIPEI),
                         "sha256": _sha256(f)})
    return rows


def page() -> str:
    books = list_workbooks()
    docs = (paths().docs / "index.html").exists()
    rows = "\n".join(
        f"<tr><td>{html.escape(b['run'])}</td><td>{html.escape(b['agency'])}</td>"
        f"<td><a href='download/{html.escape(b['path'])}'>{html.escape(Path(b['path']).name)}</a></td>"
        f"<td style='text-align:right'>{b['size']:,}</td><td>{b['modified']:%Y-%m-%d %H:%M}</td>"
        f"<td><code>{b['sha256']}</code></td></tr>"
        for b in books
    ) or "<tr><td colspan='6'>尚無產出之活頁簿 (no workbooks yet)</td></tr>"
    docs_link = ("<a href='docs/index.html'>dbt 資料血緣文件 (lineage docs)</a>" if docs
                 else "dbt 文件尚未產生 (no dbt docs yet)")
    return f"""<!doctype html><html lang="zh-Hant"><head><meta charset="utf-8">
<title>pdgov 個資治理報表</title>
<style>body{{font-family:sans-serif;margin:1.5em}} table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:4px 8px;font-size:14px}} th{{background:#ddebf7}} code{{font-size:11px}}</style>
</head><body>
<h1>個資治理報表 (pdgov committee workbooks)</h1>
<p>{docs_link}</p>
<table><thead><tr><th>資料基準日</th><th>範圍</th><th>活頁簿</th><th>大小 (bytes)</th><th>產製時間</th><th>SHA-256</th></tr></thead>
<tbody>
{rows}
</tbody></table>
<p id="count">共 {len(books)} 個活頁簿</p>
</body></html>"""


def create_app() -> FastAPI:
    app = FastAPI(title="pdgov", dependencies=[_auth_dependency()])

    @app.get("/", response_class=HTMLResponse)
    def index() -> str:
        return page()

    @app.get("/api/workbooks")
    def workbooks() -> list[dict]:
        return [{**b, "modified": b["modified"].isoformat()} for b in list_workbooks()]

    @app.get("/download/{rel:path}")
    def download(rel: str, request: Request) -> FileResponse:
        f = confined(paths().exports, rel, request.scope.get("raw_path", b""))
        if f.suffix.lower() != ".xlsx":
            raise HTTPException(status_code=404, detail="not found")
        return FileResponse(f, filename=f.name,
                            media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")

    @app.get("/docs/{rel:path}")
    def docs(rel: str, request: Request) -> FileResponse:
        f = confined(paths().docs, rel, request.scope.get("raw_path", b""))
        return FileResponse(f, media_type=DOC_TYPES.get(f.suffix.lower(), "application/octet-stream"))

    return app
