"""Incident test support: one small warehouse with two declared incidents, copied for each test,
and the loopback SMTP server of ``support.smtp``.

The warehouse is built once per session from the demo synthetic data through the real ingest and
real dbt: INC-NOW (known ten minutes ago, the FACE8 model city-wide), INC-LATE (known five hours
ago, one device of that model) and INC-WEBIR (WebIR query logs of one agency, seed 004 §12(10)). A
punches file written by hand adds one card punch on a FACE8 device by a person nobody else's data
mentions (``CARD_ONLY``): the device holds that punch too (seed 002 §44). Test modules import the
fixtures from here.
"""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest
from conftest import TEST_KEY
from support import free_port  # noqa: F401 - the tests' free-port helper, also found here
from support.smtp import BLI_CONTACT, CONTACT_WINDOW, ESCALATION_TO, LoopbackSmtp  # noqa: F401 - for test modules

RUN_DATE = date(2026, 11, 2)
#: The hand-written card punch on a FACE8 device: (agency, employee number), not on the roster.
CARD_ONLY_EMPLOYEE = "9990001"


#: The base, once per session: each test module that imports the fixture gets its own fixture
#: definition (and pytest would build the base again for it).
_BUILT: dict = {}


@pytest.fixture(scope="session")
def incident_base(tmp_path_factory) -> dict:
    if not _BUILT:
        _BUILT.update(_build(tmp_path_factory))
    return _BUILT


def _build(tmp_path_factory) -> dict:
    from pdgov import clock
    from pdgov.config import paths
    from pdgov.incidents import run
    from pdgov.ingest.run import ingest_source
    from pdgov.synth import generate

    with pytest.MonkeyPatch.context() as mp:
        home = tmp_path_factory.mktemp("incident") / "home"
        mp.setenv("PDGOV_HOME", str(home))
        mp.setenv("PDGOV_HMAC_KEY", TEST_KEY)
        paths().ensure()
        manifest = generate(home, "demo", 7, RUN_DATE - timedelta(days=1))
        for f in (home / "landing" / "incidents").iterdir():
            f.unlink()  # the demo's own incident is weeks old; these tests declare their own
        now = clock.now()
        devices = manifest["planted"]["devices_of_implicated_model"]
        common = {"reporter": "資訊局資安科 王小明", "reporter_contact": "soc@pdgov.test",
                  "method": "差勤設備疑遭入侵，臉部及指紋資料可能外洩", "location": "臺北市政府各機關差勤設備",
                  "description": "FACE8 機型主機板產地為中國大陸，疑有後門", "scope_dataset": "punches",
                  "containment": "同型號設備全面停用並斷開網路，改以行動打卡"}
        run.declare({**common, "incident_id": "INC-NOW", "known_at": f"{now - timedelta(minutes=10):%Y-%m-%d %H:%M:%S}",
                     "scope_model": "FACE8"})
        run.declare({**common, "incident_id": "INC-LATE", "known_at": f"{now - timedelta(hours=5):%Y-%m-%d %H:%M:%S}",
                     "scope_device_ids": devices[0]})
        agency = manifest["agencies"][0]["agency_code"]
        run.declare({**common, "incident_id": "INC-WEBIR", "known_at": f"{now - timedelta(minutes=30):%Y-%m-%d %H:%M:%S}",
                     "method": "WebIR查詢結果遭列印外流", "location": "勞保WebIR查詢作業", "scope_dataset": "webir",
                     "description": "查詢結果紙本遺失", "scope_agency_code": agency,
                     "containment": "停用該機關WebIR帳號並清查查詢紀錄"})
        # By hand: a card punch (not biometric), in ROC date-time, CRLF and a BOM, on a FACE8 device.
        (home / "landing" / "punches" / "handmade_card_punch.csv").write_bytes(
            ("\ufeff機關代碼,員工編號,打卡時間,設備編號,辨識方式\r\n"
             f"{agency},{CARD_ONLY_EMPLOYEE},115/10/05 07:58:02,{devices[0]},卡片\r\n").encode())
        for source in ("punches", "devices", "roster", "incidents"):
            ingest_source(source, "fixture", RUN_DATE)
        run.build_models("fixture", RUN_DATE)
        from pdgov.warehouse import release_inprocess_dbt

        release_inprocess_dbt()  # dbt-duckdb keeps its handle open: close it so the file is complete
    return {"home": home, "manifest": manifest, "devices": devices, "card_only": CARD_ONLY_EMPLOYEE}


@pytest.fixture
def incident_home(incident_base, tmp_path, monkeypatch) -> Path:
    """A private copy of the built warehouse: each test starts with an empty outbox."""
    home = tmp_path / "home"
    (home / "warehouse").mkdir(parents=True)
    shutil.copy2(incident_base["home"] / "warehouse" / "pdgov.duckdb", home / "warehouse" / "pdgov.duckdb")
    monkeypatch.setenv("PDGOV_HOME", str(home))
    monkeypatch.setenv("PDGOV_HMAC_KEY", TEST_KEY)
    return home


@pytest.fixture
def smtp(monkeypatch):
    server = LoopbackSmtp()
    server.start()
    for k, v in server.connection_env().items():
        monkeypatch.setenv(k, v)
    yield server
    server.stop()


def query(home: Path, sql: str, params: list | None = None) -> list[tuple]:
    import duckdb

    con = duckdb.connect(str(home / "warehouse" / "pdgov.duckdb"), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def confirm(home: Path, *incident_ids: str, by: str = "政風室 陳主任") -> None:
    """Confirm incidents' scope as a person would (the CLI's path, in-process)."""
    from pdgov.incidents.records import VIA_CLI
    from pdgov.incidents.records import confirm as record
    from pdgov.warehouse import connect

    with connect() as con:
        for iid in incident_ids:
            record(con, iid, by, VIA_CLI)
