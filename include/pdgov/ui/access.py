"""Which agencies a logged-in Airflow user sees in the pdgov pages: configuration, not code.

Airflow decides who is logged in (its auth manager); this file decides what they see of pdgov.
A steward of one agency sees that agency's dashboard, rows and workbook; committee staff see
every agency and the city workbook. The mapping is a TOML file (``PDGOV_UI_ACCESS``, default
``PDGOV_HOME/ui_access.toml``)::

    [committee]                     # see every agency and the city workbook
    roles = ["admin"]
    users = ["committee"]

    [users]                         # Airflow user name -> the agencies they see
    steward_hr = ["379130000C"]

    [roles]                         # Airflow role name -> agencies (FAB or Keycloak roles)
    "pdgov-379150000G" = ["379150000G"]

Anyone the file does not name sees nothing (they are told to ask committee staff); a file that
cannot be read or names a malformed agency code lets nobody see anything, and says why, rather
than falling back to "everyone sees everything". Without a file, Airflow's ``admin`` role is the
committee and nobody else sees anything.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from pdgov.config import paths

AGENCY_CODE = re.compile(r"^[0-9]{9}[A-Z]$")
DEFAULT_COMMITTEE_ROLES = ("admin",)


class AccessConfigError(ValueError):
    pass


@dataclass(frozen=True)
class Scope:
    """What one user may see: every agency (committee) or the listed ones."""

    user: str
    everything: bool = False
    agencies: frozenset[str] = frozenset()
    problem: str = ""  # why this user sees nothing, to show them

    def allows(self, agency: str | None) -> bool:
        """``agency`` None is the whole city (the city workbook, the all-agency dashboard)."""
        return self.everything or (agency is not None and agency in self.agencies)

    def only(self) -> str | None:
        """The one agency of a steward who has exactly one."""
        return next(iter(self.agencies)) if not self.everything and len(self.agencies) == 1 else None


@dataclass(frozen=True)
class Access:
    committee_roles: frozenset[str] = frozenset(DEFAULT_COMMITTEE_ROLES)
    committee_users: frozenset[str] = frozenset()
    users: dict[str, frozenset[str]] = field(default_factory=dict)
    roles: dict[str, frozenset[str]] = field(default_factory=dict)
    source: str = "(no file: Airflow admins are the committee)"
    error: str = ""

    def scope(self, user: str, roles: list[str]) -> Scope:
        if self.error:
            return Scope(user, problem=f"存取設定檔無法使用（{self.error}），請洽委員會幕僚")
        if user in self.committee_users or self.committee_roles.intersection(roles):
            return Scope(user, everything=True)
        agencies = set(self.users.get(user, ()))
        for role in roles:
            agencies |= self.roles.get(role, frozenset())
        if not agencies:
            return Scope(user, problem=f"帳號 {user} 尚未對應任何機關（{self.source}），請洽委員會幕僚")
        return Scope(user, agencies=frozenset(agencies))


def access_file() -> Path:
    return Path(os.environ.get("PDGOV_UI_ACCESS") or paths().home / "ui_access.toml")


def _codes(where: str, value) -> frozenset[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and AGENCY_CODE.match(v) for v in value):
        raise AccessConfigError(f"{where}: expected a list of agency codes like [\"379130000C\"], got {value!r}")
    return frozenset(value)


def _names(where: str, value) -> frozenset[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise AccessConfigError(f"{where}: expected a list of names, got {value!r}")
    return frozenset(value)


def parse(text: str, source: str) -> Access:
    data = tomllib.loads(text)
    unknown = set(data) - {"committee", "users", "roles"}
    if unknown:
        raise AccessConfigError(f"unknown section(s) {sorted(unknown)} (expected committee, users, roles)")
    committee = data.get("committee", {})
    return Access(
        committee_roles=_names("committee.roles", committee.get("roles", list(DEFAULT_COMMITTEE_ROLES))),
        committee_users=_names("committee.users", committee.get("users", [])),
        users={u: _codes(f"users.{u}", v) for u, v in data.get("users", {}).items()},
        roles={r: _codes(f"roles.{r}", v) for r, v in data.get("roles", {}).items()},
        source=source,
    )


def load(path: Path | None = None) -> Access:
    """The mapping as the file says now (read on every request: an edit needs no restart)."""
    path = path or access_file()
    if not path.exists():
        return Access()
    try:
        return parse(path.read_text(encoding="utf-8"), str(path))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, AccessConfigError) as exc:
        return Access(committee_roles=frozenset(), source=str(path), error=f"{path}: {exc}")


def user_roles(user) -> list[str]:
    """The roles of an Airflow user, whichever auth manager made it (simple: one ``role``; FAB: ``roles``)."""
    roles = []
    if isinstance(getattr(user, "role", None), str):
        roles.append(user.role)
    for r in getattr(user, "roles", None) or []:
        roles.append(getattr(r, "name", None) or str(r))
    return roles


def write_file(path: Path, committee_users: list[str], stewards: dict[str, list[str]]) -> None:
    """Write a mapping file (``pdgov demo``, ``pdgov ui`` when there is none). TOML arrays and quoted
    keys of plain strings are written as JSON writes them."""
    lines = ["# Which agencies each Airflow user or role sees in the pdgov pages (dashboard, lists, downloads).",
             "# Committee users and roles see every agency and the city workbook; anyone not named sees nothing.",
             "# Read on every request: edits apply without a restart. See include/pdgov/ui/access.py.", "",
             "[committee]", f"roles = {json.dumps(list(DEFAULT_COMMITTEE_ROLES))}",
             f"users = {json.dumps(committee_users)}", "", "[users]"]
    lines += [f"{json.dumps(u)} = {json.dumps(codes)}" for u, codes in stewards.items()]
    lines += ["", "[roles]", '# "pdgov-379130000C" = ["379130000C"]', ""]
    text = "\n".join(lines)
    parse(text, str(path))  # what we write must read back
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
