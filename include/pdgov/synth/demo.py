"""Synthetic landing data that looks like what Taipei agencies really send.

Every planted fact (PRC devices, colleague look-ups, idle accounts …) is recorded in the
manifest from what was actually written, so tests compare the warehouse with the truth and
not with an intention. Same seed and arguments ⇒ byte-identical files.
"""

from __future__ import annotations

import csv
import io
import json
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path

from pdgov.synth import national_ids

AGENCIES = [
    ("379000000A", "臺北市政府"),
    ("379130000C", "臺北市政府人事處"),
    ("379150000G", "臺北市政府資訊局"),
    ("379430000K", "臺北市政府工務局公園路燈工程管理處"),
    ("379620000W", "臺北市大安區公所"),
    ("379100000E", "臺北市政府勞動局"),
    ("379350000F", "臺北市政府社會局"),
    ("379200000B", "臺北市政府衛生局"),
]
SURNAMES = "陳林黃張李王吳劉蔡楊許鄭謝洪郭邱曾廖賴徐周葉蘇莊呂江何蕭羅高"
GIVEN = "怡君雅婷志明淑芬家豪俊傑欣怡冠宇詩涵宗翰美玲建宏佳穎承恩思妤"
BIOMETRIC_ZH = {"fingerprint": "指紋", "face": "臉部", "finger_vein": "指靜脈", "palm": "掌形"}
METHOD_ZH = {**BIOMETRIC_ZH, "card": "卡片", "app": "行動打卡", "web": "WebITR"}

PUNCH_HEADER = ["機關代碼", "員工編號", "打卡時間", "設備編號", "辨識方式"]
DEVICE_HEADER = ["設備編號", "機關代碼", "型號", "廠商", "廠牌", "廠牌國別", "原產地", "主機板產地", "晶片廠商",
                 "辨識方式", "內網", "連線方式", "通訊協定", "NCC審驗", "數位部通報", "委員會審查", "啟用日期",
                 "紀錄容量", "儲存位置"]
WEBIR_HEADER = ["查詢者帳號", "查詢日期", "查詢時間", "作業代號", "被查詢者查詢條件", "案號", "事由", "結果"]
ACCOUNT_HEADER = ["帳號", "員工編號", "機關代碼", "角色", "狀態", "建立日期", "最後使用日期", "在職狀態"]
ROSTER_HEADER = ["機關代碼", "員工編號", "身分證統一編號", "姓名", "電子郵件"]

# (brand, brand_country as (mis)declared, vendor, origin, mainboard, chip, kind)
DEVICE_TYPES = [
    ("Hikvision", "中國大陸", "海康威視代理商", "中國大陸", "中國大陸", "HiSilicon", "prc_brand"),
    ("ZKTeco", "臺灣", "中控智慧代理", "中國大陸", "中國大陸", "ZKTeco", "prc_brand"),  # country field wrong
    ("PAPAGO", "臺灣", "研勤科技", "臺灣", "中國大陸", "Rockchip", "prc_part"),  # seed 003: FACE8
    ("Soyal", "臺灣", "茂旭資訊", "臺灣", "臺灣", "Realtek", "approved"),
    ("Soyal", "臺灣", "茂旭資訊", "臺灣", "臺灣", "Realtek", "pending"),
    ("Suprema", "韓國", "宏碁資訊", "", "", "", "unknown_origin"),
    ("Virdi", "韓國", "聯合資訊", "韓國", "韓國", "Samsung", "rejected"),
]
MODEL_OF = {"Hikvision": "DS-K1T671", "ZKTeco": "SpeedFace-V5L", "PAPAGO": "FACE8", "Soyal": "AR-837-EF",
            "Suprema": "BioStation 3", "Virdi": "AC-7000"}


def roc(d: date) -> str:
    return f"{d.year - 1911}/{d.month:02d}/{d.day:02d}"


def roc_compact(d: date) -> str:
    return f"{d.year - 1911:03d}{d.month:02d}{d.day:02d}"


@dataclass
class Staff:
    agency_code: str
    employee_no: str
    name: str
    national_id: str
    email: str
    device_id: str | None
    method: str


