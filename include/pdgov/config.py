"""Where pdgov keeps things.

Every path the pipeline writes is derived here from ``PDGOV_HOME`` so that the warehouse,
exports and quarantine provably stay under one directory (SPEC §5) and tests can point a
whole run at a temporary home by setting one variable.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
DAGS_DIR = REPO_ROOT / "dags"
PLUGINS_DIR = REPO_ROOT / "plugins"

SOURCES: tuple[str, ...] = ("punches", "devices", "webir", "webir_accounts", "roster", "incidents",
                            "committee_decisions")
# The WebIR audit results the auditor returns in the sample workbook (seed 004 §12(1), pdgov.audit.intake).
SOURCES += ("webir_audit_results",)

WAREHOUSE_POOL = "pdgov_warehouse"
HMAC_VARIABLE = "pdgov_hmac_key"


class MissingKeyError(RuntimeError):
    """Raised when no pseudonymisation key is configured: no run may start without one."""


@dataclass(frozen=True)
class Paths:
    home: Path

    @property
    def landing(self) -> Path:
        return self.home / "landing"

    def landing_for(self, source: str) -> Path:
        return self.landing / source

    @property
    def archive(self) -> Path:
        return self.home / "archive"

    @property
    def quarantine(self) -> Path:
        return self.home / "quarantine"

    @property
    def warehouse_dir(self) -> Path:
        return self.home / "warehouse"

    @property
    def warehouse(self) -> Path:
        return self.warehouse_dir / "pdgov.duckdb"

    @property
    def exports(self) -> Path:
        return self.home / "exports"

    @property
    def dbt_target(self) -> Path:
        return self.home / "dbt" / "target"

    @property
    def dbt_logs(self) -> Path:
        return self.home / "dbt" / "logs"

    @property
    def docs(self) -> Path:
        """Where the latest ``dbt docs generate`` output is served from."""
        return self.home / "dbt" / "docs"

    @property
    def airflow_home(self) -> Path:
        return self.home / "airflow"

    def ensure(self) -> Paths:
        for p in (self.warehouse_dir, self.exports, self.quarantine, self.archive, self.dbt_target):
            p.mkdir(parents=True, exist_ok=True)
        for s in SOURCES:
            self.landing_for(s).mkdir(parents=True, exist_ok=True)
        return self


def pdgov_home() -> Path:
    return Path(os.environ.get("PDGOV_HOME") or (REPO_ROOT / "var")).resolve()


def paths() -> Paths:
    return Paths(pdgov_home())


def secrets_dir() -> Path:
    default = Path(os.environ.get("XDG_CONFIG_HOME") or (Path.home() / ".config")) / "pdgov"
    return Path(os.environ.get("PDGOV_SECRETS_DIR") or default)


def hmac_key() -> bytes:
    """The key that pseudonymises national IDs.

    Looked up, in order, as the Airflow variable ``pdgov_hmac_key`` (which also covers
    ``AIRFLOW_VAR_PDGOV_HMAC_KEY`` and any secrets backend), then ``PDGOV_HMAC_KEY``. The
    repository never holds one; a missing key stops the run rather than falling back to a
    guessable default, because a default key would make the HMAC reversible by enumeration.
    """
    value = os.environ.get("AIRFLOW_VAR_PDGOV_HMAC_KEY") or os.environ.get("PDGOV_HMAC_KEY")
    if not value:
        try:
            from airflow.sdk import Variable

            value = Variable.get(HMAC_VARIABLE, default=None)
        except Exception:  # noqa: BLE001 - outside a task context there is no Variable backend
            value = None
    if not value or len(value) < 16:
        raise MissingKeyError(
            f"no pseudonymisation key: set the Airflow variable {HMAC_VARIABLE!r} "
            "(at least 16 characters) or run `pdgov demo`, which creates a local one"
        )
    return value.encode("utf-8")


def ensure_local_key() -> Path:
    """Create the demo's local key outside the repository (0600) if there is none yet."""
    import secrets

    d = secrets_dir()
    d.mkdir(parents=True, exist_ok=True)
    key_file = d / "hmac.key"
    if not key_file.exists():
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    return key_file
