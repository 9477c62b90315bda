"""Who may use the statistics (统计与驾驶舱): every account bound to a region that works with the county's data —
the register's staff, leaders, auditors and departments, each reading its own region's figures (the data scope).
The security and audit administrators keep accounts and the log, no business data."""

from fupin.core.access import AppAccess
from fupin.registry.access import ADMINISTRATION_ONLY_ROLES

stats_work = AppAccess(lambda user, route: user.is_superuser or user.role not in ADMINISTRATION_ONLY_ROLES)
