"""Punch exports: one file per agency per calendar month, in the encodings and date styles
agencies really send (Big5 with ROC dates, UTF-8 with a BOM), and a correction file with an
impossible date."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from pdgov.synth.catalog import METHOD_ZH, PUNCH_HEADER
from pdgov.synth.dates import month_start, prev_month, roc, workdays_between
from pdgov.synth.staff import Staff, staff_by_agency
from pdgov.synth.writer import Writer


def write_punches(w: Writer, rng: random.Random, agencies: list[tuple[str, str]], staff: list[Staff],
                  end: date, window_start: date, history_years: float | None) -> list[tuple]:
    """One file per agency per calendar month; a third Big5 with mostly ROC dates, a third UTF-8 BOM.

    The current window is the 30 days ending at `end`; `history_years` adds sparse older months
    (a tenth of the staff) for the retention rules. Returns every accepted punch written.
    """
    by_agency = staff_by_agency(staff)
    first = month_start(end)
    months: list[tuple[date, date]] = [(first, end)]
    if window_start < first:
        months.append((window_start, first - timedelta(days=1)))
    recent = len(months)
    if history_years:
        m = prev_month(window_start)
        stop = month_start(end - timedelta(days=round(history_years * 365.25)))
        while m >= stop:
            nxt = (m.replace(day=28) + timedelta(days=4)).replace(day=1)
            months.append((m, nxt - timedelta(days=1)))
            m = prev_month(m)
    punched: list[tuple] = []
    for ai, (code, _name) in enumerate(agencies):
        enc = ["utf-8", "cp950", "utf-8-sig"][ai % 3]
        members = by_agency[code]
        for mi, (m_start, m_end) in enumerate(months):
            sample = members if mi < recent else members[: max(3, len(members) // 10)]
            rows = []
            for d in workdays_between(m_start, m_end):
                for s in sample:
                    on = datetime.combine(d, time(8, 0)) + timedelta(minutes=rng.randint(-30, 30), seconds=rng.randint(0, 59))
                    off = datetime.combine(d, time(17, 30)) + timedelta(minutes=rng.randint(-20, 45), seconds=rng.randint(0, 59))
                    for ts in (on, off):
                        stamp = (f"{roc(ts.date())} {ts:%H:%M:%S}" if enc == "cp950" and rng.random() < 0.8
                                 else f"{ts:%Y-%m-%d %H:%M:%S}")
                        rows.append([code, s.employee_no, stamp, s.device_id or "", METHOD_ZH[s.method]])
                        punched.append((code, s.employee_no, ts, s.device_id, s.method))
            if rows:
                w.csv("punches", f"{code}_差勤刷卡_{m_start:%Y%m}.csv", PUNCH_HEADER, rows, encoding=enc)
    write_bad_punches(w, staff[0])
    return punched


def write_bad_punches(w: Writer, s0: Staff) -> None:
    """A correction file with an impossible ROC date (115/02/30) on line 3: refused whole."""
    bad = [[s0.agency_code, s0.employee_no, stamp, s0.device_id or "", METHOD_ZH[s0.method]]
           for stamp in ("115/02/27 08:01:00", "115/02/30 08:02:00", "115/02/27 17:40:00")]
    w.csv("punches", f"{s0.agency_code}_差勤刷卡_補登.csv", PUNCH_HEADER, bad, encoding="cp950", expect="rejected",
          rejections=[{"line_no": 3, "column": "打卡時間", "reason_contains": "date"}])
