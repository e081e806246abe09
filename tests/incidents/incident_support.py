"""Incident test support: a real SMTP server on loopback that can go down and come back, and one
small warehouse with two declared incidents, copied for each test.

The warehouse is built once per session from the demo synthetic data through the real ingest and
real dbt: INC-NOW (known ten minutes ago, the FACE8 model city-wide) and INC-LATE (known five
hours ago, one device of that model). Test modules import the fixtures from here.
"""

from __future__ import annotations

import email
import json
import shutil
import socket
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from conftest import TEST_KEY


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Received:
    message_id: str
    to: list[str]
    subject: str
    text: str


@dataclass
class Handler:
    """Accepts mail; with ``refuse_after`` set it answers 421 (service unavailable) once that many arrived."""

    received: list[Received] = field(default_factory=list)
    refuse_after: int | None = None

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        if self.refuse_after is not None and len(self.received) >= self.refuse_after:
            return "421 4.3.2 Service not available, closing transmission channel"
        msg = email.message_from_bytes(envelope.original_content or envelope.content)
        parts = [p for p in msg.walk() if p.get_content_type() == "text/html"]
        text = parts[0].get_payload(decode=True).decode("utf-8") if parts else ""
        subject = str(email.header.make_header(email.header.decode_header(msg["Subject"])))
        self.received.append(Received(msg["Message-ID"], list(envelope.rcpt_tos), subject, text))
        return "250 OK"


class LoopbackSmtp:
    """aiosmtpd on 127.0.0.1 at a fixed port, so it can be stopped and started again like an outage."""

    def __init__(self) -> None:
        self.port = free_port()
        self.handler = Handler()
        self._controller: Controller | None = None

    def start(self) -> None:
        self._controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @property
    def received(self) -> list[Received]:
        return self.handler.received

    def connection_env(self) -> dict[str, str]:
        """``smtp_default`` for Airflow's SMTP provider, and the contact window variable."""
        conn = {"conn_type": "smtp", "host": "127.0.0.1", "port": self.port,
                "extra": {"disable_ssl": True, "disable_tls": True, "from_email": "pdgov@pdgov.test",
                          "retry_limit": 0, "timeout": 5}}
        return {"AIRFLOW_CONN_SMTP_DEFAULT": json.dumps(conn),
                "AIRFLOW_VAR_PDGOV_CONTACT_WINDOW": CONTACT_WINDOW}


CONTACT_WINDOW = "privacy-window@pdgov.test"
RUN_DATE = date(2026, 11, 2)


@pytest.fixture(scope="session")
def incident_base(tmp_path_factory) -> dict:
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
        for source in ("punches", "devices", "roster", "incidents"):
            ingest_source(source, "fixture", RUN_DATE)
        run.build_models("fixture", RUN_DATE)
        from pdgov.warehouse import release_inprocess_dbt

        release_inprocess_dbt()  # dbt-duckdb keeps its handle open: close it so the file is complete
    return {"home": home, "manifest": manifest, "devices": devices}


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
