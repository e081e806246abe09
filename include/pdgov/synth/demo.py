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
import re
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
    ("大華", "臺灣", "大華技術代理", "中國大陸", "", "", "prc_brand"),  # Dahua, country field wrong
    ("Soyal", "臺灣", "茂旭資訊", "臺灣", "臺灣", "Realtek", "pending"),
    ("Suprema", "韓國", "宏碁資訊", "", "", "", "unknown_origin"),
    ("精誠", "臺灣", "精誠資訊", "臺灣", "臺灣", "Realtek", "approved"),
    ("Virdi", "韓國", "聯合資訊", "韓國", "韓國", "Samsung", "rejected"),
]
MODEL_OF = {"Hikvision": "DS-K1T671", "ZKTeco": "SpeedFace-V5L", "PAPAGO": "FACE8", "Soyal": "AR-837-EF",
            "大華": "ASI7213X", "Suprema": "BioStation 3", "精誠": "SF-900", "Virdi": "AC-7000"}
DEVICES_PER_AGENCY = 5
# One old unit declares a small memory so that its punches exceed what it holds (seed 000: a
# device keeps the latest N punches); demo volumes cannot exceed the usual 20,000.
SMALL_CAPACITY = 300


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
        # Not write_only: streamed sheets carry no <dimension>, and readers that trust max_row
        # (openpyxl read-only mode) would see an empty sheet.
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
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps the save time here
                body = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2026-01-01T00:00:00Z", body)
            dst.writestr(zi, body)
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


PLANTED_LISTS = (
    "prc_brand_devices", "prc_part_devices", "unknown_origin_devices", "approved_devices",
    "devices_of_implicated_model", "colleague_lookups", "self_lookups", "after_hours_queries",
    "missing_case_or_reason_queries", "inactive_account_queries", "idle_accounts", "duplicate_accounts",
    "shared_accounts", "transferred_accounts", "resigned_accounts", "retired_accounts", "incident_ids",
    "over_capacity_devices")
SOURCES = ("punches", "devices", "webir", "webir_accounts", "roster", "incidents")
IMPLICATED_MODEL = "FACE8"
KIND_LIST = {"prc_brand": "prc_brand_devices", "prc_part": "prc_part_devices",
             "unknown_origin": "unknown_origin_devices", "approved": "approved_devices"}


def generate_demo(home: Path, seed: int, end: date, n_agencies: int = 5, staff_per_agency: int = 60,
                  history_years: float | None = None) -> dict:
    """Write every source for `n_agencies` agencies; return the manifest body (planted facts included)."""
    rng = random.Random(seed)
    w = Writer(home)
    agencies = AGENCIES[:n_agencies]
    planted: dict = {k: [] for k in PLANTED_LISTS}
    planted["implicated_model"] = IMPLICATED_MODEL

    devices, device_method = device_rows(agencies, planted)
    staff = _staff(rng, agencies, devices, device_method, staff_per_agency)
    write_roster(w, rng, agencies, staff)
    window_start = end - timedelta(days=30)
    punched = _write_punches(w, rng, agencies, staff, end, window_start, history_years)

    # Devices are written after the punches so the planted capacity facts are measured, not intended.
    per_device: dict[str, int] = {}
    for _code, _emp, _ts, dev, _method in punched:
        if dev:
            per_device[dev] = per_device.get(dev, 0) + 1
    write_devices(w, end, devices, per_device, planted)

    accounts = write_accounts(w, rng, agencies, staff, end, planted)
    webir_counts = write_webir(w, rng, agencies, staff, accounts, end, planted)

    scope_from = datetime.combine(window_start, time(0, 0))
    scope_to = datetime.combine(end, time(23, 59, 59))
    incident_id = write_incident(w, end, scope_from, scope_to)
    planted["incident_ids"].append(incident_id)
    implicated = set(planted["devices_of_implicated_model"])
    people = {(c, e) for c, e, ts, dev, method in punched
              if dev in implicated and method in BIOMETRIC_ZH and scope_from <= ts <= scope_to}
    planted["people_punched_on_implicated_model"] = len(people)

    expected: dict[str, int] = {}
    for f in w.files:
        if f["expect"] == "accepted":
            expected[f["source"]] = expected.get(f["source"], 0) + f["rows"]
    return {
        "agencies": [{"agency_code": c, "name": n} for c, n in agencies],
        "files": w.files,
        "expected_rows": {s: expected.get(s, 0) for s in SOURCES},
        "planted": planted,
        "webir_counts": webir_counts,
        "staff": len(staff),
    }


