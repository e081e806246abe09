"""Row-level contract checks and typing, as SQL run inside DuckDB.

For each contract column this module builds two SQL expressions over the delivered text: the
typed value, and the plain-words reason the value is wrong (NULL when it is fine). Running
them in DuckDB keeps a 10-million-row punch file at DuckDB speed instead of Python speed, and
still tells the steward the line and column of every problem.
"""

from __future__ import annotations

from pdgov.contracts import AGENCY_CODE_RE, NATIONAL_ID_RE, Col, Contract
from pdgov.ingest.text_ids import scrub_sql

# Date/time shapes agencies send. Gregorian, ROC with slashes, compact ROC (1151005), ROC 年月日.
_T = r"(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?"
P_GREG = r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})" + _T + "$"
P_ROC = r"^(\d{1,3})/(\d{1,2})/(\d{1,2})" + _T + "$"
P_ROC7 = r"^(\d{3})(\d{2})(\d{2})(?:[ T]*(\d{2}):?(\d{2}):?(\d{2})?)?$"
P_ROCZH = r"^(\d{1,3})年(\d{1,2})月(\d{1,2})日" + r"(?:\s*(\d{1,2}):(\d{2})(?::(\d{2}))?)?$"
P_TIME = r"^(\d{1,2}):?(\d{2}):?(\d{2})?$"

LETTERS = "ABCDEFGHJKLMNPQRSTUVXYWZIO"
LETTER_CODES = {c: i for c, i in zip(LETTERS, list(range(10, 36)), strict=True)}

_GROUPS = "['y', 'mo', 'd', 'h', 'mi', 's']"

MACROS = [
    # A date/time from the groups of one shape's regular expression (a struct: one regex run per
    # value instead of one per part, which made ROC dates slower); offset 1911 for ROC years
    # (year 0 is not a ROC year). TRY_CAST: the groups are digits whenever the shape matched.
    """CREATE OR REPLACE TEMP MACRO _pd_mkg(g, off) AS (
        CASE WHEN off = 0 OR TRY_CAST(g.y AS BIGINT) > 0 THEN
        try(make_timestamp(TRY_CAST(g.y AS BIGINT) + off,
                           TRY_CAST(g.mo AS BIGINT),
                           TRY_CAST(g.d AS BIGINT),
                           coalesce(TRY_CAST(NULLIF(g.h, '') AS BIGINT), 0),
                           coalesce(TRY_CAST(NULLIF(g.mi, '') AS BIGINT), 0),
                           coalesce(TRY_CAST(NULLIF(g.s, '') AS DOUBLE), 0)))
        END)""",
    "CREATE OR REPLACE TEMP MACRO _pd_ts(s) AS (CASE "
    + " ".join(f"WHEN regexp_full_match(s, '{p}') THEN "
               f"list_transform([regexp_extract(s, '{p}', {_GROUPS})], lambda g: _pd_mkg(g, {off}))[1]"
               for p, off in ((P_GREG, 0), (P_ROC, 1911), (P_ROC7, 1911), (P_ROCZH, 1911)))
    + " END)",
    f"""CREATE OR REPLACE TEMP MACRO _pd_shape(s) AS (
        regexp_full_match(s, '{P_GREG}') OR regexp_full_match(s, '{P_ROC}')
        OR regexp_full_match(s, '{P_ROC7}') OR regexp_full_match(s, '{P_ROCZH}'))""",
    f"""CREATE OR REPLACE TEMP MACRO _pd_time(s) AS (CASE WHEN regexp_full_match(s, '{P_TIME}') THEN
        try(make_time(CAST(regexp_extract(s, '{P_TIME}', 1) AS BIGINT),
                      CAST(regexp_extract(s, '{P_TIME}', 2) AS BIGINT),
                      coalesce(TRY_CAST(NULLIF(regexp_extract(s, '{P_TIME}', 3), '') AS DOUBLE), 0))) END)""",
    "CREATE OR REPLACE TEMP MACRO _pd_letter(c) AS (CASE c "
    + " ".join(f"WHEN '{c}' THEN {n}" for c, n in LETTER_CODES.items()) + " END)",
    """CREATE OR REPLACE TEMP MACRO _pd_nid_ok(v) AS (
        (_pd_letter(substr(v, 1, 1)) // 10 + (_pd_letter(substr(v, 1, 1)) % 10) * 9
         + list_sum(list_transform(range(0, 8), lambda i: CAST(substr(v, i + 2, 1) AS INTEGER) * (8 - i)))
         + CAST(substr(v, 10, 1) AS INTEGER)) % 10 = 0)""",
]


