"""A real SMTP server (aiosmtpd) on loopback that can go down and come back, like an outage.

The incident tests and ``bench/bench_incident.py`` deliver to it through Airflow's SMTP provider.
Like production (docs/incidents.md: port 587, STARTTLS, a login) it can require STARTTLS with a
certificate made for the test, and AUTH LOGIN or PLAIN; its handler can answer any recipient's
RCPT or DATA with a chosen reply (550, 554, 450 …).
"""

from __future__ import annotations

import email
import ipaddress
import json
import ssl
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from support import free_port

#: The contact window the §45 report goes to (the Airflow variable ``pdgov_contact_window``).
CONTACT_WINDOW = "privacy-window@pdgov.test"
#: The unit's head / 上級 a missed four-hour report escalates to (variable ``pdgov_escalation_to``).
ESCALATION_TO = "unit-head@pdgov.test"
#: 勞保局's incident address for WebIR-related incidents (variable ``pdgov_bli_contact``).
BLI_CONTACT = "webir-incident@bli.test"


@dataclass
class Received:
    message_id: str
    to: list[str]
    subject: str
    text: str


@dataclass
class Handler:
    """Accepts mail; with ``refuse_after`` set it answers 421 (service unavailable) once that many arrived.

    ``rcpt_replies`` / ``data_replies`` map a recipient to the reply its RCPT / its message's DATA gets.
    """

    received: list[Received] = field(default_factory=list)
    refuse_after: int | None = None
    rcpt_replies: dict[str, str] = field(default_factory=dict)
    data_replies: dict[str, str] = field(default_factory=dict)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 - aiosmtpd's name
        if address in self.rcpt_replies:
            return self.rcpt_replies[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        if self.refuse_after is not None and len(self.received) >= self.refuse_after:
            return "421 4.3.2 Service not available, closing transmission channel"
        refused = [self.data_replies[r] for r in envelope.rcpt_tos if r in self.data_replies]
        if refused:
            return refused[0]
        msg = email.message_from_bytes(envelope.original_content or envelope.content)
        parts = [p for p in msg.walk() if p.get_content_type() == "text/html"]
        text = parts[0].get_payload(decode=True).decode("utf-8") if parts else ""
        subject = str(email.header.make_header(email.header.decode_header(msg["Subject"])))
        self.received.append(Received(msg["Message-ID"], list(envelope.rcpt_tos), subject, text))
        return "250 OK"


def self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 (and localhost) and its key, valid for a day, made now."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "pdgov test mail relay")])
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(minutes=5))
            .not_valid_after(now + timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                                                        x509.DNSName("localhost")]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    directory.mkdir(parents=True, exist_ok=True)
    cert_path, key_path = directory / "relay.pem", directory / "relay.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


class LoopbackSmtp:
    """aiosmtpd on 127.0.0.1 at a fixed port, so it can be stopped and started again like an outage.

    With ``tls_dir`` it makes a certificate there and requires STARTTLS; with ``login`` (user,
    password) it requires AUTH after STARTTLS, offering ``mechanisms`` only. ``logins`` records
    each successful AUTH as (mechanism, user, whether the session was encrypted).
    """

    def __init__(self, tls_dir: Path | None = None, login: tuple[str, str] | None = None,
                 mechanisms: tuple[str, ...] = ("LOGIN", "PLAIN")) -> None:
        self.port = free_port()
        self.handler = Handler()
        self.login = login
        self.logins: list[tuple[str, str, bool]] = []
        self.cert: Path | None = None
        self._kwargs: dict = {}
        if tls_dir is not None:
            self.cert, key = self_signed_certificate(tls_dir)
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(self.cert, key)
            self._kwargs.update(tls_context=context, require_starttls=True)
        if login is not None:
            self._kwargs.update(authenticator=self._authenticate, auth_required=True, auth_require_tls=True,
                                auth_exclude_mechanism=[m for m in ("LOGIN", "PLAIN") if m not in mechanisms])
        self._controller: Controller | None = None

    def _authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        ok = (isinstance(auth_data, LoginPassword) and self.login is not None
              and (auth_data.login.decode(), auth_data.password.decode()) == self.login)
        if ok:
            self.logins.append((mechanism, auth_data.login.decode(), session.ssl is not None))
        return AuthResult(success=ok, handled=False)

    def start(self) -> None:
        self._controller = Controller(self.handler, hostname="127.0.0.1", port=self.port, **self._kwargs)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @property
    def received(self) -> list[Received]:
        return self.handler.received

    def connection_env(self, password: str | None = None) -> dict[str, str]:
        """``smtp_default`` for Airflow's SMTP provider, and the contact window variable.

        With TLS: STARTTLS on a plain port (as on 587) with the default, verifying context, and
        ``SSL_CERT_FILE`` naming the test's certificate so verification passes only against it.
        """
        extra = {"disable_ssl": True, "disable_tls": self.cert is None, "from_email": "pdgov@pdgov.test",
                 "retry_limit": 0, "timeout": 5}
        conn: dict = {"conn_type": "smtp", "host": "127.0.0.1", "port": self.port, "extra": extra}
        if self.login is not None:
            conn.update(login=self.login[0], password=password if password is not None else self.login[1])
        env = {"AIRFLOW_CONN_SMTP_DEFAULT": json.dumps(conn), "AIRFLOW_VAR_PDGOV_CONTACT_WINDOW": CONTACT_WINDOW,
               "AIRFLOW_VAR_PDGOV_ESCALATION_TO": ESCALATION_TO, "AIRFLOW_VAR_PDGOV_BLI_CONTACT": BLI_CONTACT}
        if self.cert is not None:
            env["SSL_CERT_FILE"] = str(self.cert)
        return env
