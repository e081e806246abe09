"""What the mail server answers decides what happens to each message (RFC 5321 reply classes).

Against aiosmtpd on loopback configured as production is (docs/incidents.md: a submission port
with STARTTLS and a login, through Airflow's ``smtp_default``): a 5xx to a message's RCPT or DATA
fails that message for good and the batch goes on; a 4xx to its RCPT leaves it waiting while the
others go; a refused login or an untrusted certificate keeps everything waiting.
"""

from __future__ import annotations

from datetime import date

import pytest

# ruff: noqa: F811 - fixtures imported from the support module, injected by parameter name
from incident_support import confirm, incident_base, incident_home, query  # noqa: F401
from support.smtp import LoopbackSmtp

RUN_DATE = date(2026, 11, 2)
LOGIN = ("pdgov-relay", "s3cret-relay-pass")


def _process(run_id: str = "t1") -> dict:
    from pdgov.notifications.outbox import process

    return process(run_id, RUN_DATE)


@pytest.fixture(autouse=True)
def _confirmed(incident_home) -> None:
    """Every scope confirmed: these tests are about what the server answers, not the two steps."""
    confirm(incident_home, "INC-NOW", "INC-LATE", "INC-WEBIR")


def _serve(tmp_path, monkeypatch, mechanisms=("LOGIN", "PLAIN"), password: str | None = None) -> LoopbackSmtp:
    server = LoopbackSmtp(tls_dir=tmp_path / "tls", login=LOGIN, mechanisms=mechanisms)
    server.start()
    for k, v in server.connection_env(password=password).items():
        monkeypatch.setenv(k, v)
    return server


@pytest.fixture
def relay(tmp_path, monkeypatch):
    server = _serve(tmp_path, monkeypatch)
    yield server
    server.stop()


def _people(home, n: int) -> list[str]:
    """Addresses of people in INC-NOW only (not also in the single-device INC-LATE): one message each."""
    return [e for (e,) in query(home, """
        SELECT email FROM incident_scope WHERE incident_id = 'INC-NOW' AND email IS NOT NULL AND email NOT IN (
            SELECT email FROM incident_scope WHERE incident_id = 'INC-LATE' AND email IS NOT NULL)
        ORDER BY email LIMIT ?""", [n])]


def _status(home, recipient: str) -> tuple:
    return query(home, "SELECT status, attempts, last_error FROM notification_outbox WHERE recipient = ? "
                       "AND incident_id = 'INC-NOW' AND kind = 'subject_notice'", [recipient])[0]


@pytest.mark.parametrize("mechanism", ["LOGIN", "PLAIN"])
def test_starttls_then_login_then_everything_is_sent(incident_home, tmp_path, monkeypatch, mechanism):
    server = _serve(tmp_path, monkeypatch, mechanisms=(mechanism,))
    try:
        result = _process()
    finally:
        server.stop()
    total = query(incident_home, "SELECT count(*) FROM notification_outbox WHERE status <> 'undeliverable'")[0][0]
    assert result["smtp_error"] is None and result["sent"] == total == len(server.received) > 2
    assert server.logins == [(mechanism, LOGIN[0], True)], "one session, logged in over TLS"


def test_a_wrong_password_or_an_untrusted_certificate_keeps_every_message_waiting(incident_home, tmp_path,
                                                                                   monkeypatch):
    server = _serve(tmp_path, monkeypatch, password="not-the-password")
    try:
        refused = _process()
        assert refused["sent"] == 0 and "535" in refused["smtp_error"]
        monkeypatch.setenv("AIRFLOW_CONN_SMTP_DEFAULT", server.connection_env()["AIRFLOW_CONN_SMTP_DEFAULT"])
        monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "no-such-ca.pem"))  # the relay's certificate is not trusted
        untrusted = _process("t2")
        assert untrusted["sent"] == 0 and "CERTIFICATE_VERIFY_FAILED" in untrusted["smtp_error"]
    finally:
        server.stop()
    assert server.received == [] and server.logins == []
    statuses = query(incident_home, "SELECT DISTINCT status, attempts FROM notification_outbox WHERE status <> 'undeliverable'")
    assert statuses == [("pending", 0)], "nothing was handed over, nothing is failed"