def _q(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def _case_map(v: str, mapping: dict[str, str]) -> str:
    whens = " ".join(f"WHEN {_q(k)} THEN {_q(val)}" for k, val in mapping.items())
    canon = " ".join(f"WHEN {_q(val)} THEN {_q(val)}" for val in sorted(set(mapping.values())))
    return f"(CASE {v} {whens} {canon} END)"


def column_sql(c: Col, now_sql: str) -> tuple[str, str]:
    """(typed expression over the delivered text, reason-if-wrong expression).

    The reason expression reads the delivered text as ``_r_<name>`` and the typed value as
    ``<name>`` (stage 2, over the typed table), so a good row costs one comparison: the
    regular expressions that explain a failure run only on rows that failed.
    """
    v = f"NULLIF(trim({c.name}), '')"
    r, t = f"_r_{c.name}", c.name
    empty = f"{r} IS NULL"
    need = "" if c.nullable else f"WHEN {empty} THEN {_q(f'{c.zh} is empty')} "
    guard = f"WHEN {empty} THEN NULL " if c.nullable else ""
    typed, bad = v, ""
    if c.kind == "agency_code":
        bad = f"WHEN NOT regexp_full_match({r}, '{AGENCY_CODE_RE}') THEN {_q('agency code must be nine digits and an upper-case letter')} "
    elif c.kind in ("timestamp", "date"):
        # Fast path for the common Gregorian form; the ROC shapes go through the regex macro.
        # strptime only sees text with a '-' (both formats need one): failing on every ROC value
        # cost more than parsing it (Big5 files are mostly ROC).
        ts = (f"coalesce(CASE WHEN contains({v}, '-') THEN try_strptime({v}, ['%Y-%m-%d %H:%M:%S', '%Y-%m-%d']) END, "
              f"_pd_ts({v}))")
        typed = ts if c.kind == "timestamp" else f"CAST({ts} AS DATE)"
        bad = (f"WHEN {t} IS NULL AND NOT _pd_shape({r}) THEN "
               f"{_q('not a date/time (expected 2026-10-05 08:01:23 or ROC 115/10/05 08:01:23)')} "
               f"WHEN {t} IS NULL THEN {_q('impossible date or time (no such day, or ROC year 0)')} ")
        if c.not_future:
            bad += f"WHEN {t} > {now_sql} THEN {_q('date/time is in the future')} "
    elif c.kind == "time":
        typed = f"_pd_time({v})"
        bad = f"WHEN {t} IS NULL THEN {_q('not a time of day (expected 08:01:23)')} "
    elif c.kind == "int":
        typed = f"TRY_CAST({v} AS BIGINT)"
        bad = f"WHEN {t} IS NULL OR {t} < 0 THEN {_q('not a whole number')} "
    elif c.kind == "bool":
        typed = f"CAST({_case_map(v, c.allowed or {})} AS BOOLEAN)"
        bad = f"WHEN {t} IS NULL THEN {_q('expected 是 or 否')} "
    elif c.kind == "code":
        typed = _case_map(v, c.allowed or {})
        allowed = "、".join(k for k in (c.allowed or {}) if not k.isascii())
        bad = f"WHEN {t} IS NULL THEN {_q(f'value not allowed (allowed: {allowed})')} "
    elif c.kind == "code_list":
        item = _case_map("trim(x)", c.allowed or {})
        lst = f"list_transform(string_split_regex({v}, '[;；、,/]'), lambda x: {item})"
        typed = f"CASE WHEN len(list_filter({lst}, lambda x: x IS NULL)) = 0 THEN array_to_string(list_sort(list_distinct({lst})), ';') END"
        bad = f"WHEN {t} IS NULL THEN {_q('unknown recognition method in the list')} "
    elif c.kind == "national_id":
        typed = v
        bad = (f"WHEN regexp_full_match({r}, '^[a-z][12][0-9]{{8}}$') THEN {_q('national ID has a lower-case letter')} "
               f"WHEN NOT regexp_full_match({r}, '{NATIONAL_ID_RE}') THEN "
               f"{_q('national ID is not one letter, 1 or 2, then eight digits')} "
               f"WHEN NOT _pd_nid_ok({r}) THEN {_q('national ID checksum does not match')} ")
    if c.free_text and c.kind == "text":
        # People type national IDs into free text: pseudonymised before the value is written.
        typed = scrub_sql(v)
    reason = f"CASE {need}{guard}{bad}END" if (need or bad) else "NULL"
    return typed, reason


def typed_select(contract: Contract, present: list[str], now_sql: str) -> tuple[list[str], list[str], list[str]]:
    """Stage-1 expressions (typed values and the delivered text) and stage-2 reason expressions."""
    typed, raw, reasons = [], [], []
    for c in contract.columns:
        if c.name not in present:
            typed.append(f"NULL AS {c.name}")
            continue
        t, r = column_sql(c, now_sql)
        typed.append(f"{t} AS {c.name}")
        raw.append(f"NULLIF(trim({c.name}), '') AS _r_{c.name}")
        reasons.append(f"{r} AS \"_e_{c.name}\"")
    return typed, raw, reasons
