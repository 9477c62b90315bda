from django.db import models
from django.utils.translation import gettext_lazy as _

from fupin.core.scope import ScopedQuerySet


class Level(models.IntegerChoices):
    PROVINCE = 1, _("省")
    CITY = 2, _("市")
    COUNTY = 3, _("县")
    TOWNSHIP = 4, _("乡镇")
    VILLAGE = 5, _("村")


# Significant digits of a 12-digit statistical code at each level (2+2+2+3+3).
PREFIX_LENGTH = {Level.PROVINCE: 2, Level.CITY: 4, Level.COUNTY: 6, Level.TOWNSHIP: 9, Level.VILLAGE: 12}


def code_prefix(code: str, level: int) -> str:
    return code[: PREFIX_LENGTH[level]]


def region_prefix(code: str) -> str:
    """The scope prefix of a region code (a township's first 9 digits …); an unknown code filters as typed."""
    if not code:
        return ""
    level = Region.objects.filter(code=code).values_list("level", flat=True).first()
    return code_prefix(code, level) if level else code


def parent_code(code: str, level: int) -> str | None:
    """Code of the enclosing region one level up, padded back to 12 digits."""
    if level == Level.PROVINCE:
        return None
    keep = PREFIX_LENGTH[level - 1]
    return code[:keep] + "0" * (12 - keep)


class Region(models.Model):
    """行政区划: a node of the 省/市/县/乡镇/村 tree, keyed by its 12-digit statistical code.

    Data scope is a prefix test on the code (a county is its first 6 digits, a township its first 9).
    """

    code = models.CharField(_("区划代码"), max_length=12, primary_key=True)
    name = models.CharField(_("名称"), max_length=100)
    level = models.PositiveSmallIntegerField(_("级别"), choices=Level.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    is_poor_village = models.BooleanField(_("贫困村"), default=False)
    exit_year = models.PositiveSmallIntegerField(_("出列年度"), null=True, blank=True)
    urban_rural_code = models.CharField(_("城乡分类代码"), max_length=3, blank=True)
    active = models.BooleanField(_("有效"), default=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "code"

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["code"]

    def __str__(self):
        return self.name

    @property
    def prefix(self) -> str:
        return code_prefix(self.code, self.level)

    def path(self) -> list["Region"]:
        """Ancestors from the top down, ending with this region."""
        codes = []
        level = self.level
        code = self.code
        while level > Level.PROVINCE:
            code = parent_code(code, level)
            level -= 1
            codes.append(code)
        ancestors = {r.code: r for r in Region.objects.filter(code__in=codes)}
        return [ancestors[c] for c in reversed(codes) if c in ancestors] + [self]

    def full_name(self) -> str:
        return "".join(r.name for r in self.path() if r.level >= Level.COUNTY)


def ancestor_codes(code: str) -> list[str]:
    """The 12-digit codes of the province, city, county and township above a code, and the code itself."""
    return [code[:n].ljust(12, "0") for n in sorted(set(PREFIX_LENGTH.values())) if n < 12] + [code]


def specificity(setting) -> int:
    """How narrowly a setting with an optional ``region`` applies: its region's prefix length, 0 when national."""
    return len(setting.region.prefix) if setting.region_id else 0


def applies_to(setting, code: str) -> bool:
    """Whether a setting with an optional ``region`` (none = national) covers the region ``code``."""
    return setting.region_id is None or code.startswith(setting.region.prefix)


def most_specific(settings):
    """Of the settings that cover one place, the one for the narrowest region wins (national ones last)."""
    return max(settings, key=specificity, default=None)
