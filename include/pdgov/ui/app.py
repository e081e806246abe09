"""A FastAPI app mounted in the Airflow API server by ``plugins/pdgov_ui.py``.

Every route depends on Airflow's own login (``get_user``: the same login the agencies already
use, through whichever auth manager the deployment configures), and every route that shows or
serves data asks ``pdgov.ui.access`` what that user may see: committee staff every agency and the
city workbook, a steward only their agencies — on the dashboard, the rows behind it, the workbook
list and the downloads alike. Downloads are confined to ``PDGOV_HOME/exports`` (workbooks) and
``PDGOV_HOME/dbt/docs`` (lineage): no ``..``, no absolute paths, no encoded slashes, no symlinks out.
"""

import hashlib
import re
from datetime import date, datetime
from pathlib import Path
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse

from pdgov.clock import TAIPEI
from pdgov.config import paths
from pdgov.ui import access, dashboard, pages

DOC_TYPES = {".html": "text/html", ".json": "application/json", ".css": "text/css", ".js": "text/javascript",
             ".svg": "image/svg+xml", ".png": "image/png"}
AGENCY_BOOK = re.compile(r"^(?P<day>\d{4}-\d{2}-\d{2})/agency/pdgov_(?P<code>[0-9]{9}[A-Z])_(?P=day)\.xlsx$")
# City-level books (committee only): the city workbook and the quarterly WebIR report to 勞工局.
CITY_BOOK = re.compile(r"^(?P<day>\d{4}-\d{2}-\d{2})/pdgov_(?:全市|WebIR查核季報_勞工局)_(?P=day)\.xlsx$")
ROW_LIMIT = 500


def scope_of(user) -> access.Scope:
    return access.load().scope(user.get_name(), access.user_roles(user))


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


def book_agency(rel: str) -> tuple[bool, str | None]:
    """(is a workbook pdgov wrote, its agency): the city workbook's agency is None (the whole city)."""
    if m := AGENCY_BOOK.match(rel):
        return True, m.group("code")
    return bool(CITY_BOOK.match(rel)), None


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def list_workbooks(scope: access.Scope) -> list[dict]:
    """The workbooks ``scope`` may download, newest date first."""
    root = paths().exports.resolve()
    rows = []
    if root.exists():
        for f in sorted(root.rglob("*.xlsx"), reverse=True):
            if f.is_symlink() or not f.is_file():
                continue
            rel = f.relative_to(root).as_posix()
            known, agency = book_agency(rel)
            if not known or not scope.allows(agency):
                continue
            st = f.stat()
            rows.append({"path": rel, "run": rel.split("/")[0], "agency": agency or "全市",
                         "size": st.st_size, "modified": datetime.fromtimestamp(st.st_mtime, TAIPEI),
                         "sha256": _sha256(f)})
    return rows


def _books_for(as_of: date, agency: str | None, scope: access.Scope) -> list[tuple[str, str]]:
    """The workbook links a dashboard shows: the chosen agency's, and the city's for the committee."""
    day = as_of.isoformat()
    want = [(f"機關 {agency} 活頁簿", f"{day}/agency/pdgov_{agency}_{day}.xlsx")] if agency else []
    if scope.everything:
        want.append(("全市活頁簿", f"{day}/pdgov_全市_{day}.xlsx"))
    root = paths().exports
    return [(label, rel) for label, rel in want if (root / rel).is_file() and scope.allows(book_agency(rel)[1])]


def _choose(scope: access.Scope, day: str | None, agency: str | None) -> tuple[date | None, str | None, list[date]]:
    """The date and agency a request asks for, checked: a date the UI offers, an agency the user may see."""
    days = dashboard.dates()
    as_of = days[0] if days else None
    if day:
        try:
            as_of = date.fromisoformat(day)
        except ValueError:
            raise HTTPException(status_code=404, detail="no such date") from None
        if as_of not in days:
            raise HTTPException(status_code=404, detail="no such date")
    agency = agency or scope.only()
    if agency and not access.AGENCY_CODE.match(agency):
        raise HTTPException(status_code=404, detail="no such agency")
    if not scope.allows(agency):
        raise HTTPException(status_code=403, detail="this agency is not yours to see")
    return as_of, agency, days