@dataclass
class Writer:
    home: Path
    files: list[dict] = field(default_factory=list)

    def csv(self, source: str, name: str, header: list[str], rows: list[list], encoding: str = "utf-8",
            expect: str = "accepted", rejections: list[dict] | None = None) -> Path:
        path = self.home / "landing" / source / name
        path.parent.mkdir(parents=True, exist_ok=True)
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\r\n" if encoding == "cp950" else "\n")
        w.writerow(header)
        w.writerows(["" if v is None else v for v in r] for r in rows)
        path.write_bytes(buf.getvalue().encode(encoding))
        self._record(source, path, "csv", encoding, len(rows), expect, rejections)
        return path

    def xlsx(self, source: str, name: str, header: list[str], rows: list[list], expect: str = "accepted",
             rejections: list[dict] | None = None) -> Path:
        from openpyxl import Workbook

        path = self.home / "landing" / source / name
        path.parent.mkdir(parents=True, exist_ok=True)
        wb = Workbook()
        ws = wb.active
        ws.title = "設備清冊"
        ws.append(header)
        for r in rows:
            ws.append(r)
        fixed = datetime(2026, 1, 1)
        wb.properties.created = fixed
        wb.properties.modified = fixed
        wb.properties.creator = "pdgov synth"
        wb.save(path)
        _normalise_zip(path)
        self._record(source, path, "xlsx", "", len(rows), expect, rejections)
        return path

    def json(self, source: str, name: str, obj: dict) -> Path:
        path = self.home / "landing" / source / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(obj, ensure_ascii=False, indent=2), encoding="utf-8")
        self._record(source, path, "json", "utf-8", 1, "accepted", None)
        return path

    def _record(self, source, path, fmt, encoding, rows, expect, rejections) -> None:
        self.files.append({
            "source": source, "path": str(path.relative_to(self.home)), "format": fmt, "encoding": encoding,
            "rows": rows, "expect": expect, "rejections": rejections or [],
        })


