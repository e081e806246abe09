"""Delivery through Airflow's SMTP provider (connection ``smtp_default``) and where messages go.

The outbox, not the hook, is responsible for retries: set ``retry_limit`` to 0 in the connection's
extra (``{"retry_limit": 0, ...}``), because the hook's own retry re-sends after an error whose
message may already have been accepted.
"""

from __future__ import annotations

import os
import smtplib
from typing import Any

from pdgov.notifications.messages import as_html

SMTP_CONN_ID = "smtp_default"
CONTACT_WINDOW_VARIABLE = "pdgov_contact_window"
MAIL_FROM_VARIABLE = "pdgov_mail_from"


class SmtpUnavailable(RuntimeError):
    """The server cannot be reached or refused the session: every pending message waits."""


def variable(name: str) -> str | None:
    """An Airflow variable: the environment (``AIRFLOW_VAR_<NAME>``) first, then the metadata DB."""
    value = os.environ.get(f"AIRFLOW_VAR_{name.upper()}")
    if value:
        return value
    try:
        from airflow.sdk import Variable

        return Variable.get(name, default=None)
    except Exception:  # noqa: BLE001 - outside a task there may be no variable backend at all
        return None


def contact_window() -> str | None:
    """The contact window's address (個資事件聯絡窗口), Airflow variable ``pdgov_contact_window``."""
    return variable(CONTACT_WINDOW_VARIABLE)


class Mailer:
    """One SMTP session for a batch: open it once, send many, close it."""

    def __init__(self, conn_id: str = SMTP_CONN_ID) -> None:
        self.conn_id = conn_id
        self._hook: Any = None
        self._from: str | None = None

    def __enter__(self) -> Mailer:
        from airflow.providers.smtp.hooks.smtp import SmtpHook

        hook = SmtpHook(smtp_conn_id=self.conn_id)
        try:
            hook.get_conn()
        except Exception as exc:  # noqa: BLE001 - refused, DNS, TLS, auth, missing connection: all "down"
            raise SmtpUnavailable(f"{type(exc).__name__}: {exc}") from exc
        self._hook = hook
        self._from = variable(MAIL_FROM_VARIABLE)  # once per batch, not per message
        return self

    def __exit__(self, *exc: object) -> None:
        if self._hook is not None:
            try:
                self._hook.__exit__(None, None, None)
            except Exception:  # noqa: BLE001 - quitting a dead session is not an error worth raising
                pass

    def send(self, *, message_id: str, recipient: str, subject: str, body: str) -> None:
        """Hand one message to the server; returns only once it is accepted.

        Raises :class:`SmtpUnavailable` when the session is gone (the batch stops and everything
        left waits), ``smtplib.SMTPRecipientsRefused`` when this address is refused for good.
        """
        try:
            self._hook.send_email_smtp(
                to=recipient, subject=subject, html_content=as_html(body),
                from_email=self._from, mime_charset="utf-8",
                custom_headers={"Message-ID": message_id, "X-Pdgov-Message": message_id.strip("<>")},
            )
        except smtplib.SMTPRecipientsRefused:
            raise
        except Exception as exc:  # noqa: BLE001 - disconnects, 4xx, timeouts: the server did not take it
            raise SmtpUnavailable(f"{type(exc).__name__}: {exc}") from exc
