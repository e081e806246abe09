"""The dbt models on real data: synthetic demo → real ingest → real ``dbt build``, twice.

The first build speaks for the run date; the second is a backfill for an earlier date, so the
"as of the run's date" rules (register counts, audit months, account states) are checked against
what a steward would have seen then. Two small second deliveries are dropped in the landing area
before the first build, so that the models meet situations the demo generator does not plant:
an account's roster history (active in September, disabled in October, active again in November)
and a punch export whose employee numbers are national IDs (the register must notice).
"""

from __future__ import annotations

import csv
import hashlib
import math
from datetime import date, timedelta
from pathlib import Path

import pytest

RUN_DATE = date(2026, 11, 2)
BACKFILL_DATE = date(2026, 10, 15)
ID_AGENCY = "379430000K"
KEY = "pdgov-test-key-not-for-production-0123456789abcdef"

TABLES = {
    "register": "SELECT * FROM main.personal_data_file_register",
    "undeclared": "SELECT * FROM main.register_undeclared_data",
    "flags": "SELECT * FROM main.int_webir_query_flags",
    "samples": "SELECT * FROM main.webir_audit_samples",
    "review": "SELECT * FROM main.webir_account_review",
    "punches": "SELECT agency_code, punch_date FROM main.stg_punches",
    # the querying agency is the account's roster agency at the time (seed 004 §6), not the log's own
    "queries": "SELECT query_key, agency_code, account, queried_at, query_date FROM main.int_webir_queries",
    "compliance": "SELECT * FROM main.device_compliance",
    "it_list": "SELECT * FROM main.device_it_managed_list",
    "audit_scope": "SELECT * FROM main.device_security_audit_scope",
    "prc_list": "SELECT * FROM main.device_prc_brand_list",
    "quarterly": "SELECT * FROM main.webir_audit_quarterly_summary",
    "landing": "SELECT * FROM main.landing_file_report",
}


def _write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)


def _snapshot() -> dict[str, list[dict]]:
    """The marts as plain rows, read through the warehouse door (it releases dbt's in-process handle)."""
    from pdgov.warehouse import connect

    out = {}
    with connect(read_only=True) as con:
        for name, sql in TABLES.items():
            cur = con.execute(sql)
            cols = [d[0] for d in cur.description]
            out[name] = [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]
    return out


def _history_account(manifest: dict) -> dict:
    """An ordinary account (no account finding planted on it) that queried in September and October."""
    from pdgov.warehouse import connect

    planted = manifest["planted"]
    special = {a for k, v in planted.items() if k.endswith("_accounts") for a in v if isinstance(a, str)}
    special |= {a for pair in planted["duplicate_accounts"] for a in pair}
    special |= {q["account"] for q in planted["inactive_account_queries"]}
    with connect(read_only=True) as con:
        rows = con.execute("""
            SELECT a.account, a.employee_no, a.agency_code, a.created_at,
                   max(q.queried_at) FILTER (WHERE q.queried_at::DATE > DATE '2026-10-15') AS late_october
            FROM raw.webir_accounts a JOIN raw.webir_queries q ON q.account = a.account
            WHERE a.status = 'active' AND a.employment = 'employed'
            GROUP BY ALL
            HAVING count(*) FILTER (WHERE month(q.queried_at) = 9) > 0
               AND count(*) FILTER (WHERE month(q.queried_at) = 10) > 0
            ORDER BY a.account""").fetchall()
    account, employee_no, agency_code, created_at, late = next(r for r in rows if r[0] not in special and r[4])
    return {"account": account, "employee_no": employee_no, "agency_code": agency_code, "created_at": created_at,
            "late_october": late}


EDGE_AGENCY, EDGE_ACCOUNT = "379620000W", "379620000u03"  # an ordinary account: no plant on it
#: queries in a month of EDGE_ACCOUNT's agency → the random sample the month must get: every clean
#: query below ten; ten up to 333 (3% = 9.99); 11 at 334 (10.02); 12 at 367 (11.01)
MONTH_EDGES = {date(2026, 3, 1): (333, 10), date(2026, 4, 1): (334, 11), date(2026, 5, 1): (367, 12),
               date(2026, 6, 1): (9, 9), date(2026, 7, 1): (10, 10), date(2026, 8, 1): (11, 10)}
