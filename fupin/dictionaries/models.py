from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    """The coded fields of the registry; each is a code table (代码表) an administrator can edit."""

    HOUSEHOLD_CATEGORY = "household_category", _("贫困户属性")
    HOUSEHOLD_TYPE = "household_type", _("户类型")
    HOUSEHOLD_STATUS = "household_status", _("户状态")
    MONITORING_KIND = "monitoring_kind", _("监测对象类别")
    IDENTIFICATION_STANDARD = "identification_standard", _("识别标准")
    POVERTY_CAUSE = "poverty_cause", _("致贫原因")
    RELATION = "relation", _("与户主关系")
    ETHNICITY = "ethnicity", _("民族")
    POLITICAL_STATUS = "political_status", _("政治面貌")
    EDUCATION = "education", _("文化程度")
    SCHOOLING = "schooling", _("在校生状况")
    HEALTH = "health", _("健康状况")
    LABOUR_SKILL = "labour_skill", _("劳动技能")
    WORK_LOCATION = "work_location", _("务工状况")
    ROAD_TYPE = "road_type", _("入户路类型")
    FUEL_TYPE = "fuel_type", _("主要燃料类型")
    HOUSE_GRADE = "house_grade", _("危房等级")
    SEX = "sex", _("性别")
    NOTICE_HEALTH_WORD = "notice_health_word", _("公示禁用健康用语")


class Entry(models.Model):
    """One code of a code table: a stable code stored in records, and the label users see."""

    kind = models.CharField(_("代码表"), max_length=32, choices=Kind.choices, db_index=True)
    code = models.CharField(_("代码"), max_length=16)
    label = models.CharField(_("名称"), max_length=50)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("代码")
        verbose_name_plural = _("代码表")
        ordering = ["kind", "sort_order", "code"]
        constraints = [models.UniqueConstraint(fields=["kind", "code"], name="dictionary_entry_unique_code")]

    def __str__(self):
        return f"{self.code} {self.label}"
