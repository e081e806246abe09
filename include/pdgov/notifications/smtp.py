"""Delivery through Airflow's SMTP provider (connection ``smtp_default``) and where messages go.

The outbox, not the hook, is responsible for retries: set ``retry_limit`` to 0 in the connection's
extra (``{"retry_limit": 0, ...}``), because the hook's own retry re-sends after an error whose
message may already have been accepted.

What a reply means follows RFC 5321 §4.2.1: a 5xx to this message's RCPT or DATA is the server's
final word on *this message* (:class:`MessageRefused`: recorded as failed, the batch goes on); a
4xx to RCPT is "this mailbox, later" (:class:`MessageDeferred`: it waits, the batch goes on); a
421, a 4xx to DATA, a lost connection, a refused login or sender are the session's trouble
(:class:`SmtpUnavailable`: the batch stops and everything left waits for the next run).
"""

from __future__ import annotations

import os
import smtplib
from typing import Any

from pdgov.notifications.messages import as_html

SMTP_CONN_ID = "smtp_default"
CONTACT_WINDOW_VARIABLE = "pdgov_contact_window"
MAIL_FROM_VARIABLE = "pdgov_mail_from"
#: The unit's head / the next level up (單位主管／上級): where a missed four-hour report escalates.
ESCALATION_VARIABLE = "pdgov_escalation_to"
#: The Bureau of Labor Insurance (勞保局): told at once of a WebIR-related incident (seed 004 §12(10)).
BLI_VARIABLE = "pdgov_bli_contact"


class SmtpUnavailable(RuntimeError):
    """The server cannot be reached or refused the session: every pending message waits."""


class MessageRefused(RuntimeError):
    """A permanent (5xx) reply to this message: sending it again would get the same answer."""

    def __init__(self, stage: str, code: int | None, reply: str) -> None:
        super().__init__(f"{stage} refused for good ({code or 'no code'}): {reply}")
        self.stage, self.code, self.reply = stage, code, reply


class MessageDeferred(RuntimeError):
    """A temporary (4xx) reply to this message's recipient: the server works, this mailbox later."""


def _reply(value: object) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


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


def escalation_to() -> str | None:
    """The unit head's or supervising level's address (單位主管／上級), variable ``pdgov_escalation_to``."""
    return variable(ESCALATION_VARIABLE)


def bli_contact() -> str | None:
    """The Bureau of Labor Insurance's incident address (勞保局), variable ``pdgov_bli_contact``."""
    return variable(BLI_VARIABLE)


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

    def _reset(self) -> None:
        try:
            self._hook._smtp_client.rset()
        except Exception as exc:  # noqa: BLE001 - a session that cannot reset is a session that is gone
            raise SmtpUnavailable(f"RSET failed: {type(exc).__name__}: {exc}") from exc

    def send(self, *, message_id: str, recipient: str, subject: str, body: str) -> None:
        """Hand one message to the server; returns only once it is accepted.

        Raises :class:`MessageRefused` (5xx to RCPT or DATA: this message failed for good),
        :class:`MessageDeferred` (4xx to RCPT: this message waits) or :class:`SmtpUnavailable` (the
        session is gone, or the trouble is not this message's: the batch stops, everything waits).
        """
        try:
            self._hook.send_email_smtp(
                to=recipient, subject=subject, html_content=as_html(body),
                from_email=self._from, mime_charset="utf-8",
                custom_headers={"Message-ID": message_id, "X-Pdgov-Message": message_id.strip("<>")},
            )
        except smtplib.SMTPRecipientsRefused as exc:
            code, reply = next(iter(exc.recipients.values()), (None, b""))
            if code == 421:  # "closing the channel": the session is over whatever the stage
                raise SmtpUnavailable(f"RCPT {code}: {_reply(reply)}") from exc
            if code is not None and 500 <= code < 600:
                raise MessageRefused("recipient", code, _reply(reply)) from exc
            raise MessageDeferred(f"recipient deferred ({code}): {_reply(reply)}") from exc
        except smtplib.SMTPDataError as exc:
            if 500 <= exc.smtp_code < 600:
                raise MessageRefused("message", exc.smtp_code, _reply(exc.smtp_error)) from exc
            raise SmtpUnavailable(f"DATA {exc.smtp_code}: {_reply(exc.smtp_error)}") from exc
        except UnicodeEncodeError as exc:
            # A roster address smtplib cannot put on the wire (full-width letters, say): this
            # message, every time. Its transaction is half open: reset it for the next message.
            self._reset()
            raise MessageRefused("recipient", None, f"address {recipient!r} is not plain ASCII: {exc}") from exc
        except Exception as exc:  # noqa: BLE001 - disconnects, timeouts, our sender refused: not this message's fault
            raise SmtpUnavailable(f"{type(exc).__name__}: {exc}") from exc