#: a Wednesday's queries at the edges of office hours (08:00–18:00): after hours or not
HOUR_EDGES = {"07:59:59": True, "08:00:00": False, "17:59:59": False, "18:00:00": True}
HOUR_EDGE_DAY = date(2026, 2, 11)
#: accounts last used this many days before the run's date → idle (more than 90 days)
IDLE_EDGES = {90: False, 91: True}


def _plant_edges(home: Path) -> dict:
    """Rows on both sides of each threshold's edge, delivered like any agency's files."""
    import random

    from pdgov.synth.catalog import ACCOUNT_HEADER, WEBIR_HEADER
    from pdgov.synth.national_ids import make
    from pdgov.warehouse import connect

    rng = random.Random(21)

    def query(day: date, at: str, n: int) -> list[str]:
        return [EDGE_ACCOUNT, day.isoformat(), at, "L0101", make(rng, "Y"), f"E{day:%m%d}-{n:04d}", "勞保投保查核",
                "查詢成功"]

    rows = []
    for month, (n, _) in MONTH_EDGES.items():
        workdays = [d for d in (month + timedelta(days=i) for i in range(31))
                    if d.month == month.month and d.weekday() < 5]
        rows += [query(workdays[i % len(workdays)], f"{9 + (i // len(workdays)) // 60:02d}:"
                       f"{(i // len(workdays)) % 60:02d}:00", i) for i in range(n)]
    rows += [query(HOUR_EDGE_DAY, at, i) for i, at in enumerate(HOUR_EDGES)]
    _write_csv(home / "landing" / "webir" / f"{EDGE_AGENCY}_WebIR查詢日誌_邊界.csv", WEBIR_HEADER, rows)

    with connect(read_only=True) as con:
        free = [e for (e,) in con.execute(
            "SELECT employee_no FROM raw.roster WHERE agency_code = ? AND employee_no NOT IN "
            "(SELECT employee_no FROM raw.webir_accounts WHERE agency_code = ?) ORDER BY employee_no",
            [EDGE_AGENCY, EDGE_AGENCY]).fetchall()]
    idle = {}
    for (days, _), employee_no in zip(IDLE_EDGES.items(), free, strict=False):
        account = f"{EDGE_AGENCY[:9]}i{days}"
        idle[account] = days
        last = RUN_DATE - timedelta(days=days)
        _write_csv(home / "landing" / "webir_accounts" / f"WebIR帳號清冊_{account}.csv", [*ACCOUNT_HEADER, "資料日期"],
                   [[account, employee_no, EDGE_AGENCY, "使用者", "啟用", "2024-01-02", f"{last} 10:00:00", "在職",
                     "2026-11-01"]])
    return {"idle_accounts": idle}


