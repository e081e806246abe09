"""What the synthetic city is made of: agencies, names, headers as agencies export them, device
types (with the PRC brands and parts the committee must find) and the lists of planted facts."""

from __future__ import annotations

AGENCIES = [
    ("379000000A", "臺北市政府"),
    ("379130000C", "臺北市政府人事處"),
    ("379150000G", "臺北市政府資訊局"),
    ("379430000K", "臺北市政府工務局公園路燈工程管理處"),
    ("379620000W", "臺北市大安區公所"),
    ("379100000E", "臺北市政府勞工局"),
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

PLANTED_LISTS = (
    "prc_brand_devices", "prc_part_devices", "unknown_origin_devices", "approved_devices",
    "devices_of_implicated_model", "colleague_lookups", "self_lookups", "after_hours_queries",
    "missing_case_or_reason_queries", "inactive_account_queries", "idle_accounts", "duplicate_accounts",
    "shared_accounts", "transferred_accounts", "resigned_accounts", "retired_accounts", "incident_ids",
    "over_capacity_devices")

IMPLICATED_MODEL = "FACE8"

KIND_LIST = {"prc_brand": "prc_brand_devices", "prc_part": "prc_part_devices",
             "unknown_origin": "unknown_origin_devices", "approved": "approved_devices"}
