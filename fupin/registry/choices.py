"""Names for the codes the rules test. The codes and their labels live in the code tables (fupin.dictionaries, where
administrators edit the labels; the enumerations are those of docs/domain-facts.md §8); these classes only give the
codes that code compares against a name, and name the groups the rules use. Stored values are the codes themselves.
"""

from enum import StrEnum, nonmember


class HouseholdStatus(StrEnum):
    """户状态 (code table ``household_status``): the 建档立卡 status. Blank on a household that was never on the
    建档立卡 register (a 一般农户 entered by the village): it is in none of the groups below, so every rule reads it
    as "not on the register"."""

    POOR = "1"  # 未脱贫
    EXITED = "2"  # 已脱贫
    RETURNED = "3"  # 返贫
    NEW = "4"  # 新识别
    CLEARED = "5"  # 清退
    CANCELLED = "6"  # 注销

    # In the class body the names above are still their plain codes, so each group is a tuple of codes (tuples, so
    # SQL built from them reads the same every run).
    # 建档立卡贫困户 still in poverty: the households an exit applies to.
    IN_POVERTY = nonmember((POOR, RETURNED, NEW))
    # On the register: the poor and the exited; cleared (清退) and cancelled (注销) households are off it.
    REGISTERED = nonmember((POOR, EXITED, RETURNED, NEW))
    OFF_REGISTER = nonmember((CLEARED, CANCELLED))


class HouseholdCategory(StrEnum):
    """贫困户属性 (code table ``household_category``): an attribute of a 建档立卡 household only.

    Code "4" 一般农户 is retired: whether a household is an ordinary farmer is its 户类型 (``HouseholdType``), not an
    attribute of a poor household. Migration registry 0004 moved the rows that held it to 户类型 一般农户 with a
    blank 贫困户属性, and dictionaries 0004 disabled the code so forms and imports no longer offer it; the name stays
    so that old data (and workbooks made before) still read.
    """

    ORDINARY_POOR = "1"  # 一般贫困户
    DIBAO = "2"  # 低保贫困户
    TEKUN = "3"  # 特困供养贫困户
    ORDINARY = "4"  # 一般农户 (retired, see above)

    POOR = nonmember((ORDINARY_POOR, DIBAO, TEKUN))


class HouseholdType(StrEnum):
    """户类型 (code table ``household_type``, docs/domain-facts.md §0 and §8): the population type every rural
    household has. It follows the 建档立卡 status (``type_for_status``): 一般农户 when never registered or cleared
    (清退), 脱贫户 once exited, 贫困户 while in poverty; 注销 keeps the type the household had."""

    ORDINARY = "1"  # 一般农户
    EXITED = "2"  # 脱贫户
    POOR = "3"  # 建档立卡贫困户（未脱贫）


def type_for_status(status: str, current: str = HouseholdType.ORDINARY) -> str:
    """The 户类型 a household has under a 户状态; ``current`` is kept where the status does not decide (注销)."""
    if status in HouseholdStatus.IN_POVERTY:
        return HouseholdType.POOR
    if status == HouseholdStatus.EXITED:
        return HouseholdType.EXITED
    if status == HouseholdStatus.CANCELLED:
        return current
    return HouseholdType.ORDINARY


class MonitoringKind(StrEnum):
    """监测对象类别 (code table ``monitoring_kind``, docs/domain-facts.md §2.2), the same codes as monitoring's
    ``MonitoredKind``; blank on a household that is not monitored. Which 户类型 each kind may be given to is
    ``KINDS_FOR_TYPE``."""

    UNSTABLE = "1"  # 脱贫不稳定户
    EDGE = "2"  # 边缘易致贫户
    SUDDEN = "3"  # 突发严重困难户


# 中农组发〔2021〕7号 (docs/domain-facts.md §2.2): 脱贫不稳定户 are 脱贫户, 边缘易致贫户 are 一般农户, 突发严重困难户 either;
# a 贫困户 not yet exited is not a monitoring object.
KINDS_FOR_TYPE = {
    HouseholdType.ORDINARY: (MonitoringKind.EDGE, MonitoringKind.SUDDEN),
    HouseholdType.EXITED: (MonitoringKind.UNSTABLE, MonitoringKind.SUDDEN),
    HouseholdType.POOR: (),
}


class Relation(StrEnum):
    """与户主关系 (code table ``relation``): the two relations rules test (the others are only labelled)."""

    HEAD = "01"  # 户主
    SPOUSE = "10"  # 配偶

class IdentificationStandard(StrEnum):
    """识别标准 (code table ``identification_standard``): whose poverty line a household was identified under."""

    NATIONAL = "1"  # 国家标准
    PROVINCIAL = "2"  # 省定标准
    MUNICIPAL = "3"  # 市定标准 (a city's or a county's line)


class Schooling(StrEnum):
    """在校生状况 (code table ``schooling``), the codes of pupils and students: 小学 onward (学龄前儿童 "01" and
    学前教育 "02" are not at school)."""

    PRIMARY = "03"  # 小学
    GRADE_7 = "04"  # 七年级
    GRADE_8 = "05"  # 八年级
    GRADE_9 = "06"  # 九年级
    HIGH_SCHOOL = "07"  # 普通高中
    VOCATIONAL = "08"  # 中职
    HIGHER_VOCATIONAL = "09"  # 高职高专
    TECHNICIAN = "10"  # 技师学院
    UNDERGRADUATE = "11"  # 本科
    POSTGRADUATE = "12"  # 硕士研究生及以上

    IN_SCHOOL = nonmember((PRIMARY, GRADE_7, GRADE_8, GRADE_9, HIGH_SCHOOL, VOCATIONAL, HIGHER_VOCATIONAL,
                           TECHNICIAN, UNDERGRADUATE, POSTGRADUATE))


class Health(StrEnum):
    """健康状况 (code table ``health``); a member's field holds several, comma-separated."""

    HEALTHY = "1"  # 健康
    CHRONIC = "2"  # 长期慢性病
    SERIOUS_ILLNESS = "3"  # 患有大病
    DISABLED = "4"  # 残疾

    # What excuses a child of compulsory-school age from school ("除身体原因外").
    EXCUSES_SCHOOL = nonmember((SERIOUS_ILLNESS, DISABLED))


class LabourSkill(StrEnum):
    """劳动技能 (code table ``labour_skill``)."""

    ORDINARY = "1"  # 普通劳动力
    SKILLED = "2"  # 技能劳动力
    WEAK = "3"  # 弱劳动力或半劳动力
    LOST = "4"  # 丧失劳动力
    NONE = "5"  # 无劳动力

    LABOURER = nonmember((ORDINARY, SKILLED))
    ABLE_TO_WORK = nonmember((ORDINARY, SKILLED, WEAK))


class HouseGrade(StrEnum):
    """危房等级 (code table ``house_grade``)."""

    A = "A"  # 安全
    B = "B"  # 基本安全
    C = "C"  # 局部危房
    D = "D"  # 整幢危房

    DANGEROUS = nonmember((C, D))
