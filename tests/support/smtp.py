"""A real SMTP server (aiosmtpd) on loopback that can go down and come back, like an outage.

The incident tests and ``bench/bench_incident.py`` deliver to it through Airflow's SMTP provider.
"""

from __future__ import annotations

import email
import json
from dataclasses import dataclass, field

from aiosmtpd.controller import Controller

from support import free_port

#: The contact window the §45 report goes to (the Airflow variable ``pdgov_contact_window``).
CONTACT_WINDOW = "privacy-window@pdgov.test"


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

