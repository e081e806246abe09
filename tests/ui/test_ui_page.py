"""The Airflow UI with the pdgov pages, for real: `pdgov ui` on the demo night, logins, headless Chromium.

`pdgov ui` starts the Airflow API server on the demo run's own AIRFLOW_HOME with the plugin and
the simple auth manager; the users come from an access file naming a committee user and stewards
of two agencies. Over HTTP and in Debian's Chromium: each logs in through Airflow's login page,
the committee sees the whole city and every workbook, each steward only their agency, and a
steward's direct download of the other agency's workbook is refused. Screenshots are kept.
"""

from __future__ import annotations

import hashlib
import json
import os
import queue
import shutil
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from io import BytesIO
from pathlib import Path

import pytest
from conftest import BIN, REPO, pdgov_env

pytestmark = [pytest.mark.browser, pytest.mark.slow]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
STEWARDS = {"steward_a": "379130000C", "steward_b": "379150000G"}
PASSWORDS = "simple_auth_manager_passwords.json.generated"


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, token: str | None = None) -> tuple[int, bytes, dict]:
    req = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"} if token else {})

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *a, **kw):
            return None

    try:
        with urllib.request.build_opener(NoRedirect).open(req, timeout=30) as r:
            return r.status, r.read(), dict(r.headers)
    except urllib.error.HTTPError as e:
        return e.code, e.read(), dict(e.headers)


@pytest.fixture(scope="module")
def ui(demo_run, tmp_path_factory):
    """`pdgov ui` on the demo home; yields (base url, passwords, its terminal output, tokens)."""
    access = tmp_path_factory.mktemp("ui") / "ui_access.toml"
    access.write_text('[committee]\nroles = ["admin"]\nusers = ["committee"]\n\n[users]\n'
                      + "".join(f'{u} = ["{c}"]\n' for u, c in STEWARDS.items()), encoding="utf-8")
    port = _free_port()
    proc = subprocess.Popen([str(BIN / "pdgov"), "ui", "--port", str(port)], cwd=REPO, text=True,
                            env=pdgov_env(demo_run.home, PDGOV_UI_ACCESS=str(access)), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(ln) for ln in proc.stdout], daemon=True).start()
    out: list[str] = []
    try:
        deadline = time.monotonic() + 240
        while not any("Ctrl-C" in ln for ln in out):
            try:
                out.append(lines.get(timeout=max(0.1, deadline - time.monotonic())))
            except queue.Empty:
                raise RuntimeError("pdgov ui did not start:\n" + "".join(out)) from None
            if proc.poll() is not None and lines.empty():
                raise RuntimeError("pdgov ui exited:\n" + "".join(out))
        base = f"http://127.0.0.1:{port}"
        passwords = json.loads((demo_run.home / "airflow" / PASSWORDS).read_text())
        tokens = {}
        for user in ("committee", *STEWARDS):
            req = urllib.request.Request(base + "/auth/token", method="POST", headers={"Content-Type": "application/json"},
                                         data=json.dumps({"username": user, "password": passwords[user]}).encode())
            with urllib.request.urlopen(req, timeout=30) as r:
                tokens[user] = json.loads(r.read())["access_token"]
        yield {"base": base, "passwords": passwords, "out": "".join(out), "tokens": tokens, "access": access}
    finally:
        os.killpg(proc.pid, signal.SIGTERM)  # pdgov ui stops its API server
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def _books(demo_run) -> list[Path]:
    return sorted((demo_run.home / "exports").rglob("pdgov_*.xlsx"))


def test_pdgov_ui_says_where_to_go_and_how_to_log_in(ui, demo_run):
    out = ui["out"]
    assert f"{ui['base']}/pdgov/dashboard" in out and "log in as" in out
    for user in ("committee", *STEWARDS):
        assert user in out
        assert ui["passwords"][user] not in out, "passwords are in their file, never on the terminal"
    pw_file = demo_run.home / "airflow" / PASSWORDS
    assert str(pw_file) in out and (pw_file.stat().st_mode & 0o777) == 0o600
    assert str(ui["access"]) in out