def write_devices(w: Writer, end: date, devices: list[list], per_device: dict[str, int], planted: dict) -> None:
    """The citywide inventory (XLSX), and a delivery with a template column that must be refused."""
    planted["over_capacity_devices"] = sorted(r[0] for r in devices if per_device.get(r[0], 0) > r[17])
    w.xlsx("devices", f"差勤設備清冊_{end:%Y%m%d}.xlsx", DEVICE_HEADER, devices)
    # A delivery that carries biometric templates: refused whole, the header (line 1) names the column.
    w.xlsx("devices", "差勤設備清冊_含特徵值.xlsx", [*DEVICE_HEADER, "特徵值"],
           [[*devices[0], "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo="]], expect="rejected",
           rejections=[{"line_no": 1, "column": "特徵值", "reason_contains": "biometric"}])


def device_rows(agencies: list[tuple[str, str]], planted: dict,
                 per_agency: list[int] | None = None) -> tuple[list[list], dict[str, str]]:
    """Devices per agency (five by default) from a rotation of device types, so FACE8 lands in several agencies."""
    devices: list[list] = []
    method_of: dict[str, str] = {}
    for ai, (code, name) in enumerate(agencies):
        for k in range(per_agency[ai] if per_agency else DEVICES_PER_AGENCY):
            brand, bcountry, vendor, origin, board, chip, kind = DEVICE_TYPES[(ai + k) % len(DEVICE_TYPES)]
            dev_id = f"D{code[3:7]}{k + 1:02d}" if per_agency is None else f"D{code[3:9]}{k + 1:02d}"
            model = MODEL_OF[brand]
            method = "face" if model == IMPLICATED_MODEL else ["fingerprint", "face", "finger_vein", "palm"][(ai + k) % 4]
            modalities = "臉部;指紋" if model == IMPLICATED_MODEL else f"{BIOMETRIC_ZH[method]};卡片"
            status = {"approved": "核准", "rejected": "不核准"}.get(kind, "待審")
            capacity = SMALL_CAPACITY if (ai, kind) == (0, "approved") else 20000
            devices.append([dev_id, code, model, vendor, brand, bcountry, origin, board, chip, modalities, "是",
                            "RJ-45", "TCP/IP", "否" if kind == "prc_brand" else "是",
                            "是" if kind == "approved" else "否", status, date(2021, 3, 1 + k).isoformat(),
                            capacity, f"{name}機房"])
            method_of[dev_id] = method
            if kind in KIND_LIST:
                planted[KIND_LIST[kind]].append(dev_id)
            if model == IMPLICATED_MODEL:
                planted["devices_of_implicated_model"].append(dev_id)
    return devices, method_of


def _staff(rng: random.Random, agencies: list[tuple[str, str]], devices: list[list],
           device_method: dict[str, str], per_agency: int) -> list[Staff]:
    """Staff with unique valid national IDs; most punch on one of their agency's devices."""
    staff: list[Staff] = []
    seen: set[str] = set()
    for code, _name in agencies:
        devs = [r[0] for r in devices if r[1] == code]
        for i in range(per_agency):
            emp = f"{code[3:6]}{i + 1:04d}"
            name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
            nid = fresh_id(rng, seen, "ABCDEFGHJK")
            r = rng.random()
            dev_id = devs[i % len(devs)]
            if r < 0.7:
                method = device_method[dev_id]
            elif r < 0.8:
                # card punches, except on the FACE8 (face/fingerprint only) where they use their face
                method = device_method[dev_id] if _model(devices, dev_id) == IMPLICATED_MODEL else "card"
            else:
                dev_id, method = None, rng.choice(["app", "web"])
            staff.append(Staff(code, emp, name, nid, f"{emp.lower()}@mail.taipei.example", dev_id, method))
    return staff


def _model(devices: list[list], dev_id: str) -> str:
    return next(r[2] for r in devices if r[0] == dev_id)


def fresh_id(rng: random.Random, taken: set[str], letters: str = "ABCDEFGHJKLMNPQ") -> str:
    """A valid national ID nobody else in the data set has, so planted look-ups stay exact."""
    while True:
        nid = national_ids.make(rng, rng.choice(letters))
        if nid not in taken:
            taken.add(nid)
            return nid


