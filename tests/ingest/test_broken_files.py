"""Broken deliveries (issue #18): a truncated or corrupt workbook, a password-protected one, an old
binary .xls, an empty sheet, a header-only file, a 0-byte file. Each is refused with a reason a
steward understands (zh-TW and English), leaves landing for quarantine so it does not fail again
every night, and the rest of the night loads.

The broken files are built by hand from a real openpyxl workbook: cut short, bytes overwritten
inside a compressed member, or an OLE compound-file header (D0 CF 11 E0 A1 B1 1A E1) as Excel
97-2003 and encrypted workbooks start."""

from __future__ import annotations

import io
import struct
import zipfile

from ingest_run import ingest, query, xlsx

from pdgov.ingest import readers

DEV_H = ["設備編號", "機關代碼", "型號", "廠商", "廠牌", "廠牌國別", "原產地", "辨識方式", "內網", "連線方式", "通訊協定",
         "NCC審驗", "數位部通報", "委員會審查", "啟用日期", "紀錄容量", "儲存位置"]
ROW = ["D1", "379000000A", "AR", "茂旭", "Soyal", "臺灣", "臺灣", "指紋", "是", "RJ-45", "TCP", "是", "否", "核准",
       "2021-03-01", 20000, "機房"]
OLE = bytes.fromhex("D0CF11E0A1B11AE1")


_xlsx = xlsx


def _corrupt_member(data: bytes, member: str) -> bytes:
    """The workbook with bytes inside one member's compressed data overwritten: its directory is
    intact (it opens), the member fails only when its rows are read."""
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo(member)
    name_len, extra_len = struct.unpack("<HH", data[info.header_offset + 26:info.header_offset + 30])
    start = info.header_offset + 30 + name_len + extra_len
    mid = start + info.compress_size // 3
    return data[:mid] + b"\xff" * 24 + data[mid + 24:]


def _ole(*streams: str) -> bytes:
    """An OLE compound-file header with directory entry names (UTF-16LE) as the first sector."""
    body = b"".join(s.encode("utf-16-le") + b"\x00" * (64 - 2 * len(s)) + b"\x00" * 64 for s in streams)
    return OLE + b"\x3e\x00\x03\x00\xfe\xff" + b"\x00" * 498 + body + b"\x00" * 1024


GOOD = _xlsx([DEV_H, ROW])
BROKEN = {
    "truncated.xlsx": (GOOD[: len(GOOD) // 2], readers.DAMAGED),
    "corrupt.xlsx": (_corrupt_member(GOOD, "xl/worksheets/sheet1.xml"), readers.DAMAGED + " ("),
    "encrypted.xlsx": (_ole("Root Entry", "EncryptionInfo", "EncryptedPackage"), readers.ENCRYPTED),
    "old.xls": (_ole("Root Entry", "Workbook", "\x05SummaryInformation"), readers.OLD_XLS),
    "renamed-csv.xls": ("\n".join(",".join(map(str, r)) for r in (DEV_H, ROW)).encode(), readers.OLD_XLS),
    "text.xlsx": (b"<html><table></table></html>", readers.NOT_EXCEL),
    "empty-sheet.xlsx": (_xlsx([]), readers.NO_DATA),
    "header-only.xlsx": (_xlsx([DEV_H]), "只有標題列，沒有資料 / file has a header but no data rows"),
    "header-only.csv": ((",".join(DEV_H) + "\n").encode(), "只有標題列，沒有資料 / file has a header but no data rows"),
    "zero.xlsx": (b"", readers.EMPTY),
}


def test_reasons_say_what_to_do_in_both_languages():
    for reason in (readers.EMPTY, readers.ENCRYPTED, readers.OLD_XLS, readers.DAMAGED, readers.NOT_EXCEL,
                   readers.NO_DATA):
        zh, en = reason.split(" / ")
        assert zh and not zh.isascii() and en.isascii(), reason


def test_each_broken_file_is_refused_quarantined_and_the_night_goes_on(pdgov_home):
    landing = pdgov_home.landing_for("devices")
    for name, (data, _) in BROKEN.items():
        (landing / name).write_bytes(data)
    (landing / "good.xlsx").write_bytes(GOOD)
    (landing / "zz-zero.csv").write_bytes(b"")  # the same (empty) bytes as zero.xlsx, the same night
    result = ingest("devices")
    status = {o["file_name"]: o["status"] for o in result["file_list"]}
    assert status == {**{n: "rejected" for n in BROKEN}, "good.xlsx": "loaded",
                      "zz-zero.csv": "skipped (rejected before)"}
    assert query(pdgov_home, "SELECT device_id FROM raw.devices") == [("D1",)]
    reasons = dict(query(pdgov_home, "SELECT file_name, reason FROM main.ingest_rejections"))
    assert set(reasons) == set(BROKEN)
    for name, (_, want) in BROKEN.items():
        assert reasons[name].startswith(want), (name, reasons[name])
    assert not list(landing.iterdir()), "broken files must leave landing"
    kept = {p.name.split("__", 1)[1] for p in pdgov_home.quarantine.joinpath("devices").iterdir()}
    assert kept == {*BROKEN, *(f"{n}.rejections.txt" for n in BROKEN), "zz-zero.csv", "zz-zero.csv.rejections.txt"}
    report = next(pdgov_home.quarantine.joinpath("devices").glob("*__encrypted.xlsx.rejections.txt"))
    assert f"line -, column -: {readers.ENCRYPTED}" in report.read_text("utf-8")

    # The same bytes delivered again the next night: recognised, not refused or reported twice.
    for name, (data, _) in BROKEN.items():
        (landing / name).write_bytes(data)
    again = ingest("devices")
    assert (again["files"], again["files_rejected"], again["files_skipped"]) == (0, 0, len(BROKEN))
    assert query(pdgov_home, "SELECT count(*) FROM main.ingest_rejections") == [(len(BROKEN),)]
    assert not list(landing.iterdir())


def test_a_broken_workbook_that_carries_an_id_is_not_kept(pdgov_home):
    """A truncated workbook cannot be read to pseudonymise it: if its readable bytes show an ID, a
    note is kept instead of the file."""
    from ingest_ids import REFERENCE

    nid = REFERENCE[12][0]
    data = _xlsx([DEV_H, [*ROW[:-1], f"管理人 {nid}"]])
    # stored, not deflated, so the ID is in the bytes that survive the cut
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as dst:
        for item in src.infolist():
            dst.writestr(item.filename, src.read(item.filename))
    stored = buf.getvalue()
    (pdgov_home.landing_for("devices") / "cut.xlsx").write_bytes(stored[: len(stored) - 200])
    assert ingest("devices")["files_rejected"] == 1
    kept, = (p for p in pdgov_home.quarantine.joinpath("devices").iterdir() if not p.name.endswith(".rejections.txt"))
    assert kept.name.endswith("__cut.xlsx.withheld.txt")
    assert nid.encode() not in kept.read_bytes()
