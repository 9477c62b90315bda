from fupin.core.panels import Panels

# The household file (一户一档): each panel's template receives ``household`` and ``user``.
HOUSEHOLD_PANELS = Panels()

# The overview page (总览): each card's template receives ``user`` and the request, and shows that account's scope
# only (stats adds the figures, read from its aggregates).
DASHBOARD_PANELS = Panels()
