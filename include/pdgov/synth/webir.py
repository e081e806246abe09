"""WebIR accounts and query logs, with the review findings of seed 004 §6(6) planted: idle,
duplicate, shared, transferred, resigned and retired accounts; colleague and self look-ups,
after-hours queries, queries missing a case or reason, and queries of inactive accounts."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from pdgov.synth.catalog import ACCOUNT_HEADER, WEBIR_HEADER
from pdgov.synth.dates import month_start, prev_month, roc, roc_compact, workdays_between
from pdgov.synth.staff import Staff, fresh_id, staff_by_agency
from pdgov.synth.writer import Writer


def write_accounts(w: Writer, rng: random.Random, agencies: list[tuple[str, str]], staff: list[Staff],
                   end: date, planted: dict) -> list[dict]:
    """Four accounts per agency, then the planted review findings (seed 004 §6(6))."""
    by_agency = staff_by_agency(staff)
    accounts: list[dict] = []
    for code, _name in agencies:
        members = by_agency[code]
        for k in range(4):
            accounts.append({
                "account": f"{code[:9]}u{k + 1:02d}", "staff": members[k], "agency": code,
                "role": "管理者" if k == 0 else "使用者", "status": "啟用", "created": date(2022, 1, 10 + k),
                "last_used": datetime.combine(end - timedelta(days=rng.randint(0, 6)), time(10, 0)),
                "employment": "在職", "plant": None})
    plants = [(1, "idle", None), (2, "resigned", "離職"), (5, "transferred", "調職"), (9, "retired", "退休")]
    for idx, plant, employment in plants:
        a = accounts[idx]
        a["plant"] = plant
        if employment:
            a["employment"] = employment
            planted[f"{plant}_accounts"].append(a["account"])
    accounts[1]["last_used"] = datetime.combine(end - timedelta(days=240), time(10, 0))
    planted["idle_accounts"].append(accounts[1]["account"])
    dup_of = accounts[4]
    dup = {**dup_of, "account": dup_of["account"] + "b", "role": "使用者", "created": date(2024, 5, 2), "plant": "dup"}
    accounts.append(dup)
    planted["duplicate_accounts"].append(sorted([dup_of["account"], dup["account"]]))
    # A disabled (停用) account of a serving employee: not a review finding, but its queries are flagged.
    code = agencies[1][0]
    holder = by_agency[code][4]
    accounts.append({"account": f"{code[:9]}u05", "staff": holder, "agency": code, "role": "使用者",
                     "status": "停用", "created": date(2023, 2, 1), "last_used": None, "employment": "在職",
                     "plant": "disabled"})
    accounts[8]["plant"] = "shared"  # used from a second agency's log below
    planted["shared_accounts"].append(accounts[8]["account"])
    return accounts


def write_webir(w: Writer, rng: random.Random, agencies: list[tuple[str, str]], staff: list[Staff],
                accounts: list[dict], end: date, planted: dict, spread: int = 7) -> dict[str, int]:
    """Query logs per agency per calendar month (the last two months with ten or more workdays)."""
    by_agency = staff_by_agency(staff)
    first = month_start(end)
    last = first if len(workdays_between(first, end)) >= 10 else prev_month(first)
    webir_months = [(prev_month(last), last - timedelta(days=1)),
                    (last, min(end, (last.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)))]
    taken = {s.national_id for s in staff}
    counts = {0: 6, 1: 420}  # fewer than ten a month; more than 400 (3% exceeds ten)
    webir_counts: dict[str, int] = {}
    by_plant = {a["plant"]: a for a in accounts if a["plant"]}

    def key(code: str, account: str, ts: datetime, **extra) -> dict:
        return {"agency_code": code, "account": account, "queried_at": f"{ts:%Y-%m-%d %H:%M:%S}", **extra}

    def row(account: str, ts: datetime, enc: str, case_no: str, reason: str, subject: str | None = None) -> list:
        return [account, _d(ts.date(), enc), f"{ts:%H:%M:%S}", "L0101", subject or fresh_id(rng, taken),
                case_no, reason, "查詢成功"]

    for ai, (code, _name) in enumerate(agencies):
        enc = "cp950" if ai % 3 == 1 else "utf-8"
        pool = [a for a in accounts if a["agency"] == code and a["plant"] in (None, "shared")]
        members = by_agency[code]
        for mi, (m_start, m_end) in enumerate(webir_months):
            workdays = workdays_between(m_start, m_end)
            rows, seen = [], set()
            for q in range(counts.get(ai, 24 + (ai * spread) % 180)):
                acc = pool[q % len(pool)]
                d = rng.choice(workdays)
                ts = datetime.combine(d, time(rng.randint(9, 16), rng.randint(0, 59), rng.randint(0, 59)))
                subject = None
                case_no = f"{roc_compact(d)}-{q + 1:04d}"
                reason = rng.choice(["勞保投保查核", "職災補償審查", "就業服務查核"])
                flag = None
                if q == 1:
                    ts, flag = datetime.combine(d, time(22, 15, 3)), "after_hours_queries"
                elif q == 2:
                    case_no, reason, flag = "", "", "missing_case_or_reason_queries"
                elif q == 3:
                    subject, flag = members[min(10, len(members) - 1)].national_id, "colleague_lookups"
                elif q == 4:
                    subject, flag = acc["staff"].national_id, "self_lookups"
                elif q == 5 and ai == 1:  # a Saturday morning is outside office hours too
                    sat = m_start + timedelta(days=(5 - m_start.weekday()) % 7)
                    ts, flag = datetime.combine(sat, time(10, 12, 0)), "after_hours_queries"
                while (acc["account"], ts) in seen:
                    ts += timedelta(seconds=1)
                seen.add((acc["account"], ts))
                if flag:
                    planted[flag].append(key(code, acc["account"], ts))
                rows.append(row(acc["account"], ts, enc, case_no, reason, subject))
            if mi == 1 and code == by_plant["resigned"]["agency"]:
                # the account of a resigned holder, still 啟用, used after the holder left
                res = by_plant["resigned"]
                ts = datetime.combine(workdays[1], time(10, 5, 0))
                rows.append(row(res["account"], ts, enc, f"{roc_compact(ts.date())}-9001", "勞保投保查核"))
                planted["inactive_account_queries"].append(key(code, res["account"], ts, why="resigned"))
            if mi == 0 and code == by_plant["disabled"]["agency"]:
                dis = by_plant["disabled"]
                ts = datetime.combine(workdays[2], time(14, 20, 0))
                rows.append(row(dis["account"], ts, enc, f"{roc_compact(ts.date())}-9003", "就業服務查核"))
                planted["inactive_account_queries"].append(key(code, dis["account"], ts, why="disabled"))
                dis["last_used"] = ts
            if mi == 1 and ai == 3:
                # another agency's account appears in this agency's log: shared use
                shared = by_plant["shared"]
                ts = datetime.combine(workdays[2], time(11, 7, 0))
                rows.append(row(shared["account"], ts, enc, f"{roc_compact(ts.date())}-9002", "勞保投保查核"))
            webir_counts[f"{code}|{m_start:%Y-%m}"] = len(rows)
            w.csv("webir", f"{code}_WebIR查詢日誌_{m_start:%Y%m}.csv", WEBIR_HEADER, rows, encoding=enc)
    # A log with a query dated in the future on line 3: refused whole.
    acc = next(a for a in accounts if a["plant"] is None)
    fut = datetime.combine(end + timedelta(days=400), time(9, 0))
    w.csv("webir", f"{acc['agency']}_WebIR查詢日誌_錯誤.csv", WEBIR_HEADER,
          [row(acc["account"], datetime.combine(end, time(9, 0)), "utf-8", "A-1", "勞保投保查核"),
           row(acc["account"], fut, "utf-8", "A-2", "勞保投保查核")],
          expect="rejected", rejections=[{"line_no": 3, "column": "查詢日期", "reason_contains": "future"}])

    # The roster is written last so last-used dates can follow the queries actually written.
    acc_rows = []
    for a in accounts:
        last_used = f"{a['last_used']:%Y-%m-%d %H:%M:%S}" if a["last_used"] else ""
        acc_rows.append([a["account"], a["staff"].employee_no, a["agency"], a["role"], a["status"],
                         a["created"].isoformat(), last_used, a["employment"]])
    w.csv("webir_accounts", f"WebIR帳號清冊_{end:%Y%m%d}.csv", ACCOUNT_HEADER, acc_rows)
    return webir_counts


def _d(d: date, enc: str) -> str:
    return roc(d) if enc == "cp950" else d.isoformat()
