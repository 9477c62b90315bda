"""Defaults installed by a data migration; administrators change them afterwards in the pages (扶贫标准, 程序定义).

Sources: docs/domain-facts.md §3.1 (lines; 2017–2019 figures are unconfirmed and marked so), §3.2 and §3.3
(the national "两公示一公告" flow, village notice at least 7 days, household acknowledgement before exit).
"""

from fupin.regions.models import Level

# (kind, year, amount, document)
LINES = [
    ("poverty", 2011, 2536, "国家扶贫标准（2010年不变价2300元）当年价"),
    ("poverty", 2012, 2625, "国家扶贫标准当年价"),
    ("poverty", 2013, 2736, "国家扶贫标准当年价（2014年建档立卡识别标准）"),
    ("poverty", 2014, 2800, "国家扶贫标准当年价"),
    ("poverty", 2015, 2855, "国家扶贫标准当年价"),
    ("poverty", 2016, 2952, "国家扶贫标准当年价"),
    ("poverty", 2017, 2952, "国家扶贫标准当年价（待核实）"),
    ("poverty", 2018, 2995, "国家扶贫标准当年价（待核实）"),
    ("poverty", 2019, 3218, "国家扶贫标准当年价（待核实）"),
    ("poverty", 2020, 4000, "国家扶贫标准当年价（约4000元）"),
    ("monitoring", 2021, 6000, "防返贫监测范围全国底线（1.5倍扶贫标准）"),
]

ATTACHMENT_KINDS = [
    ("application", "户申请书"),
    ("minutes", "民主评议会议记录"),
    ("income", "收支测算表"),
    ("acknowledgement", "户签字确认书"),
    ("survey", "入户核实表"),
    ("notice_photo", "公示现场照片"),
    ("photo", "现场照片"),
    ("certificate", "证明材料"),
    ("approval", "审批文件"),
    ("other", "其他"),
]

# kind → (name, description, [(name, actor level, deadline days, required attachment kinds, notice days)])
DEFINITIONS = {
    "identification": ("贫困户识别纳入", "户申请、村民主评议、村公示、乡镇审核、县审批公告（两公示一公告）", [
        ("户申请", Level.VILLAGE, 7, "application", 0),
        ("村民主评议", Level.VILLAGE, 7, "minutes", 0),
        ("村公示", Level.VILLAGE, 10, "", 7),
        ("乡镇审核", Level.TOWNSHIP, 10, "survey", 0),
        ("县审批公告", Level.COUNTY, 10, "", 0),
    ]),
    "exit": ("贫困户脱贫退出", "收支测算与民主评议、户签字认可、村公示、乡镇入户核实、县审批公告", [
        ("收支测算与民主评议", Level.VILLAGE, 7, "income,minutes", 0),
        ("户签字认可", Level.VILLAGE, 5, "acknowledgement", 0),
        ("村公示", Level.VILLAGE, 10, "", 7),
        ("乡镇入户核实", Level.TOWNSHIP, 10, "survey", 0),
        ("县审批公告", Level.COUNTY, 10, "", 0),
    ]),
    "return": ("返贫纳入", "户申请、村民主评议、村公示、乡镇审核、县审批（返贫即入）", [
        ("户申请", Level.VILLAGE, 7, "application", 0),
        ("村民主评议", Level.VILLAGE, 7, "minutes", 0),
        ("村公示", Level.VILLAGE, 10, "", 7),
        ("乡镇审核", Level.TOWNSHIP, 10, "survey", 0),
        ("县审批", Level.COUNTY, 10, "", 0),
    ]),
    "natural": ("自然变更", "出生、死亡、嫁娶、迁入迁出、分户合户、整户消亡：村登记核实、乡镇审核、县审批", [
        ("村登记核实", Level.VILLAGE, 7, "certificate", 0),
        ("乡镇审核", Level.TOWNSHIP, 7, "", 0),
        ("县审批", Level.COUNTY, 7, "", 0),
    ]),
}