def _normalise_zip(path: Path) -> None:
    """Rewrite an XLSX with fixed zip timestamps so the same seed gives the same bytes."""
    import zipfile

    data = path.read_bytes()
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in sorted(src.infolist(), key=lambda i: i.filename):
            zi = zipfile.ZipInfo(info.filename, date_time=(2026, 1, 1, 0, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(zi, src.read(info.filename))
    path.write_bytes(out.getvalue())


def _d(d: date, enc: str) -> str:
    return roc(d) if enc == "cp950" else d.isoformat()


def _workdays(start: date, end: date) -> list[date]:
    days, d = [], start
    while d <= end:
        if d.weekday() < 5:
            days.append(d)
        d += timedelta(days=1)
    return days


def _month_start(d: date) -> date:
    return d.replace(day=1)


def _prev_month(d: date) -> date:
    return (d.replace(day=1) - timedelta(days=1)).replace(day=1)


def generate_demo(home: Path, seed: int, end: date, n_agencies: int = 5, staff_per_agency: int = 60,
                  history_years: float | None = None) -> dict:
    rng = random.Random(seed)
    w = Writer(home)
    agencies = AGENCIES[:n_agencies]
    planted: dict[str, list] = {k: [] for k in (
        "prc_brand_devices", "prc_part_devices", "unknown_origin_devices", "approved_devices",
        "devices_of_implicated_model", "colleague_lookups", "self_lookups", "after_hours_queries",
        "missing_case_or_reason_queries", "inactive_account_queries", "idle_accounts", "duplicate_accounts",
        "shared_accounts", "transferred_accounts", "resigned_accounts", "retired_accounts", "incident_ids",
        "over_capacity_devices")}
    planted["implicated_model"] = "FACE8"

    # ---- devices: every agency gets a rotation of device types; PAPAGO FACE8 in several agencies
    devices: list[list] = []
    device_kind: dict[str, str] = {}
    agency_devices: dict[str, list[tuple[str, str]]] = {}
    for ai, (code, _name) in enumerate(agencies):
        agency_devices[code] = []
        kinds = [DEVICE_TYPES[(ai + k) % len(DEVICE_TYPES)] for k in range(4)]
        if ai < 3 and not any(t[0] == "PAPAGO" for t in kinds):
            kinds[0] = DEVICE_TYPES[2]
        for k, (brand, bcountry, vendor, origin, board, chip, kind) in enumerate(kinds):
            dev_id = f"D{code[3:7]}{k + 1:02d}"
            method = ["fingerprint", "face", "finger_vein", "palm"][(ai + k) % 4]
            status = {"approved": "核准", "rejected": "不核准"}.get(kind, "待審")
            if kind in ("prc_brand",):
                status = "待審"
            devices.append([dev_id, code, MODEL_OF[brand], vendor, brand, bcountry, origin, board, chip,
                            f"{BIOMETRIC_ZH[method]};卡片", "是", "RJ-45", "TCP/IP", "是" if kind != "prc_brand" else "否",
                            "是" if kind == "approved" else "否", status, date(2021, 3, 1 + k).isoformat(),
                            20000, f"{_name}機房"])
            device_kind[dev_id] = kind
            agency_devices[code].append((dev_id, method))
            {"prc_brand": planted["prc_brand_devices"], "prc_part": planted["prc_part_devices"],
             "unknown_origin": planted["unknown_origin_devices"], "approved": planted["approved_devices"]
             }.get(kind, []).append(dev_id)
            if MODEL_OF[brand] == "FACE8":
                planted["devices_of_implicated_model"].append(dev_id)
    w.xlsx("devices", f"差勤設備清冊_{end:%Y%m%d}.xlsx", DEVICE_HEADER, devices)
    # A delivery that carries biometric templates: refused whole.
    bad_dev_header = [*DEVICE_HEADER, "特徵值"]
    bad_dev_rows = [[*devices[0][:-1], devices[0][-1], "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo="]]
    w.xlsx("devices", "差勤設備清冊_含特徵值.xlsx", bad_dev_header, bad_dev_rows, expect="rejected",
           rejections=[{"line_no": None, "column": "特徵值", "reason_contains": "biometric"}])

    # ---- staff and roster
    staff: list[Staff] = []
    for code, _name in agencies:
        devs = agency_devices[code]
        for i in range(staff_per_agency):
            emp = f"{code[3:6]}{i + 1:04d}"
            name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
            nid = national_ids.make(rng, rng.choice("ABCDEFGHJK"))
            r = rng.random()
            if r < 0.7:
                dev_id, method = devs[i % len(devs)]
            elif r < 0.8:
                dev_id, method = devs[i % len(devs)][0], "card"
            else:
                dev_id, method = None, rng.choice(["app", "web"])
            staff.append(Staff(code, emp, name, nid, f"{emp.lower()}@mail.taipei.example", dev_id, method))
    for code, _name in agencies:
        rows = [[s.agency_code, s.employee_no, s.national_id, s.name, s.email] for s in staff if s.agency_code == code]
        w.csv("roster", f"{code}_員工名冊.csv", ROSTER_HEADER, rows)
    # A supplementary roster with one bad checksum: refused whole.
    extra = [[agencies[0][0], f"{agencies[0][0][3:6]}9{i:03d}", national_ids.make(rng), "測試人員", "t@mail.taipei.example"]
             for i in range(4)]
    extra[2][2] = national_ids.make_invalid(rng)
    w.csv("roster", f"{agencies[0][0]}_員工名冊_補充.csv", ROSTER_HEADER, extra, expect="rejected",
          rejections=[{"line_no": 4, "column": "身分證統一編號", "reason_contains": "checksum"}])

    # ---- punches: one file per agency per month; a third Big5 with ROC dates, some UTF-8 BOM
    # The current window is the 30 days ending at `end`, one file per calendar month in it.
    first = _month_start(end)
    window_start = end - timedelta(days=30)
    months: list[tuple[date, date]] = [(first, end)]
    if window_start < first:
        months.append((window_start, first - timedelta(days=1)))
    recent = len(months)
    if history_years:
        m = _prev_month(window_start)
        stop = date(end.year - int(history_years), end.month, 1) - timedelta(days=int((history_years % 1) * 365))
        while m >= stop:
            nxt = (m.replace(day=28) + timedelta(days=4)).replace(day=1)
            months.append((m, nxt - timedelta(days=1)))
            m = _prev_month(m)
    per_device: dict[str, int] = {}
    for ai, (code, _name) in enumerate(agencies):
        enc = ["utf-8", "cp950", "utf-8-sig"][ai % 3]
        members = [s for s in staff if s.agency_code == code]
        for mi, (m_start, m_end) in enumerate(months):
            sample = members if mi < recent else members[: max(3, len(members) // 10)]
            rows = []
            for d in _workdays(m_start, m_end):
                for s in sample:
                    on = datetime.combine(d, time(8, 0)) + timedelta(minutes=rng.randint(-30, 30), seconds=rng.randint(0, 59))
                    off = datetime.combine(d, time(17, 30)) + timedelta(minutes=rng.randint(-20, 45), seconds=rng.randint(0, 59))
                    for ts in (on, off):
                        stamp = (f"{roc(ts.date())} {ts:%H:%M:%S}" if enc == "cp950" and rng.random() < 0.8
                                 else f"{ts:%Y-%m-%d %H:%M:%S}")
                        rows.append([code, s.employee_no, stamp, s.device_id or "", METHOD_ZH[s.method]])
                        if s.device_id:
                            per_device[s.device_id] = per_device.get(s.device_id, 0) + 1
            if rows:
                w.csv("punches", f"{code}_差勤刷卡_{m_start:%Y%m}.csv", PUNCH_HEADER, rows, encoding=enc)
    # A punch file with an impossible ROC date on line 3: refused whole.
    s0 = staff[0]
    bad = [[s0.agency_code, s0.employee_no, "115/02/27 08:01:00", s0.device_id or "", METHOD_ZH[s0.method]],
           [s0.agency_code, s0.employee_no, "115/02/30 08:02:00", s0.device_id or "", METHOD_ZH[s0.method]],
           [s0.agency_code, s0.employee_no, "115/02/27 17:40:00", s0.device_id or "", METHOD_ZH[s0.method]]]
    w.csv("punches", f"{s0.agency_code}_差勤刷卡_補登.csv", PUNCH_HEADER, bad, encoding="cp950", expect="rejected",
          rejections=[{"line_no": 3, "column": "打卡時間", "reason_contains": "date"}])
    planted["over_capacity_devices"] = sorted(d for d, n in per_device.items() if n > 20000)

    # ---- WebIR accounts
    acc_rows: list[list] = []
    accounts: list[dict] = []
    for code, _name in agencies:
        members = [s for s in staff if s.agency_code == code]
        for k in range(4):
            s = members[k]
            acc = f"{code[:6].lower()}u{k + 1:02d}"
            a = {"account": acc, "staff": s, "agency": code, "role": "管理者" if k == 0 else "使用者",
                 "status": "啟用", "created": date(2022, 1, 10 + k), "last_used": end - timedelta(days=rng.randint(0, 6)),
                 "employment": "在職"}
            accounts.append(a)
    # plants
    accounts[1]["last_used"] = end - timedelta(days=240)
    planted["idle_accounts"].append(accounts[1]["account"])
    accounts[2]["employment"] = "離職"
    planted["resigned_accounts"].append(accounts[2]["account"])
    accounts[5]["employment"] = "調職"
    planted["transferred_accounts"].append(accounts[5]["account"])
    accounts[9]["employment"] = "退休"
    planted["retired_accounts"].append(accounts[9]["account"])
    dup_of = accounts[4]
    dup = {**dup_of, "account": dup_of["account"] + "b", "role": "使用者", "created": date(2024, 5, 2)}
    accounts.append(dup)
    planted["duplicate_accounts"].append(sorted([dup_of["account"], dup["account"]]))
    for a in accounts:
        acc_rows.append([a["account"], a["staff"].employee_no, a["agency"], a["role"], a["status"],
                         a["created"].isoformat(), f"{a['last_used']:%Y-%m-%d} 10:00:00", a["employment"]])
    w.csv("webir_accounts", f"WebIR帳號清冊_{end:%Y%m%d}.csv", ACCOUNT_HEADER, acc_rows)

    # ---- WebIR query logs, per agency per month (this month and the previous one)
    counts = {0: 6, 1: 420}
    # Audits are by calendar month: the last two months with at least ten workdays up to `end`.
    last = first if len(_workdays(first, end)) >= 10 else _prev_month(first)
    webir_months = [(_prev_month(last), last - timedelta(days=1)),
                    (last, min(end, (last.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)))]
    webir_counts: dict[str, int] = {}
    active = [a for a in accounts if a["employment"] == "在職" and a is not dup]
    shared_acc = accounts[8]  # used from two agencies' logs
    planted["shared_accounts"].append(shared_acc["account"])
    for ai, (code, _name) in enumerate(agencies):
        enc = "cp950" if ai % 3 == 1 else "utf-8"
        own = [a for a in active if a["agency"] == code]
        members = [s for s in staff if s.agency_code == code]
        for (m_start, m_end) in webir_months:
            n = counts.get(ai, 24 + ai * 7)
            rows, seen = [], set()
            for q in range(n):
                acc = own[q % len(own)]
                d = m_start + timedelta(days=rng.randrange((m_end - m_start).days + 1))
                while d.weekday() >= 5:
                    d -= timedelta(days=1)
                    if d < m_start:
                        d = m_start + timedelta(days=(7 - m_start.weekday()) % 7)
                t = time(rng.randint(8, 16), rng.randint(0, 59), rng.randint(0, 59))
                subject = national_ids.make(rng, rng.choice("ABCDEFGHJKLMNPQ"))
                case_no, reason = f"{roc_compact(d)}-{q + 1:04d}", rng.choice(["勞保投保查核", "職災補償審查", "就業服務查核"])
                flag = None
                if q == 1:
                    t, flag = time(22, 15, 3), "after_hours_queries"
                elif q == 2:
                    case_no, reason, flag = "", "", "missing_case_or_reason_queries"
                elif q == 3 and len(members) > 10:
                    subject, flag = members[10].national_id, "colleague_lookups"
                elif q == 4:
                    subject, flag = acc["staff"].national_id, "self_lookups"
                ts = datetime.combine(d, t)
                if (acc["account"], ts) in seen:
                    ts += timedelta(seconds=1)
                seen.add((acc["account"], ts))
                key = {"agency_code": code, "account": acc["account"], "queried_at": f"{ts:%Y-%m-%d %H:%M:%S}"}
                if flag:
                    planted[flag].append(key)
                date_txt = _d(d, enc)
                rows.append([acc["account"], date_txt, f"{ts:%H:%M:%S}", "L0101", subject, case_no, reason, "查詢成功"])
            if m_start == last and code == accounts[2]["agency"]:
                # a resigned holder's account still used in its own agency
                res = accounts[2]
                ts = datetime.combine(m_start + timedelta(days=1), time(10, 5, 0))
                rows.append([res["account"], _d(ts.date(), enc), f"{ts:%H:%M:%S}", "L0101",
                             national_ids.make(rng), f"{roc_compact(ts.date())}-9001", "勞保投保查核", "查詢成功"])
                planted["inactive_account_queries"].append(
                    {"agency_code": code, "account": res["account"], "queried_at": f"{ts:%Y-%m-%d %H:%M:%S}"})
            if m_start == last and ai == 3:
                # another agency's account appears in this agency's log: shared use
                ts = datetime.combine(m_start + timedelta(days=2), time(11, 7, 0))
                rows.append([shared_acc["account"], _d(ts.date(), enc), f"{ts:%H:%M:%S}", "L0101",
                             national_ids.make(rng), f"{roc_compact(ts.date())}-9002", "勞保投保查核", "查詢成功"])
            webir_counts[f"{code}|{m_start:%Y-%m}"] = len(rows)
            w.csv("webir", f"{code}_WebIR查詢日誌_{m_start:%Y%m}.csv", WEBIR_HEADER, rows, encoding=enc)
    # a log with a query in the future: refused whole
    fut = end + timedelta(days=400)
    acc = active[0]
    w.csv("webir", f"{acc['agency']}_WebIR查詢日誌_錯誤.csv", WEBIR_HEADER,
          [[acc["account"], end.isoformat(), "09:00:00", "L0101", national_ids.make(rng), "A-1", "勞保投保查核", "查詢成功"],
           [acc["account"], fut.isoformat(), "09:00:00", "L0101", national_ids.make(rng), "A-2", "勞保投保查核", "查詢成功"]],
          expect="rejected", rejections=[{"line_no": 3, "column": "查詢日期", "reason_contains": "future"}])

    # ---- incident: a device-model incident on FACE8 (seed 003)
    known = datetime.combine(end, time(9, 30))
    incident_id = f"INC-{end:%Y%m%d}-01"
    planted["incident_ids"].append(incident_id)
    w.json("incidents", f"{incident_id}.json", {
        "incident_id": incident_id, "reporter": "資訊局資安科 王小明", "reporter_contact": "soc@mail.taipei.example",
        "known_at": f"{known:%Y-%m-%d %H:%M:%S}", "method": "差勤設備疑遭入侵，臉部及指紋資料可能外洩",
        "location": "臺北市政府各機關差勤設備", "description": "供應商以臺灣品牌販售之 FACE8 機型，主機板產地為中國大陸，疑有後門",
        "scope_model": "FACE8", "scope_device_ids": "", "scope_agency_code": "", "scope_dataset": "punches",
        "scope_from": f"{first:%Y-%m-%d} 00:00:00", "scope_to": f"{end:%Y-%m-%d} 23:59:59",
        "containment": "同型號設備全面停用並斷開網路，改以行動打卡",
    })
    implicated = set(planted["devices_of_implicated_model"])
    people = {(s.agency_code, s.employee_no) for s in staff
              if s.device_id in implicated and s.method in BIOMETRIC_ZH}
    planted["people_punched_on_implicated_model"] = len(people)

    expected: dict[str, int] = {}
    for f in w.files:
        if f["expect"] == "accepted":
            expected[f["source"]] = expected.get(f["source"], 0) + f["rows"]
    return {
        "agencies": [{"agency_code": c, "name": n} for c, n in agencies],
        "files": w.files,
        "expected_rows": {s: expected.get(s, 0) for s in
                          ("punches", "devices", "webir", "webir_accounts", "roster", "incidents")},
        "planted": planted,
        "webir_counts": webir_counts,
        "staff": len(staff),
    }