def _by_agency(staff: list[Staff]) -> dict[str, list[Staff]]:
    out: dict[str, list[Staff]] = {}
    for s in staff:
        out.setdefault(s.agency_code, []).append(s)
    return out


def write_roster(w: Writer, rng: random.Random, agencies: list[tuple[str, str]], staff: list[Staff]) -> None:
    """One roster file per agency, and a supplement with a bad checksum that must be refused."""
    by_agency = _by_agency(staff)
    for code, _name in agencies:
        rows = [[s.agency_code, s.employee_no, s.national_id, s.name, s.email] for s in by_agency[code]]
        w.csv("roster", f"{code}_員工名冊.csv", ROSTER_HEADER, rows)
    # A supplementary roster with one bad checksum on line 4: refused whole.
    code = agencies[0][0]
    taken = {s.national_id for s in staff}
    extra = [[code, f"{code[3:6]}9{i:03d}", fresh_id(rng, taken), "測試人員", f"t{i}@mail.taipei.example"]
             for i in range(4)]
    extra[2][2] = national_ids.make_invalid(rng)
    w.csv("roster", f"{code}_員工名冊_補充.csv", ROSTER_HEADER, extra, expect="rejected",
          rejections=[{"line_no": 4, "column": "身分證統一編號", "reason_contains": "checksum"}])


def _write_punches(w: Writer, rng: random.Random, agencies: list[tuple[str, str]], staff: list[Staff],
                   end: date, window_start: date, history_years: float | None) -> list[tuple]:
    """One file per agency per calendar month; a third Big5 with mostly ROC dates, a third UTF-8 BOM.

    The current window is the 30 days ending at `end`; `history_years` adds sparse older months
    (a tenth of the staff) for the retention rules. Returns every accepted punch written.
    """
    by_agency = _by_agency(staff)
    first = _month_start(end)
    months: list[tuple[date, date]] = [(first, end)]
    if window_start < first:
        months.append((window_start, first - timedelta(days=1)))
    recent = len(months)
    if history_years:
        m = _prev_month(window_start)
        stop = _month_start(end - timedelta(days=round(history_years * 365.25)))
        while m >= stop:
            nxt = (m.replace(day=28) + timedelta(days=4)).replace(day=1)
            months.append((m, nxt - timedelta(days=1)))
            m = _prev_month(m)
    punched: list[tuple] = []
    for ai, (code, _name) in enumerate(agencies):
        enc = ["utf-8", "cp950", "utf-8-sig"][ai % 3]
        members = by_agency[code]
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


def write_accounts(w: Writer, rng: random.Random, agencies: list[tuple[str, str]], staff: list[Staff],
                    end: date, planted: dict) -> list[dict]:
    """Four accounts per agency, then the planted review findings (seed 004 §6(6))."""
    by_agency = _by_agency(staff)
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
    by_agency = _by_agency(staff)
    first = _month_start(end)
    last = first if len(_workdays(first, end)) >= 10 else _prev_month(first)
    webir_months = [(_prev_month(last), last - timedelta(days=1)),
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
            workdays = _workdays(m_start, m_end)
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


def write_incident(w: Writer, end: date, scope_from: datetime, scope_to: datetime) -> str:
    """A device-model incident on FACE8 (seed 003), known in the evening of `end`."""
    known = datetime.combine(end, time(20, 30))
    incident_id = f"INC-{end:%Y%m%d}-01"
    w.json("incidents", f"{incident_id}.json", {
        "incident_id": incident_id, "reporter": "資訊局資安科 王小明", "reporter_contact": "soc@mail.taipei.example",
        "known_at": f"{known:%Y-%m-%d %H:%M:%S}", "method": "差勤設備疑遭入侵，臉部及指紋資料可能外洩",
        "location": "臺北市政府各機關差勤設備",
        "description": "供應商以臺灣品牌販售之 FACE8 機型，主機板產地為中國大陸，疑有後門",
        "scope_model": IMPLICATED_MODEL, "scope_device_ids": "", "scope_agency_code": "", "scope_dataset": "punches",
        "scope_from": f"{scope_from:%Y-%m-%d %H:%M:%S}", "scope_to": f"{scope_to:%Y-%m-%d %H:%M:%S}",
        "containment": "同型號設備全面停用並斷開網路，改以行動打卡",
    })
    return incident_id
