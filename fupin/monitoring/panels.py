from fupin.core.panels import Panels

# The monitored household's page: each panel's template receives ``household``, ``monitored`` and ``can_verify``.
MONITORED_PANELS = Panels()
