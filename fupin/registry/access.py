"""Who works on the register and on what hangs off it: monitoring, procedures, assistance (see core/access.py)."""

from fupin.accounts.models import Role
from fupin.core.access import AppAccess

# The security and audit administrators keep accounts and the log (三员分立), and no business data.
ADMINISTRATION_ONLY_ROLES = frozenset({Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})
# A department uploads its data sets and downloads its lists (comparison). None of these handles alerts, procedures
# or helpers.
OFF_REGISTER_ROLES = ADMINISTRATION_ONLY_ROLES | {Role.DEPARTMENT}

register_work = AppAccess(lambda user, route: user.is_superuser or user.role not in OFF_REGISTER_ROLES)