def create_app() -> FastAPI:
    # Annotations here are evaluated as the routes are defined (no ``from __future__ import annotations``
    # in this module), so FastAPI sees these dependencies; Airflow's security module loads only here,
    # in the API server, not in every process that imports the plugin.
    from airflow.api_fastapi.core_api.security import GetUserDep

    def user_scope(user: GetUserDep) -> access.Scope:
        return scope_of(user)

    ScopeDep = Annotated[access.Scope, Depends(user_scope)]  # noqa: N806 - a type, named as one
    app = FastAPI(title="pdgov", dependencies=[Depends(user_scope)])

    @app.exception_handler(HTTPException)
    async def _login_first(request: Request, exc: HTTPException):
        # A page opened without a login goes to Airflow's login and comes back; the API answers 401.
        html_page = not request.url.path.split(request.scope.get("root_path", ""), 1)[-1].startswith(
            ("/api/", "/download/", "/docs/"))
        if exc.status_code == 401 and html_page and request.method == "GET":
            from airflow.api_fastapi.app import get_auth_manager

            return RedirectResponse(get_auth_manager().get_url_login(next_url=str(request.url)))
        if exc.status_code in (403, 404) and "text/html" in request.headers.get("accept", ""):
            return HTMLResponse(pages.refused(request.scope.get("root_path", "").rstrip("/"), exc.status_code,
                                              str(exc.detail)), status_code=exc.status_code)
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)

    def base(request: Request) -> str:
        return request.scope.get("root_path", "").rstrip("/")

    @app.get("/", response_class=HTMLResponse)
    def index(request: Request, scope: ScopeDep) -> str:
        if scope.problem:
            return pages.denied(base(request), scope, "個資治理報表")
        return pages.workbooks_page(base(request), scope, list_workbooks(scope), (paths().docs / "index.html").exists())

    @app.get("/dashboard", response_class=HTMLResponse)
    def dashboard_view(request: Request, scope: ScopeDep, date: str | None = None, agency: str | None = None):
        if scope.problem:
            return HTMLResponse(pages.denied(base(request), scope, "個資治理儀表板"), status_code=403)
        as_of, agency, days = _choose(scope, date, agency)
        if as_of is None:
            return pages.layout(base(request), "個資治理儀表板", "dashboard", scope,
                                '<p class="banner" id="nodata">尚無任何夜間作業之產出。</p>')
        tiles, problem, agencies, lines = [], None, [], []
        try:
            agencies = dashboard.agencies(as_of)
            tiles = [t for f in dashboard.TILES if (t := f(as_of, agency)) is not None]
            lines = dashboard.overview(as_of) if agency is None else []  # agency None: the committee only
        except dashboard.Unavailable as exc:
            problem = str(exc)
        return pages.dashboard_page(base(request), scope, as_of, agency, days, agencies, tiles,
                                    _books_for(as_of, agency, scope), dashboard.warehouse_busy(), problem, lines)

    @app.get("/rows/{tile}", response_class=HTMLResponse)
    def rows_view(request: Request, tile: str, scope: ScopeDep, date: str | None = None, agency: str | None = None,
                  value: str | None = None) -> str:
        if tile not in dashboard.ROWS:
            raise HTTPException(status_code=404, detail="no such tile")
        if scope.problem:
            raise HTTPException(status_code=403, detail=scope.problem)
        as_of, agency, _ = _choose(scope, date, agency)
        if as_of is None:
            raise HTTPException(status_code=404, detail="no data yet")
        try:
            sheet, rows = dashboard.rows(tile, as_of, agency, value, ROW_LIMIT)
        except dashboard.Unavailable as exc:
            raise HTTPException(status_code=503, detail=str(exc)) from exc
        books = _books_for(as_of, agency, scope)
        return pages.rows_page(base(request), scope, sheet.title, sheet, rows, as_of, agency, value, ROW_LIMIT,
                               books[0] if books else None)

    @app.get("/api/dashboard")
    def dashboard_api(scope: ScopeDep, date: str | None = None, agency: str | None = None) -> dict:
        if scope.problem:
            raise HTTPException(status_code=403, detail=scope.problem)
        as_of, agency, days = _choose(scope, date, agency)
        if as_of is None:
            return {"dates": [], "tiles": []}
        try:
            tiles = [t for f in dashboard.TILES if (t := f(as_of, agency)) is not None]
        except dashboard.Unavailable as exc:
            raise HTTPException(status_code=503, detail=str(exc)) from exc
        return {"date": as_of.isoformat(), "agency": agency, "dates": [d.isoformat() for d in days],
                "tiles": [{"key": t.key, "title": t.title, "headline": t.headline,
                           "bars": [{"label": b.label, "value": b.value, "code": b.filter} for b in t.bars],
                           "clocks": [{"incident_id": c.incident_id, "minutes_left": c.minutes_left} for c in t.clocks]}
                          for t in tiles]}

    @app.get("/api/workbooks")
    def workbooks(scope: ScopeDep) -> list[dict]:
        return [{**b, "modified": b["modified"].isoformat()} for b in list_workbooks(scope)]

    @app.get("/download/{rel:path}")
    def download(rel: str, request: Request, scope: ScopeDep) -> FileResponse:
        f = confined(paths().exports, rel, request.scope.get("raw_path", b""))
        known, agency = book_agency(f.relative_to(paths().exports.resolve()).as_posix())
        if f.suffix.lower() != ".xlsx" or not known:
            raise HTTPException(status_code=404, detail="not found")
        if not scope.allows(agency):
            raise HTTPException(status_code=403, detail="this workbook is not yours to download")
        return FileResponse(f, filename=f.name,
                            media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")

    @app.get("/docs/{rel:path}")
    def docs(rel: str, request: Request) -> FileResponse:
        f = confined(paths().docs, rel, request.scope.get("raw_path", b""))
        return FileResponse(f, media_type=DOC_TYPES.get(f.suffix.lower(), "application/octet-stream"))

    return app
