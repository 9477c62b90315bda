"""Who may use the assistance pages and API: those who work on the register (registry/access.py), and a helper
(帮扶责任人) with a login — often a department's officer — for their own paired households only."""

from fupin.core.access import AppAccess
from fupin.registry.access import register_work

from .services import helpers_of

# The helper's own work: the paired households, recording a visit (and sending the phone's queued ones), a visit's
# photo (page and API URL names; the views check the pairing themselves).
HELPER_ROUTES = frozenset({"my_households", "visit_create", "visit_sync", "photo", "household_visits"})


def is_helper(user) -> bool:
    return helpers_of(user).exists()


assistance_work = AppAccess(
    lambda user, route: register_work.allows(user) or (route in HELPER_ROUTES and is_helper(user))
)
