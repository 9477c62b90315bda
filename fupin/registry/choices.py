"""Names for the codes the rules test. The codes and their labels live in the code tables (fupin.dictionaries, where
administrators edit the labels); these classes only give the codes that code compares against a name, and name
the groups the rules use. Stored values are the codes themselves.
"""

from enum import StrEnum, nonmember


class HouseholdStatus(StrEnum):
    """户状态 (code table ``household_status``)."""

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
    """贫困户属性 (code table ``household_category``)."""

    ORDINARY_POOR = "1"  # 一般贫困户
    DIBAO = "2"  # 低保贫困户
    TEKUN = "3"  # 特困供养贫困户
    ORDINARY = "4"  # 一般农户

    POOR = nonmember((ORDINARY_POOR, DIBAO, TEKUN))