def test_550_on_rcpt_and_554_on_data_fail_those_messages_and_the_batch_goes_on(incident_home, relay):
    refused_rcpt, refused_data = _people(incident_home, 2)
    relay.handler.rcpt_replies[refused_rcpt] = f"550 5.1.1 <{refused_rcpt}>: mailbox unavailable"
    relay.handler.data_replies[refused_data] = "554 5.7.1 Message rejected as spam"
    result = _process()

    total = query(incident_home, "SELECT count(*) FROM notification_outbox WHERE status <> 'undeliverable'")[0][0]
    assert result["smtp_error"] is None, "a refusal of one message is not an outage"
    assert result["failed"] == 2 and result["sent"] == total - 2 == len(relay.received) and result["waiting"] == 0
    failures = {f["recipient"]: f for f in result["failures"]}
    assert failures.keys() == {refused_rcpt, refused_data}
    assert "550" in failures[refused_rcpt]["error"] and "554" in failures[refused_data]["error"]
    assert {f["incident_id"] for f in result["failures"]} == {"INC-NOW"}
    assert _status(incident_home, refused_rcpt)[:2] == ("failed", 1)
    assert "550" in _status(incident_home, refused_rcpt)[2]
    assert _status(incident_home, refused_data)[:2] == ("failed", 1)
    assert "554" in _status(incident_home, refused_data)[2]
    log = dict(query(incident_home, "SELECT incident_id, messages_failed FROM incidents_log"))
    assert log == {"INC-NOW": 2, "INC-LATE": 0, "INC-WEBIR": 0}, "the incident log names the failures"

    # permanent means permanent: the next run neither resends them nor stops on them
    again = _process("t2")
    assert (again["sent"], again["failed"], again["smtp_error"]) == (0, 0, None)
    assert _status(incident_home, refused_rcpt)[:2] == ("failed", 1)


def test_450_on_rcpt_waits_for_the_next_run_while_the_others_go(incident_home, relay):
    (busy,) = _people(incident_home, 1)
    relay.handler.rcpt_replies[busy] = "450 4.2.1 Mailbox busy, try again later"
    first = _process()
    total = query(incident_home, "SELECT count(*) FROM notification_outbox WHERE status <> 'undeliverable'")[0][0]
    status, attempts, error = _status(incident_home, busy)
    assert (status, attempts) == ("pending", 1) and "450" in error, "a 4xx is temporary"
    assert first["smtp_error"] is None and first["failed"] == 0
    assert first["deferred"] == 1 and first["waiting"] == 1 and first["sent"] == total - 1

    del relay.handler.rcpt_replies[busy]
    second = _process("t2")
    assert (second["sent"], second["waiting"]) == (1, 0)
    assert _status(incident_home, busy)[:2] == ("sent", 2)
    assert busy in {r.to[0] for r in relay.received}


def test_451_on_data_stops_the_batch_and_everything_left_waits(incident_home, relay):
    people = _people(incident_home, 1)
    relay.handler.data_replies[people[0]] = "451 4.3.0 Local error in processing"
    result = _process()
    assert result["smtp_error"] and "451" in result["smtp_error"] and result["waiting"] > 0
    assert _status(incident_home, people[0])[0] == "pending"
    assert query(incident_home, "SELECT count(*) FROM notification_outbox WHERE status = 'failed'")[0][0] == 0


def test_a_roster_address_that_is_not_ascii_fails_alone(incident_home, relay):
    import duckdb

    (person,) = _people(incident_home, 1)
    wide = "ｗａｎｇ" + person[person.index("@"):]  # full-width letters, as typed on a Chinese IME
    with duckdb.connect(str(incident_home / "warehouse" / "pdgov.duckdb")) as con:
        con.execute("UPDATE main.incident_scope SET email = ? WHERE email = ?", [wide, person])
    result = _process()
    total = query(incident_home, "SELECT count(*) FROM notification_outbox WHERE status <> 'undeliverable'")[0][0]
    assert result["smtp_error"] is None and result["failed"] == 1 and result["sent"] == total - 1
    assert [f["recipient"] for f in result["failures"]] == [wide]
    assert _status(incident_home, wide)[0] == "failed"
