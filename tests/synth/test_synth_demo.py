"""The demo data set: deterministic, valid where it should be, and its manifest tells the truth.

Other teams compare the warehouse with ``synth_manifest.json``; these tests re-derive every
count and planted fact from the files themselves so the manifest cannot drift from the data.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook

from pdgov.synth import generate
from pdgov.synth import national_ids as synth_ids
from pdgov.synth.catalog import ACCOUNT_HEADER, DEVICE_HEADER, PUNCH_HEADER, ROSTER_HEADER, WEBIR_HEADER
from pdgov.synth.devices import DECISION_HEADER

END = date(2026, 11, 21)
HEADERS = {"punches": PUNCH_HEADER, "devices": DEVICE_HEADER, "webir": WEBIR_HEADER,
           "webir_accounts": ACCOUNT_HEADER, "roster": ROSTER_HEADER, "committee_decisions": DECISION_HEADER}


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> tuple[Path, dict]:
    home = tmp_path_factory.mktemp("synth_a")
    return home, generate(home, scale="demo", seed=7, end=END)


def _tree(home: Path) -> dict[str, bytes]:
    return {str(p.relative_to(home)): p.read_bytes() for p in sorted(home.rglob("*")) if p.is_file()}


def _rows(home: Path, f: dict) -> list[list[str]]:
    """Data rows of a landing file (header excluded), decoded as the manifest says."""
    path = home / f["path"]
    if f["format"] == "xlsx":
        ws = load_workbook(path, read_only=True).active
        assert ws.max_row == f["rows"] + 1  # a <dimension> is written: read-only readers rely on it
        return [["" if v is None else str(v) for v in r] for r in ws.iter_rows(min_row=2, values_only=True)]
    if f["format"] == "json":
        return [[json.loads(path.read_text(encoding="utf-8"))["incident_id"]]]
    return list(csv.reader(io.StringIO(path.read_bytes().decode(f["encoding"]))))[1:]


def _by_source(home: Path, m: dict, source: str, accepted_only: bool = True) -> list[tuple[dict, list[str]]]:
    return [(f, r) for f in m["files"] if f["source"] == source and (f["expect"] == "accepted" or not accepted_only)
            for r in _rows(home, f)]


def _parse_ts(date_txt: str, time_txt: str = "") -> datetime:
    text = f"{date_txt} {time_txt}".strip()
    head, _, rest = text.partition(" ")
    y, mo, d = (int(x) for x in head.replace("/", "-").split("-"))
    if y < 1911:
        y += 1911
    hh, mm, ss = (int(x) for x in rest.split(":")) if rest else (0, 0, 0)
    return datetime(y, mo, d, hh, mm, ss)


def test_same_seed_same_bytes_other_seed_other_data(demo, tmp_path):
    home, _ = demo
    again = tmp_path / "again"
    generate(again, scale="demo", seed=7, end=END)
    assert _tree(again) == _tree(home)
    other = tmp_path / "other"
    generate(other, scale="demo", seed=8, end=END)
    a, b = _tree(home), _tree(other)
    assert a["landing/roster/379000000A_員工名冊.csv"] != b["landing/roster/379000000A_員工名冊.csv"]


def test_checksum_matches_known_example_and_the_ingest_validator(demo):
    from pdgov.ingest import national_id as ingest_ids

    assert synth_ids.is_valid("A123456789")  # the checksum example printed in every textbook
    assert not synth_ids.is_valid("A123456788")
    home, m = demo
    ids = [r[2] for _, r in _by_source(home, m, "roster")]
    ids += [r[4] for _, r in _by_source(home, m, "webir")]
    assert len(ids) > 1000
    assert all(synth_ids.is_valid(i) for i in ids)
    assert [i for i in ids if ingest_ids.problem(i) is not None] == []
    roster_ids = [r[2] for _, r in _by_source(home, m, "roster")]
    assert len(set(roster_ids)) == len(roster_ids) == m["expected_rows"]["roster"]


def test_encodings_big5_bom_and_plain(demo):
    home, m = demo
    seen = Counter(f["encoding"] for f in m["files"] if f["format"] == "csv")
    assert seen["cp950"] and seen["utf-8-sig"] and seen["utf-8"]
    punch_files = [f for f in m["files"] if f["source"] == "punches" and f["expect"] == "accepted"]
    assert 0.2 <= sum(f["encoding"] == "cp950" for f in punch_files) / len(punch_files) <= 0.5
    for f in m["files"]:
        raw = (home / f["path"]).read_bytes()
        if f["encoding"] == "cp950":
            raw.decode("cp950")
            with pytest.raises(UnicodeDecodeError):
                raw.decode("utf-8")
            text = raw.decode("cp950")
            if f["source"] in ("punches", "webir"):
                assert "115/" in text  # ROC dates
        elif f["encoding"] == "utf-8-sig":
            assert raw.startswith(b"\xef\xbb\xbf")
        elif f["encoding"] == "utf-8":
            assert not raw.startswith(b"\xef\xbb\xbf")
            raw.decode("utf-8")


def test_headers_are_the_delivered_zh_tw_ones(demo):
    home, m = demo
    for f in m["files"]:
        if f["format"] == "csv":
            header = next(csv.reader(io.StringIO((home / f["path"]).read_bytes().decode(f["encoding"]))))
        elif f["format"] == "xlsx":
            header = [c.value for c in next(load_workbook(home / f["path"], read_only=True).active.iter_rows())]
        else:
            continue
        expected = HEADERS[f["source"]]
        assert header[: len(expected)] == expected, f["path"]


def test_manifest_counts_equal_rows_in_files(demo):
    home, m = demo
    assert (home / "synth_manifest.json").read_text(encoding="utf-8") == json.dumps(m, ensure_ascii=False, indent=1)
    expected = Counter()
    for f in m["files"]:
        assert (home / f["path"]).is_file()
        assert len(_rows(home, f)) == f["rows"], f["path"]
        if f["expect"] == "accepted":
            expected[f["source"]] += f["rows"]
    assert dict(expected) == {k: v for k, v in m["expected_rows"].items() if v}
    assert set(m["expected_rows"]) == {"punches", "devices", "webir", "webir_accounts", "roster", "incidents",
                                       "committee_decisions", "webir_audit_results"}
    # audit findings answer a sample drawn by a night, so the generator writes none ahead of it
    assert m["expected_rows"]["webir_audit_results"] == 0
    # sizes of the demo scale
    assert len(m["agencies"]) == 5 and m["staff"] == 300
    assert 10_000 <= m["expected_rows"]["punches"] <= 16_000
    assert 20 <= m["expected_rows"]["devices"] <= 30
    for a in m["agencies"]:
        code = a["agency_code"]
        assert len(code) == 10 and code[:9].isdigit() and code[9].isupper()
    counts: dict[str, int] = {}
    for f in m["files"]:
        if f["source"] == "webir" and f["expect"] == "accepted":
            code = Path(f["path"]).name.split("_")[0]
            for r in _rows(home, f):
                k = f"{code}|{_parse_ts(r[1]):%Y-%m}"
                counts[k] = counts.get(k, 0) + 1
    assert counts == m["webir_counts"]
    assert min(counts.values()) < 10 and max(counts.values()) > 400


def test_rejected_files_fail_where_the_manifest_says(demo):
    home, m = demo
    bad = [f for f in m["files"] if f["expect"] == "rejected"]
    assert 3 <= len(bad) <= 5
    assert {f["source"] for f in bad} >= {"punches", "roster", "devices", "webir"}
    for f in bad:
        (rej,) = f["rejections"]
        rows = _rows(home, f)
        header = HEADERS[f["source"]] + (["特徵值"] if f["source"] == "devices" else [])
        assert rej["column"] in header
        if rej["line_no"] == 1:  # the header itself names a refused column
            assert rej["column"] == "特徵值"
            continue
        value = rows[rej["line_no"] - 2][header.index(rej["column"])]
        others = [r[header.index(rej["column"])] for i, r in enumerate(rows) if i != rej["line_no"] - 2]
        if rej["reason_contains"] == "checksum":
            assert not synth_ids.is_valid(value) and all(synth_ids.is_valid(v) for v in others)
        elif rej["reason_contains"] == "date":
            assert value.startswith("115/02/30")
            for v in others:
                _parse_ts(*v.split(" "))
        elif rej["reason_contains"] == "future":
            assert _parse_ts(value).date() > END and all(_parse_ts(v).date() <= END for v in others)


def test_device_plants(demo):
    home, m = demo
    p = m["planted"]
    devices = {r[0]: dict(zip(DEVICE_HEADER, r, strict=True)) for _, r in _by_source(home, m, "devices")}
    assert len(devices) == m["expected_rows"]["devices"]  # unique device IDs
    prc = {"Hikvision", "ZKTeco", "大華", "Dahua", "海康威視"}
    assert p["prc_brand_devices"] and all(devices[d]["廠牌"] in prc for d in p["prc_brand_devices"])
    assert any(devices[d]["廠牌國別"] == "臺灣" for d in p["prc_brand_devices"])  # mis-declared country
    assert sorted(d for d, r in devices.items() if r["廠牌"] in prc) == sorted(p["prc_brand_devices"])
    face8 = sorted(d for d, r in devices.items() if r["型號"] == "FACE8")
    assert face8 == sorted(p["devices_of_implicated_model"]) and p["implicated_model"] == "FACE8"
    assert len({devices[d]["機關代碼"] for d in face8}) >= 2
    assert all(devices[d]["主機板產地"] == "中國大陸" and devices[d]["廠牌國別"] == "臺灣" for d in p["prc_part_devices"])
    assert all(devices[d]["原產地"] == "" for d in p["unknown_origin_devices"]) and p["unknown_origin_devices"]
    assert sorted(d for d, r in devices.items() if r["原產地"] == "") == sorted(p["unknown_origin_devices"])
    assert sorted(d for d, r in devices.items() if r["委員會審查"] == "核准") == sorted(p["approved_devices"])
    assert {r["委員會審查"] for r in devices.values()} == {"待審", "核准", "不核准"}
    punches = Counter(r[3] for _, r in _by_source(home, m, "punches") if r[3])
    assert set(punches) <= set(devices)
    over = sorted(d for d, r in devices.items() if punches[d] > int(r["紀錄容量"]))
    assert over == p["over_capacity_devices"] and over
    # people punched with biometrics on the implicated model inside the incident's scope
    inc = json.loads(next((home / "landing/incidents").glob("*.json")).read_text(encoding="utf-8"))
    assert inc["scope_model"] == "FACE8" and [inc["incident_id"]] == p["incident_ids"]
    known = datetime.fromisoformat(inc["known_at"])
    assert known.date() == END and 2 <= 24 - known.hour <= 6
    lo, hi = datetime.fromisoformat(inc["scope_from"]), datetime.fromisoformat(inc["scope_to"])
    people = {(r[0], r[1]) for _, r in _by_source(home, m, "punches")
              if r[3] in face8 and r[4] in ("指紋", "臉部", "指靜脈", "掌形") and lo <= _parse_ts(*r[2].split(" ")) <= hi}
    assert len(people) == p["people_punched_on_implicated_model"] > 0


def test_punch_shape(demo):
    home, m = demo
    rows = _by_source(home, m, "punches")
    per_day = Counter((r[0], r[1], _parse_ts(*r[2].split(" ")).date()) for _, r in rows)
    assert set(per_day.values()) == {2}
    assert all(_parse_ts(*r[2].split(" ")).weekday() < 5 for _, r in rows)
    methods = Counter(r[4] for _, r in rows)
    assert set(methods) == {"指紋", "臉部", "指靜脈", "掌形", "卡片", "行動打卡", "WebITR"}
    assert all((r[3] == "") == (r[4] in ("行動打卡", "WebITR")) for _, r in rows)
    last_workday = max(d for d in (END - timedelta(days=k) for k in range(7)) if d.weekday() < 5)
    assert max(_parse_ts(*r[2].split(" ")).date() for _, r in rows) == last_workday
    staff = {(r[0], r[1]) for _, r in _by_source(home, m, "roster")}
    assert {(r[0], r[1]) for _, r in rows} <= staff


def test_webir_and_account_plants(demo):
    home, m = demo
    p = m["planted"]
    roster = {(r[0], r[2]): r[1] for _, r in _by_source(home, m, "roster")}  # (agency, id) -> employee_no
    accounts = {r[0]: dict(zip(ACCOUNT_HEADER, r, strict=True)) for _, r in _by_source(home, m, "webir_accounts")}
    log: dict[tuple[str, str, str], list[str]] = {}
    agencies_of = defaultdict(set)
    for f, r in _by_source(home, m, "webir"):
        code = Path(f["path"]).name.split("_")[0]
        ts = _parse_ts(r[1], r[2])
        log[(code, r[0], f"{ts:%Y-%m-%d %H:%M:%S}")] = r
        agencies_of[r[0]].add(code)

    def hits(kind: str) -> list[list[str]]:
        out = [log[(q["agency_code"], q["account"], q["queried_at"])] for q in p[kind]]
        assert out, kind
        return out

    for r in hits("self_lookups"):
        a = accounts[r[0]]
        assert roster[(a["機關代碼"], r[4])] == a["員工編號"]
    for q, r in zip(p["colleague_lookups"], hits("colleague_lookups"), strict=True):
        assert roster[(q["agency_code"], r[4])] != accounts[r[0]]["員工編號"]
    flagged_subjects = {r[4] for k in ("self_lookups", "colleague_lookups") for r in hits(k)}
    on_roster = {nid for (_, nid) in roster}
    assert {r[4] for r in log.values() if r[4] in on_roster} == flagged_subjects  # the planted lists are exact
    for r in hits("after_hours_queries"):
        ts = _parse_ts(r[1], r[2])
        assert ts.weekday() >= 5 or not 8 <= ts.hour < 18
    assert any(_parse_ts(r[1], r[2]).weekday() >= 5 for r in hits("after_hours_queries"))
    odd = {k for k, r in log.items() if _parse_ts(r[1], r[2]).weekday() >= 5 or not 9 <= _parse_ts(r[1], r[2]).hour < 17}
    assert odd == {(q["agency_code"], q["account"], q["queried_at"]) for q in p["after_hours_queries"]}
    assert all(r[5] == "" or r[6] == "" for r in hits("missing_case_or_reason_queries"))
    assert len([r for r in log.values() if r[5] == "" or r[6] == ""]) == len(p["missing_case_or_reason_queries"])
    inactive = {r[0] for r in hits("inactive_account_queries")}
    assert inactive == {a for a, v in accounts.items() if a in {r[0] for r in log.values()}
                        and (v["狀態"] != "啟用" or v["在職狀態"] != "在職")}
    end_dt = datetime.combine(END, datetime.min.time())
    idle = sorted(a for a, v in accounts.items() if v["最後使用日期"]
                  and (end_dt - datetime.fromisoformat(v["最後使用日期"])).days > 200)
    assert idle == p["idle_accounts"] and not set(idle) & set(agencies_of)
    (dup,) = p["duplicate_accounts"]
    assert accounts[dup[0]]["員工編號"] == accounts[dup[1]]["員工編號"]
    assert p["shared_accounts"] == sorted(a for a, codes in agencies_of.items() if len(codes) > 1)
    for kind, zh in (("transferred", "調職"), ("resigned", "離職"), ("retired", "退休")):
        assert p[f"{kind}_accounts"] == sorted(a for a, v in accounts.items() if v["在職狀態"] == zh and v["狀態"] == "啟用")


def test_history_years_adds_sparse_months(tmp_path):
    m = generate(tmp_path, scale="demo", seed=7, end=END, history_years=5.5)
    months = {Path(f["path"]).stem.rsplit("_", 1)[1] for f in m["files"] if f["source"] == "punches"}
    assert "202105" in months and "202011" not in months  # 5.5 years back from 2026-11
    assert min(m for m in months if m.isdigit()) <= "202106"
    assert m["expected_rows"]["punches"] < 100_000


def test_cli_writes_into_the_given_home(tmp_path):
    from pdgov.cli import main

    assert main(["synth", "--home", str(tmp_path), "--seed", "3", "--end", "2026-10-05"]) == 0
    m = json.loads((tmp_path / "synth_manifest.json").read_text(encoding="utf-8"))
    assert (m["seed"], m["scale"], m["end"]) == (3, "demo", "2026-10-05")
    assert m["generated_by"].startswith("pdgov synth ")
