"""The Airflow UI page, for real: the API server with the plugin, a login, headless Chromium."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]
REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, token: str | None = None) -> tuple[int, bytes, dict]:
    req = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"} if token else {})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.read(), dict(r.headers)
    except urllib.error.HTTPError as e:
        return e.code, e.read(), dict(e.headers)


@pytest.fixture(scope="module")
def api_server(demo_run, tmp_path_factory):
    """airflow api-server on loopback with the pdgov plugin and a simple-auth user."""
    ah = tmp_path_factory.mktemp("airflow_ui")
    (ah / "passwords.json").write_text(json.dumps({"steward": "steward-pass-123"}))
    port = _free_port()
    env = dict(os.environ)
    env.update({
        "AIRFLOW_HOME": str(ah), "PDGOV_HOME": str(demo_run.home),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DAGS_FOLDER": str(ah / "no-dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(REPO / "plugins"),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{ah / 'airflow.db'}",
        "AIRFLOW__CORE__AUTH_MANAGER":
            "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "steward:viewer",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(ah / "passwords.json"),
        "AIRFLOW__API_AUTH__JWT_SECRET": "test-jwt-secret-0123456789abcdef",
        "AIRFLOW__API__BASE_URL": f"http://127.0.0.1:{port}",
        "AIRFLOW__COSMOS__ENABLE_TELEMETRY": "False", "DO_NOT_TRACK": "1",
    })
    (ah / "no-dags").mkdir()
    airflow = str(Path(sys.executable).with_name("airflow"))
    subprocess.run([airflow, "db", "migrate"], env=env, check=True, capture_output=True, timeout=300)
    log = open(ah / "api-server.log", "w")
    proc = subprocess.Popen([airflow, "api-server", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"],
                            env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError((ah / "api-server.log").read_text()[-4000:])
            try:
                if _get(base + "/api/v2/monitor/health")[0] == 200:
                    break
            except (urllib.error.URLError, ConnectionError):
                pass
            time.sleep(1)
        else:
            raise RuntimeError("api-server did not start: " + (ah / "api-server.log").read_text()[-4000:])
        req = urllib.request.Request(base + "/auth/token", method="POST",
                                     data=json.dumps({"username": "steward", "password": "steward-pass-123"}).encode(),
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=30) as r:
            token = json.loads(r.read())["access_token"]
        yield base, token
    finally:
        os.killpg(proc.pid, 15)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
        log.close()


def test_anonymous_request_is_refused(api_server):
    base, _ = api_server
    assert _get(base + "/pdgov/")[0] in (401, 403)
    assert _get(base + "/pdgov/api/workbooks")[0] in (401, 403)
    assert _get(base + "/pdgov/download/anything.xlsx")[0] in (401, 403)


def test_list_and_download_for_a_logged_in_user(api_server, demo_run):
    base, token = api_server
    status, body, _ = _get(base + "/pdgov/api/workbooks", token)
    assert status == 200
    books = json.loads(body)
    on_disk = sorted((demo_run.home / "exports").rglob("*.xlsx"))
    assert len(books) == len(on_disk) > 1
    city = next(b for b in books if b["agency"] == "全市")
    status, data, headers = _get(base + "/pdgov/download/" + urllib.request.quote(city["path"]), token)
    assert status == 200
    import hashlib

    assert hashlib.sha256(data).hexdigest() == city["sha256"]
    from io import BytesIO

    from openpyxl import load_workbook

    assert "個人資料檔案清冊" in load_workbook(BytesIO(data), read_only=True).sheetnames


@pytest.mark.parametrize("attempt", [
    "/pdgov/download/../warehouse/pdgov.duckdb",
    "/pdgov/download/..%2Fwarehouse%2Fpdgov.duckdb",
    "/pdgov/download/%2e%2e/warehouse/pdgov.duckdb",
    "/pdgov/download//etc/passwd",
    "/pdgov/download/link.xlsx",
    "/pdgov/docs/../../warehouse/pdgov.duckdb",
])
def test_traversal_is_refused(api_server, demo_run, attempt):
    base, token = api_server
    link = demo_run.home / "exports" / "link.xlsx"
    link.symlink_to(demo_run.home / "warehouse" / "pdgov.duckdb")
    try:
        status, body, _ = _get(base + attempt, token)
    finally:
        link.unlink()
    assert status in (400, 404), (attempt, status)
    assert b"DUCK" not in body[:64]


def test_dbt_docs_served(api_server):
    base, token = api_server
    status, body, _ = _get(base + "/pdgov/docs/index.html", token)
    assert status == 200 and b"<html" in body[:2000].lower()
    assert _get(base + "/pdgov/docs/manifest.json", token)[0] == 200


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (make test installs it)")
def test_page_in_headless_chromium(api_server, demo_run):
    from playwright.sync_api import sync_playwright

    base, token = api_server
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "pdgov_ui_page.png"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        try:
            ctx = browser.new_context(viewport={"width": 1400, "height": 900})
            ctx.add_cookies([{"name": "_token", "value": token, "url": base}])
            page = ctx.new_page()
            page.goto(base + "/pdgov/")
            assert "個資治理報表" in page.content()
            n_books = len(list((demo_run.home / "exports").rglob("pdgov_*.xlsx")))
            assert page.locator("table tbody tr").count() == n_books
            with page.expect_download() as dl:
                page.locator("a", has_text="全市").first.click()
            assert dl.value.suggested_filename.endswith(".xlsx")
            page.screenshot(path=str(shot), full_page=True)
            page.goto(base + "/pdgov/docs/index.html")
            assert page.title()
        finally:
            browser.close()
    assert shot.stat().st_size > 10_000