@pytest.fixture(scope="module")
def models_home(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("models") / "pdgov_home"


@pytest.fixture(scope="module")
def builds(models_home):
    """(manifest, tables as of the run date, tables as of the backfill date, history account)."""
    home = models_home
    with pytest.MonkeyPatch.context() as mp:  # module-scoped: the environment is restored after the module
        mp.setenv("PDGOV_HOME", str(home))
        mp.setenv("PDGOV_HMAC_KEY", KEY)
        from pdgov.ingest.run import ingest_source
        from pdgov.synth import generate
        from pdgov.transform import dbt

        manifest = generate(home, scale="demo", seed=7, end=date(2026, 11, 1))
        _write_csv(home / "landing" / "punches" / f"{ID_AGENCY}_差勤刷卡_身分證.csv",
                   ["機關代碼", "員工編號", "打卡時間", "設備編號", "辨識方式"],
                   [[ID_AGENCY, "A123456789", "2026-10-05 08:01:00", "", "行動打卡"],
                    [ID_AGENCY, "A123456789", "2026-10-05 17:40:00", "", "行動打卡"]])
        for source in ("punches", "devices", "webir", "webir_accounts", "roster", "incidents", "committee_decisions"):
            ingest_source(source, "test-models", RUN_DATE)
        history = _history_account(manifest)
        accounts_header = ["帳號", "員工編號", "機關代碼", "角色", "狀態", "建立日期", "最後使用日期", "在職狀態", "資料日期"]
        for snapshot, status, last_used in (("2026-09-01", "啟用", "2026-08-31 10:00:00"),
                                            ("2026-10-01", "停用", "2026-09-30 10:00:00")):
            _write_csv(home / "landing" / "webir_accounts" / f"WebIR帳號清冊_{snapshot}.csv", accounts_header, [
                [history["account"], history["employee_no"], history["agency_code"], "使用者", status,
                 str(history["created_at"]), last_used, "在職", snapshot]])
        ingest_source("webir_accounts", "test-models-history", RUN_DATE)
        # the same account, one minute later, in another agency's log: overlapping use (shared)
        other = next(a["agency_code"] for a in manifest["agencies"] if a["agency_code"] != history["agency_code"])
        later = history["late_october"] + timedelta(minutes=1)
        _write_csv(home / "landing" / "webir" / f"{other}_WebIR查詢日誌_補送.csv",
                   ["查詢者帳號", "查詢日期", "查詢時間", "作業代號", "被查詢者查詢條件", "案號", "事由", "結果"],
                   [[history["account"], f"{later:%Y-%m-%d}", f"{later:%H:%M:%S}", "L01", "A123456789",
                     "1150001", "投保查詢", "成功"]])
        ingest_source("webir", "test-models-overlap", RUN_DATE)
        manifest = {**manifest, "edges": _plant_edges(home)}
        ingest_source("webir", "test-models-edges", RUN_DATE)
        ingest_source("webir_accounts", "test-models-edges", RUN_DATE)
        dbt.build(RUN_DATE, "test-models")
        at_run = _snapshot()
        dbt.build(BACKFILL_DATE, "test-models-backfill", select=[
            "+personal_data_file_register", "+webir_audit_samples", "+webir_account_review",
            "+register_undeclared_data", "+webir_audit_quarterly_summary"])
        at_backfill = _snapshot()
        return manifest, at_run, at_backfill, history["account"]


# --- register -------------------------------------------------------------------------------

def test_register_has_one_row_per_agency_and_file_with_counts_from_data(builds):
    manifest, run, _, _ = builds
    agencies = {a["agency_code"] for a in manifest["agencies"]}
    rows = {(r["agency_code"], r["dataset"]): r for r in run["register"]}
    datasets = {"punches", "biometric_enrolment", "webir", "webir_accounts", "roster"}
    assert {a for a, _ in rows} == agencies
    assert all({(a, d) for d in datasets} <= rows.keys() for a in agencies)
    for agency in agencies:
        punches = sum(1 for p in run["punches"] if p["agency_code"] == agency)
        assert rows[(agency, "punches")]["record_count"] == punches
        queries = sum(1 for q in run["queries"] if q["agency_code"] == agency)
        assert rows[(agency, "webir")]["record_count"] == queries


def test_register_risk_shows_its_inputs_and_biometrics_are_high(builds):
    _, run, _, _ = builds
    for r in run["register"]:
        # seed 002 要點第38點: seven items, (二) the higher of file type and volume, (七) awareness
        inputs = [r[k] for k in ("identifiability", "form_volume_level", "sensitivity", "environment_level",
                                 "access_level", "legality_level", "awareness_level")]
        assert r["risk_score"] == sum({"high": 3, "medium": 2, "low": 1}[i] for i in inputs)
        assert r["risk_level"] == ("high" if r["risk_score"] >= 15 else "medium" if r["risk_score"] >= 12 else "low")
        score = {"high": 3, "medium": 2, "low": 1}
        assert r["form_volume_level"] == max(r["file_type_level"], r["volume_level"], key=score.__getitem__)
        assert r["file_type_level"] == {"系統資料庫": "medium", "可攜式媒體內之電子檔": "high"}[r["file_type"]]
        for word in ("可識別", "型態及數量", "敏感性", "環境", "存取", "適法性", "意識及知能"):
            assert word in r["risk_basis"]
        assert r["inventory_basis"] == "臺北市政府政風處個人資料保護管理要點第37點"
        assert r["risk_rule_basis"] == "臺北市政府政風處個人資料保護管理要點第38點"
        assert r["publication_basis"] == "臺北市政府政風處個人資料保護管理要點第32點"
        assert r["publication_due_date"] is not None
    bio = [r for r in run["register"] if r["dataset"] == "biometric_enrolment"]
    assert bio and all(r["sensitivity"] == "high" and r["risk_level"] == "high" for r in bio)


def test_register_writes_purposes_and_categories_in_the_official_wording(builds):
    """Seed 002 要點第37點第2項第10款、第11款: 依個人資料保護法之特定目的及個人資料之類別填寫 — the code list's
    own words, in the catalog's order, not the catalog's shorthand (〇三一 社會保險)."""
    _, run, _, _ = builds
    webir = {r["purpose_codes"] for r in run["register"] if r["dataset"] == "webir"}
    assert webir == {"〇三一 全民健康保險、勞工保險、農民保險、國民年金保險或其他社會保險；一五七 調查、統計與研究分析"}
    bio = {r["category_codes"] for r in run["register"] if r["dataset"] == "biometric_enrolment"}
    assert bio == {"C001 辨識個人者；C011 個人描述；C012 身體描述"}
    accounts = {r["purpose_codes"].split("；")[-1] for r in run["register"] if r["dataset"] == "webir_accounts"}
    assert accounts == {"一三七 資通安全與管理"}


def test_register_notices_national_ids_the_punch_file_does_not_declare(builds):
    _, run, _, _ = builds
    found = {(u["agency_code"], u["dataset"], u["category_code"]) for u in run["undeclared"]}
    assert found == {(ID_AGENCY, "punches", "C003")}
    row = next(r for r in run["register"] if r["agency_code"] == ID_AGENCY and r["dataset"] == "punches")
    assert row["legality_level"] == "high" and row["undeclared_category_codes"] == "C003"
    other = [r for r in run["register"] if r["dataset"] == "punches" and r["agency_code"] != ID_AGENCY]
    assert all(r["legality_level"] == "low" for r in other)


def test_register_backfill_counts_only_what_existed_then(builds):
    _, _, back, _ = builds
    for r in back["register"]:
        if r["dataset"] == "punches":
            assert r["last_record_date"] <= BACKFILL_DATE
    run_counts = {r["agency_code"]: r["record_count"] for r in builds[1]["register"] if r["dataset"] == "punches"}
    back_counts = {r["agency_code"]: r["record_count"] for r in back["register"] if r["dataset"] == "punches"}
    assert all(back_counts[a] < run_counts[a] for a in back_counts)


# --- WebIR samples, flags, account review ----------------------------------------------------

def test_every_agency_month_meets_three_percent_and_ten(builds):
    _, run, back, _ = builds
    for tables in (run, back):
        months: dict = {}
        for q in tables["flags"]:
            months.setdefault((q["agency_code"], q["audit_month"]), []).append(q)
        for (agency, month), qs in months.items():
            n = len(qs)
            clean = sum(1 for q in qs if not q["is_flagged"])
            drawn = [s for s in tables["samples"] if (s["agency_code"], s["audit_month"]) == (agency, month)]
            random_n = sum(1 for s in drawn if s["sample_kind"] == "random")
            assert random_n == min(clean, max(10, math.ceil(0.03 * n))), (agency, month)
            assert {s["query_key"] for s in drawn if s["sample_kind"] == "flagged"} == \
                {q["query_key"] for q in qs if q["is_flagged"]}


def test_random_draw_is_rederivable_by_hand(builds):
    _, run, _, _ = builds
    for s in run["samples"][:1]:
        agency, month, seed = s["agency_code"], s["audit_month"], s["sample_seed"]
        assert seed == f"pdgov-webir|{agency}|{month:%Y-%m}"
        qs = [q for q in run["flags"] if (q["agency_code"], q["audit_month"]) == (agency, month)]
        k = max(10, math.ceil(0.03 * len(qs)))
        clean = [q["query_key"] for q in qs if not q["is_flagged"]]
        by_hand = sorted(clean, key=lambda key: hashlib.md5((seed + key).encode()).hexdigest())[:k]
        got = {x["query_key"] for x in run["samples"]
               if (x["agency_code"], x["audit_month"], x["sample_kind"]) == (agency, month, "random")}
        assert got == set(by_hand)


def test_backfill_samples_only_months_and_queries_up_to_its_date(builds):
    _, _, back, _ = builds
    assert back["samples"]
    assert max(s["audit_month"] for s in back["samples"]) == date(2026, 10, 1)
    assert all(s["queried_at"].date() <= BACKFILL_DATE for s in back["samples"])


def test_account_state_at_query_time_decides_inactive(builds):
    _, run, _, history = builds
    mine = [q for q in run["flags"] if q["account"] == history]
    sept = [q for q in mine if q["query_date"] < date(2026, 10, 1)]
    octo = [q for q in mine if q["query_date"] >= date(2026, 10, 1)]
    assert sept and octo
    assert not any(q["flag_inactive_account"] for q in sept), "active in the September roster"
    assert all(q["flag_inactive_account"] for q in octo), "disabled in the October roster"


def test_account_review_as_of_its_date(builds):
    manifest, run, back, history = builds
    idle = set(manifest["planted"]["idle_accounts"])
    idle_edge = {a for a, days in manifest["edges"]["idle_accounts"].items() if IDLE_EDGES[days]}
    assert idle | idle_edge == {r["account"] for r in run["review"] if r["finding"] == "idle"}
    # the history account is disabled in the roster in force on the backfill date: not reviewed then
    assert history not in {r["account"] for r in back["review"]}
    shared = {r["account"]: r["detail"] for r in run["review"] if r["finding"] == "shared"}
    assert set(manifest["planted"]["shared_accounts"]) <= shared.keys()
    assert "重疊使用 1 次" in shared[history], shared[history]
    assert history not in {r["account"] for r in back["review"] if r["finding"] == "shared"}


def test_quarterly_summary_adds_up_the_months(builds):
    _, run, _, _ = builds
    for row in run["quarterly"]:
        qs = [q for q in run["flags"] if q["agency_code"] == row["agency_code"]
              and q["audit_month"].month in range(row["quarter_start"].month, row["quarter_start"].month + 3)
              and q["audit_month"].year == row["quarter_start"].year]
        assert row["queries"] == len(qs)
        assert row["flagged_queries"] == sum(1 for q in qs if q["is_flagged"])


def test_thresholds_at_their_edges_on_both_sides(builds):
    """08:00 and 18:00, idle after 90 days, and the sample's ten and 3% (9/10/11, 333/334/367 a month)."""
    manifest, run, _, _ = builds
    edge_day = [q for q in run["flags"] if q["account"] == EDGE_ACCOUNT and q["query_date"] == HOUR_EDGE_DAY]
    assert {f"{q['queried_at']:%H:%M:%S}": q["flag_after_hours"] for q in edge_day} == HOUR_EDGES
    assert not any(q["is_flagged"] for q in run["flags"]
                   if q["account"] == EDGE_ACCOUNT and q["audit_month"] in MONTH_EDGES)

    months = {m: (sum(1 for q in run["flags"] if (q["agency_code"], q["audit_month"]) == (EDGE_AGENCY, m)),
                  sum(1 for s in run["samples"]
                      if (s["agency_code"], s["audit_month"], s["sample_kind"]) == (EDGE_AGENCY, m, "random")))
              for m in MONTH_EDGES}
    assert months == MONTH_EDGES

    idle = {r["account"] for r in run["review"] if r["finding"] == "idle"}
    assert {a: a in idle for a in manifest["edges"]["idle_accounts"]} == {
        a: IDLE_EDGES[days] for a, days in manifest["edges"]["idle_accounts"].items()}
    assert len(manifest["edges"]["idle_accounts"]) == len(IDLE_EDGES)


# --- devices ---------------------------------------------------------------------------------

def test_device_lists_follow_compliance(builds):
    manifest, run, _, _ = builds
    approved = {d["device_id"] for d in run["compliance"] if d["status"] == "approved" and d["has_biometrics"]}
    assert {d["device_id"] for d in run["it_list"]} == approved == set(manifest["planted"]["approved_devices"])
    prc = set(manifest["planted"]["prc_brand_devices"])
    assert {d["device_id"] for d in run["prc_list"]} == prc
    scope = {d["device_id"]: d for d in run["audit_scope"]}
    assert approved <= scope.keys()
    assert {k for k, d in scope.items() if d["compliance_status"] == "prohibited"} == \
        {d["device_id"] for d in run["prc_list"] if d["intranet"] is not False}
    assert all(d["status"] != "approved" for d in run["compliance"] if d["device_id"] in prc)


# --- landing files -----------------------------------------------------------------------------

def test_landing_report_names_each_refused_file_and_its_first_problem(builds):
    manifest, run, _, _ = builds
    by_name = {r["file_name"]: r for r in run["landing"]}
    refused = [f for f in manifest["files"] if f["expect"] == "rejected"]
    assert refused
    for f in refused:
        row = by_name[Path(f["path"]).name]
        assert row["status"] == "rejected" and row["problems"] >= 1
        assert row["first_problem_line"] == min(r["line_no"] for r in f["rejections"])
    loaded = [f for f in manifest["files"] if f["expect"] == "accepted"]
    assert all(by_name[Path(f["path"]).name]["rows_in"] == f["rows"] for f in loaded)


# --- dbt unit tests (the arithmetic rules on fixed inputs) -------------------------------------

UNIT_TESTS = {
    # seed 002 §44-45: a dataset declaration exposes its agency's punches within its window
    "incident_dataset_scope_is_the_agency_within_the_window",
    # seed 004 §12(1): 3 % and at least 10 per agency-month, all when fewer than 10
    "webir_sample_is_three_percent_and_at_least_ten",
    # seed 004 §12(1): a sample unaudited 30 days after drawing is listed the day after, not on the day
    "webir_unaudited_listed_the_day_after_thirty_days",
    "webir_unaudited_not_listed_on_its_due_day",
    # LSA art. 30 ¶5, seed 004 §9(2): a row passes its retention the day after it is kept in full
    "retention_row_still_retained_the_day_before_it_passes",
    "retention_row_passes_the_day_after_its_anniversary",
    "retention_row_stays_past_the_day_after",
    # SPEC §3.2: due → overdue after delete_by; a legal hold covering any day of the period holds it
    "deadline_statuses_the_day_before_delete_by",
    "deadline_statuses_on_delete_by",
    "deadline_statuses_the_day_after_delete_by",
    # seed 002 要點第32點: an updated register entry is due again one month after the update
    "register_publication_is_due_again_one_month_after_an_update",
}


def test_unit_tests_of_the_arithmetic_rules_pass(builds, models_home, monkeypatch):
    """`dbt test --select test_type:unit`, as CI's only run of them: the nightly DAG excludes unit
    tests (their inputs are fixed, the night's data changes nothing in them). They read the built
    warehouse only for the column types of their inputs."""
    monkeypatch.setenv("PDGOV_HOME", str(models_home))
    monkeypatch.setenv("PDGOV_HMAC_KEY", KEY)
    from pdgov.transform import dbt

    result = dbt.run(["test", "--select", "test_type:unit", "--vars", dbt.dbt_vars(RUN_DATE, "test-unit")])
    outcome = {r.node.name: str(r.status) for r in result.results}
    assert outcome == dict.fromkeys(UNIT_TESTS, "pass")