def test_anonymous_requests_are_refused_and_pages_send_to_the_login(ui):
    base = ui["base"]
    for path in ("/pdgov/api/workbooks", "/pdgov/api/dashboard", "/pdgov/download/anything.xlsx"):
        assert _get(base + path)[0] in (401, 403), path
    status, _, headers = _get(base + "/pdgov/dashboard")
    assert status in (302, 307) and "/auth/login" in headers["location"] and "next=" in headers["location"]


def test_the_committee_sees_the_whole_city_as_the_warehouse_has_it(ui, demo_run):
    token = ui["tokens"]["committee"]
    status, body, _ = _get(ui["base"] + "/pdgov/api/dashboard", token)
    assert status == 200
    tiles = {t["key"]: t for t in json.loads(body)["tiles"]}
    assert {"devices", "deadlines", "samples", "accounts", "incidents"} <= set(tiles)
    assert {b["code"]: b["value"] for b in tiles["devices"]["bars"]} == dict(
        demo_run.query("SELECT status, count(*) FROM device_compliance GROUP BY 1"))
    assert {b["code"]: b["value"] for b in tiles["accounts"]["bars"]} == dict(
        demo_run.query("SELECT finding, count(*) FROM webir_account_review GROUP BY 1"))
    open_incidents = demo_run.query("SELECT incident_id FROM incident_clock WHERE report_sent_at IS NULL")
    assert [c["incident_id"] for c in tiles["incidents"]["clocks"]] == [i for (i,) in open_incidents]
    status, body, _ = _get(ui["base"] + "/pdgov/api/workbooks", token)
    assert len(json.loads(body)) == len(_books(demo_run)) > 2


@pytest.mark.parametrize("user", list(STEWARDS))
def test_each_steward_sees_and_downloads_only_their_own_agency(ui, demo_run, user):
    base, token, own = ui["base"], ui["tokens"][user], STEWARDS[user]
    other = next(c for u, c in STEWARDS.items() if u != user)
    status, body, _ = _get(base + "/pdgov/api/workbooks", token)
    books = json.loads(body)
    assert status == 200 and [b["agency"] for b in books] == [own]
    status, body, _ = _get(base + "/pdgov/api/dashboard", token)
    data = json.loads(body)
    assert status == 200 and data["agency"] == own
    devices = {b["code"]: b["value"] for t in data["tiles"] if t["key"] == "devices" for b in t["bars"]}
    assert devices == dict(demo_run.query(
        "SELECT status, count(*) FROM device_compliance WHERE agency_code = ? GROUP BY 1", [own]))
    day = demo_run.run_date.isoformat()
    for path in (f"/pdgov/api/dashboard?agency={other}", f"/pdgov/dashboard?agency={other}",
                 f"/pdgov/rows/devices?agency={other}",
                 f"/pdgov/download/{day}/agency/pdgov_{other}_{day}.xlsx",
                 f"/pdgov/download/{urllib.parse.quote(f'{day}/pdgov_全市_{day}.xlsx')}"):
        assert _get(base + path, token)[0] == 403, path
    status, data, _ = _get(base + f"/pdgov/download/{books[0]['path']}", token)
    assert status == 200 and hashlib.sha256(data).hexdigest() == books[0]["sha256"]
    from openpyxl import load_workbook

    ws = load_workbook(BytesIO(data), read_only=True)["生物特徵差勤設備清冊"]
    assert {r[0] for r in ws.iter_rows(min_row=2, values_only=True)} == {own}


@pytest.mark.parametrize("attempt", [
    "/pdgov/download/../warehouse/pdgov.duckdb",
    "/pdgov/download/..%2Fwarehouse%2Fpdgov.duckdb",
    "/pdgov/download/%2e%2e/warehouse/pdgov.duckdb",
    "/pdgov/download//etc/passwd",
    "/pdgov/download/link.xlsx",
    "/pdgov/docs/../../warehouse/pdgov.duckdb",
])
def test_traversal_is_refused(ui, demo_run, attempt):
    link = demo_run.home / "exports" / "link.xlsx"
    link.symlink_to(demo_run.home / "warehouse" / "pdgov.duckdb")
    try:
        status, body, _ = _get(ui["base"] + attempt, ui["tokens"]["committee"])
    finally:
        link.unlink()
    assert status in (400, 404), (attempt, status)
    assert b"DUCK" not in body[:64]


