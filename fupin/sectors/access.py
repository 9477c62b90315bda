"""Who may use the 行业政策 pages and API (see core/access.py)."""

from fupin.core.access import AppAccess
from fupin.registry.access import register_work

sectors_work = AppAccess(lambda user, route: register_work.allows(user))
