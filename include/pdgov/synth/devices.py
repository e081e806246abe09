"""The attendance devices: the citywide inventory (XLSX), with the planted PRC-brand, PRC-part,
unknown-origin and over-capacity units, and a delivery carrying biometric templates."""

from __future__ import annotations

from datetime import date

from pdgov.synth.catalog import (
    BIOMETRIC_ZH,
    DEVICE_HEADER,
    DEVICE_TYPES,
    DEVICES_PER_AGENCY,
    IMPLICATED_MODEL,
    KIND_LIST,
    MODEL_OF,
    SMALL_CAPACITY,
)
from pdgov.synth.writer import Writer


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
            planted.setdefault("device_kind", {})[dev_id] = kind
            if kind in KIND_LIST:
                planted[KIND_LIST[kind]].append(dev_id)
            if model == IMPLICATED_MODEL:
                planted["devices_of_implicated_model"].append(dev_id)
    return devices, method_of


def model_of(devices: list[list], dev_id: str) -> str:
    return next(r[2] for r in devices if r[0] == dev_id)


def write_devices(w: Writer, end: date, devices: list[list], per_device: dict[str, int], planted: dict) -> None:
    """The citywide inventory (XLSX), and a delivery with a template column that must be refused."""
    planted["over_capacity_devices"] = sorted(r[0] for r in devices if per_device.get(r[0], 0) > r[17])
    w.xlsx("devices", f"差勤設備清冊_{end:%Y%m%d}.xlsx", DEVICE_HEADER, devices)
    # A delivery that carries biometric templates: refused whole, the header (line 1) names the column.
    w.xlsx("devices", "差勤設備清冊_含特徵值.xlsx", [*DEVICE_HEADER, "特徵值"],
           [[*devices[0], "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo="]], expect="rejected",
           rejections=[{"line_no": 1, "column": "特徵值", "reason_contains": "biometric"}])
    write_committee_decisions(w, devices, planted)


#: The committee's decisions file (issue 23): its header as the committee secretariat writes it.
DECISION_HEADER = ["設備編號", "型號", "決議", "會議日期", "文號"]


def write_committee_decisions(w: Writer, devices: list[list], planted: dict) -> None:
    """The committee's own record of what it approved and rejected (seed 000 貳二): the source of approval.

    Every device the inventory marks 核准 or 不核准 gets its decision here, so the demo keeps its approved and
    rejected devices, and the FACE8 model is suspended (a decision on a model: every device of it); dates in
    the ROC calendar as the secretariat writes them (113/03/15)."""
    word = {"approved": "核准", "rejected": "不核准"}
    rows = [[r[0], "", word[planted["device_kind"][r[0]]], f"113/03/{15 + i % 2:02d}", f"府資治字第{1130030001 + i}號"]
            for i, r in enumerate(r for r in devices if planted["device_kind"].get(r[0]) in word)]
    # Seed 003: after the FACE8 news (2026-01-06) the committee suspends the whole model, by 型號 not by device.
    rows.append(["", IMPLICATED_MODEL, "暫停使用", "115/01/08", "府資治字第1150010001號"])
    for dev_id, kind in planted["device_kind"].items():
        if kind == "prc_part" and model_of(devices, dev_id) == IMPLICATED_MODEL:
            planted["device_kind"][dev_id] = "prc_part_suspended"
    w.csv("committee_decisions", "資料治理委員會決議_113.csv", DECISION_HEADER, rows)