def test_dbt_docs_served(ui):
    status, body, _ = _get(ui["base"] + "/pdgov/docs/index.html", ui["tokens"]["committee"])
    assert status == 200 and b"<html" in body[:2000].lower()


def _browser(p):
    return p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"])


def _login(browser, ui, user: str):
    """A fresh browser session through Airflow's own login page, back to the dashboard."""
    page = browser.new_context(viewport={"width": 1400, "height": 950}).new_page()
    page.goto(ui["base"] + "/pdgov/dashboard")
    assert "/auth/login" in page.url
    page.locator("input[name=username]").fill(user)
    page.locator("input[name=password]").fill(ui["passwords"][user])
    page.locator("button[type=submit]").click()
    page.wait_for_url("**/pdgov/dashboard**", timeout=60_000)
    return page


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (make test installs it)")
def test_dashboard_in_chromium_for_the_committee_and_for_two_stewards(ui, demo_run, artifacts):
    from playwright.sync_api import sync_playwright

    shots = artifacts / "ui"
    shutil.rmtree(shots, ignore_errors=True)
    shots.mkdir(parents=True)
    day = demo_run.run_date.isoformat()
    (prohibited,) = demo_run.query("SELECT count(*) FROM device_compliance WHERE status = 'prohibited'")[0]
    agencies = {c for (c,) in demo_run.query("SELECT DISTINCT agency_code FROM device_compliance")}
    with sync_playwright() as p:
        browser = _browser(p)
        try:
            page = _login(browser, ui, "committee")
            for key in ("devices", "deadlines", "samples", "accounts", "incidents"):
                assert page.locator(f"#tile-{key} svg.chart, #tile-{key} p.empty").count() == 1, key
            assert page.locator("script").count() == 0, "no JavaScript on the page"
            assert {page.locator("#overview tbody tr td:first-child").nth(i).inner_text()
                    for i in range(page.locator("#overview tbody tr").count())} == agencies
            page.screenshot(path=str(shots / "dashboard_committee.png"), full_page=True)
            page.locator('#tile-devices a.bar[data-label="禁止使用"]').click()
            page.wait_for_url("**/pdgov/rows/devices**")
            assert page.locator("#rows tbody tr").count() == prohibited
            assert f"共 {prohibited} 筆" in page.locator("#count").inner_text()
            page.screenshot(path=str(shots / "rows_prohibited_devices.png"), full_page=True)
            page.goto(ui["base"] + "/pdgov/")
            assert page.locator("#books tbody tr").count() == len(_books(demo_run))
            with page.expect_download() as dl:
                page.locator("a", has_text="全市").first.click()
            assert dl.value.suggested_filename.endswith(".xlsx")
            page.screenshot(path=str(shots / "workbooks_committee.png"), full_page=True)

            for user, own in STEWARDS.items():
                other = next(c for c in STEWARDS.values() if c != own)
                page = _login(browser, ui, user)
                assert own in page.locator("#who").inner_text()
                options = page.locator("#agency option")
                assert [options.nth(i).get_attribute("value") for i in range(options.count())] == [own]
                assert other not in page.content()
                page.screenshot(path=str(shots / f"dashboard_{user}.png"), full_page=True)
                page.goto(ui["base"] + "/pdgov/")
                assert page.locator("#books tbody tr").count() == 1 and own in page.locator("#books").inner_text()
                response = page.goto(f"{ui['base']}/pdgov/download/{day}/agency/pdgov_{other}_{day}.xlsx")
                assert response.status == 403, f"{user} downloaded {other}'s workbook"
                assert "無權" in page.locator("#refused").inner_text()
                page.screenshot(path=str(shots / f"download_refused_{user}.png"))
        finally:
            browser.close()
    assert all(f.stat().st_size > 5_000 for f in shots.glob("*.png")) and len(list(shots.glob("*.png"))) == 7
