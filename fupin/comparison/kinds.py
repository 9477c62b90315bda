"""Built-in data set kinds (数据类型) with stable codes, their columns, and header matching.

Codes are an interface (CLI ``--kind``, API, rules) and never change; names, aliases and retention may be edited
by administrators, who can also add kinds of their own. ``sync_builtin_kinds`` writes these definitions after
every migrate, adding missing kinds and fields without overwriting what an administrator changed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .models import DatasetKind, KindField

ID_FIELD = "id_number"
NAME_FIELD = "name"
# id_number and name have their own columns in DatasetRow; every other field goes into DatasetRow.data.
STORED_COLUMNS = (ID_FIELD, NAME_FIELD)
FIELD_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")

ID_ALIASES = ("身份证号", "身份证号码", "证件号码", "公民身份号码", "居民身份证号码", "身份证", "证件号", "身份号码",
              "社会保障号码", "公民身份证号")
NAME_ALIASES = ("姓名", "人员姓名", "名字")


@dataclass(frozen=True)
class F:
    name: str
    label: str
    type: str = "text"
    aliases: tuple[str, ...] = ()
    required: bool = False


@dataclass(frozen=True)
class Kind:
    code: str
    name: str
    department: str
    description: str
    full_list: bool
    fields: tuple[F, ...]
    id_aliases: tuple[str, ...] = ()
    name_aliases: tuple[str, ...] = ()
    retention_days: int = 365
    all_fields: tuple[F, ...] = field(init=False, repr=False)

    def __post_init__(self):
        standard = (
            F(ID_FIELD, "证件号码", aliases=self.id_aliases + ID_ALIASES, required=True),
            F(NAME_FIELD, "姓名", aliases=self.name_aliases + NAME_ALIASES),
        )
        object.__setattr__(self, "all_fields", standard + self.fields)


BUILTIN_KINDS: tuple[Kind, ...] = (
    Kind("death", "死亡人员", "公安、民政、卫健", "死亡登记、殡葬火化或户籍注销的死亡人员记录。", False, (
        F("death_date", "死亡日期", "date", ("死亡日期", "死亡时间", "死亡年月日")),
        F("death_place", "死亡地点", aliases=("死亡地点", "死亡地址")),
        F("cancel_date", "户籍注销日期", "date", ("注销日期", "销户日期", "户籍注销日期")),
    ), id_aliases=("死者身份证号", "死者身份证号码"), name_aliases=("死者姓名", "死亡人员姓名")),
    Kind("dibao", "低保对象", "民政", "正在享受最低生活保障的人员名单（全量）。", True, (
        F("dibao_type", "保障类别", aliases=("保障类别", "低保类别", "保障类型", "城乡类别")),
        F("family_head", "户主姓名", aliases=("户主姓名", "户主")),
        F("amount", "月保障金额（元）", "number", ("月保障金额", "保障金额", "低保金", "月低保金", "发放金额")),
        F("start_date", "享受起始日期", "date", ("享受起始日期", "纳入时间", "审批日期", "起始日期", "享受日期")),
    )),
    Kind("tekun", "特困供养人员", "民政", "在册特困供养人员名单（全量）。", True, (
        F("support_type", "供养方式", aliases=("供养方式", "供养形式")),
        F("amount", "月供养金额（元）", "number", ("供养金额", "月供养金", "供养金")),
        F("start_date", "纳入日期", "date", ("纳入日期", "认定日期", "审批日期", "起始日期")),
    )),
    Kind("medical_insurance", "医保参保人员", "医保", "城乡居民（或职工）基本医疗保险参保名单（全量）。", True, (
        F("insurance_type", "险种", aliases=("险种", "参保险种", "险种类型")),
        F("insured_status", "参保状态", aliases=("参保状态", "缴费状态", "人员参保状态")),
        F("year", "参保年度", aliases=("参保年度", "年度", "缴费年度")),
        F("insured_place", "参保地", aliases=("参保地", "参保地区", "参保单位")),
    ), name_aliases=("参保人姓名",)),
    Kind("hospital_bill", "住院费用", "医保", "住院（及门诊慢特病）结算记录，每次结算一行。", False, (
        F("hospital", "医疗机构", aliases=("医疗机构", "就诊机构", "医院名称", "定点医疗机构")),
        F("admission_date", "入院日期", "date", ("入院日期", "入院时间", "就诊日期")),
        F("discharge_date", "出院日期", "date", ("出院日期", "出院时间", "结算日期")),
        F("diagnosis", "诊断", aliases=("诊断", "疾病名称", "出院诊断", "病种")),
        F("total_cost", "医疗总费用（元）", "number", ("医疗总费用", "总费用", "费用总额")),
        F("reimbursed", "报销金额（元）", "number", ("报销金额", "统筹支付", "基金支付", "报销合计")),
        F("out_of_pocket", "个人自付（元）", "number", ("个人自付", "自付金额", "个人负担", "个人支付", "合规自付")),
        F("in_policy_cost", "政策范围内医疗费用（元）", "number",
          ("政策范围内费用", "政策范围内医疗费用", "政策范围内总费用", "政策内费用", "合规费用", "合规医疗费用")),
        F("in_policy_self_pay", "政策范围内个人自付（元）", "number",
          ("政策范围内个人自付", "政策范围内个人负担", "政策内自付", "合规个人自付")),
    ), name_aliases=("患者姓名", "参保人姓名")),
    Kind("school_enrolment", "学籍", "教育", "在读学生学籍名单（全量，含外地就读的本县户籍学生时更准确）。", True, (
        F("school", "学校", aliases=("学校", "学校名称", "就读学校")),
        F("grade", "年级", aliases=("年级", "就读年级", "在读年级")),
        F("student_status", "学籍状态", aliases=("学籍状态", "在校状态", "学生状态")),
        F("stage", "学段", aliases=("学段", "教育阶段")),
    ), name_aliases=("学生姓名",)),
    Kind("dangerous_house", "危房鉴定", "住建", "农村房屋安全鉴定结果，每户一行（房屋所有人）。", True, (
        F("grade", "鉴定等级", aliases=("鉴定等级", "危房等级", "房屋等级", "安全等级")),
        F("address", "房屋地址", aliases=("房屋地址", "房屋坐落", "住址", "地址")),
        F("appraisal_date", "鉴定日期", "date", ("鉴定日期", "鉴定时间")),
        F("renovation", "改造情况", aliases=("改造情况", "改造状态", "是否改造")),
    ), id_aliases=("户主身份证号", "户主身份证号码", "房屋所有人身份证号"), name_aliases=("户主姓名", "房屋所有人", "户主")),
    Kind("vehicle", "机动车登记", "公安交管", "登记在本人名下的机动车。", True, (
        F("plate_number", "号牌号码", aliases=("号牌号码", "车牌号", "车牌号码")),
        F("vehicle_type", "车辆类型", aliases=("车辆类型", "车型")),
        F("use_nature", "使用性质", aliases=("使用性质",)),
        F("brand", "品牌型号", aliases=("品牌型号", "车辆品牌", "中文品牌")),
        F("register_date", "初次登记日期", "date", ("初次登记日期", "登记日期", "注册日期")),
        F("vehicle_status", "机动车状态", aliases=("机动车状态", "车辆状态", "状态")),
    ), id_aliases=("所有人身份证明号码", "身份证明号码"), name_aliases=("机动车所有人", "所有人", "车主")),
    Kind("business", "市场主体登记", "市场监管", "企业、个体工商户的法定代表人、经营者和出资人。", True, (
        F("business_name", "市场主体名称", aliases=("市场主体名称", "企业名称", "名称", "字号名称")),
        F("credit_code", "统一社会信用代码", aliases=("统一社会信用代码", "注册号", "信用代码")),
        F("role", "人员身份", aliases=("人员身份", "人员类型", "身份", "职务")),
        F("business_status", "登记状态", aliases=("登记状态", "经营状态", "企业状态")),
        F("registered_capital", "注册资本（万元）", "number", ("注册资本", "注册资金", "出资额")),
        F("established", "成立日期", "date", ("成立日期", "登记日期")),
    ), id_aliases=("法定代表人证件号码", "经营者身份证号"), name_aliases=("法定代表人", "经营者姓名", "经营者")),
    Kind("real_estate", "不动产登记", "自然资源、房管", "登记在本人名下的房屋（商品房、商铺等）。", True, (
        F("property_address", "坐落", aliases=("坐落", "房屋坐落", "不动产坐落", "房屋地址")),
        F("usage", "用途", aliases=("用途", "房屋用途", "规划用途")),
        F("property_type", "房屋性质", aliases=("房屋性质", "权利性质", "房屋类型")),
        F("area", "建筑面积（㎡）", "number", ("建筑面积", "面积")),
        F("register_date", "登记日期", "date", ("登记日期", "登簿日期")),
    ), id_aliases=("权利人证件号", "权利人证件号码"), name_aliases=("权利人", "权利人姓名")),
    Kind("public_employee", "财政供养人员", "财政、组织、人社", "机关事业单位在编在岗及财政发放工资人员。", True, (
        F("employer", "工作单位", aliases=("工作单位", "单位名称", "单位")),
        F("position", "职务岗位", aliases=("职务", "岗位", "职务岗位")),
        F("payroll_type", "人员类别", aliases=("人员类别", "供养类型", "编制类型", "人员身份")),
        F("monthly_salary", "月工资（元）", "number", ("月工资", "应发工资", "工资")),
    )),
    Kind("household_registration", "户籍人口", "公安", "户籍人口信息（全量），用于核对在册人员户籍。", True, (
        F("hukou_no", "户号", aliases=("户号",)),
        F("relation", "与户主关系", aliases=("与户主关系",)),
        F("hukou_address", "户籍地址", aliases=("户籍地址", "住址", "户籍地详址")),
        F("hukou_status", "人口状态", aliases=("人口状态", "户口状态", "户籍状态")),
    )),
    Kind("disability", "持证残疾人", "残联", "第二代残疾人证持证人员（全量）。", True, (
        F("cert_number", "残疾人证号", aliases=("残疾人证号", "残疾证号")),
        F("disability_category", "残疾类别", aliases=("残疾类别", "残疾类型")),
        F("disability_grade", "残疾等级", aliases=("残疾等级",)),
        F("issue_date", "发证日期", "date", ("发证日期", "办证日期")),
    )),
    Kind("poverty_register", "外地建档立卡人员", "乡村振兴（上级下发）", "其他县市建档立卡或监测对象人员名单，用于查找一人两地登记。", True, (
        F("household_number", "户编号", aliases=("户编号",)),
        F("region_code", "所在地区划代码", aliases=("区划代码", "所在地区划代码", "行政区划代码")),
        F("region_name", "所在地", aliases=("所在地", "所在地区", "地址", "省市县乡村")),
        F("status", "户状态", aliases=("户状态", "贫困户状态")),
    )),
)

BUILTIN_BY_CODE = {kind.code: kind for kind in BUILTIN_KINDS}

# The departments whose accounts upload and read each kind: a department account's ``department`` is one of these
# codes (the reverse lists in reverse.py use the same ones). The 外地建档立卡 list comes from the level above
# through the county office, so no department owns it.
BUILTIN_OWNERS: dict[str, tuple[str, ...]] = {
    "death": ("公安", "民政", "卫健"),
    "dibao": ("民政",),
    "tekun": ("民政",),
    "medical_insurance": ("医保",),
    "hospital_bill": ("医保",),
    "school_enrolment": ("教育",),
    "dangerous_house": ("住建",),
    "vehicle": ("公安",),
    "business": ("市场监管",),
    "real_estate": ("自然资源", "住建"),
    "public_employee": ("财政", "组织", "人社"),
    "household_registration": ("公安",),
    "disability": ("残联",),
    "poverty_register": (),
}


def sync_builtin_kinds(**_kwargs) -> None:
    """Create missing built-in kinds and fields; leave existing ones (and administrators' edits) alone."""
    for spec in BUILTIN_KINDS:
        kind, _created = DatasetKind.objects.get_or_create(
            code=spec.code,
            defaults={"name": spec.name, "department": spec.department, "description": spec.description,
                      "departments": "、".join(BUILTIN_OWNERS[spec.code]),
                      "full_list": spec.full_list, "retention_days": spec.retention_days, "builtin": True},
        )
        existing = set(kind.fields.values_list("name", flat=True))
        KindField.objects.bulk_create([
            KindField(kind=kind, name=f.name, label=f.label, type=f.type, required=f.required,
                      aliases="、".join(f.aliases), position=position)
            for position, f in enumerate(spec.all_fields) if f.name not in existing
        ])


# --- header matching -------------------------------------------------------------------------------------------

_HEADER_NOISE = re.compile(r"[\s\u3000*＊:：]|[（(](必填|选填|必须|可选)[)）]")


def header_key(text: str) -> str:
    """Headers compare without spaces, required-marks and colons, with full-width brackets folded."""
    return _HEADER_NOISE.sub("", str(text or "")).replace("（", "(").replace("）", ")").lower()


def auto_mapping(fields, header: list[str], remembered: dict[str, str] | None = None) -> dict[str, int]:
    """field name → column index, from the kind's remembered headers, then exact aliases, then contained ones.

    ``fields`` are objects with ``name``, ``label`` and ``alias_list`` (KindField rows). Each column and each
    field is used once; an exact match anywhere beats a partial one.
    """
    keys = [header_key(h) for h in header]
    mapping: dict[str, int] = {}
    used: set[int] = set()

    def take(name: str, index: int):
        if name not in mapping and index not in used:
            mapping[name] = index
            used.add(index)

    names = {f.name for f in fields}
    for header_text, name in (remembered or {}).items():
        key = header_key(header_text)
        if name in names and key in keys:
            take(name, keys.index(key))
    candidates = {f.name: [header_key(a) for a in (f.label, *f.alias_list) if header_key(a)] for f in fields}
    for name, aliases in candidates.items():
        for alias in aliases:
            if alias in keys:
                take(name, keys.index(alias))
                break
    for name, aliases in candidates.items():
        for alias in sorted(aliases, key=len, reverse=True):
            index = next((i for i, key in enumerate(keys) if alias in key and i not in used), None)
            if index is not None:
                take(name, index)
                break
    return mapping
