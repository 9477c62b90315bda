from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    """渠道: how a change or a job came in, recorded on every audit row (docs/audit-log.md)."""

    PAGE = "page", _("页面")
    API = "api", _("接口")
    IMPORT = "import", _("导入")
    CLI = "cli", _("命令行")
    SYSTEM = "system", _("系统")
