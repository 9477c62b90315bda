from fupin.core.panels import Panels

# The monitored household's page: each panel's template receives ``household``, ``monitored`` and ``can_verify``.
MONITORED_PANELS = Panels()

# A row action of the data-quality list (逻辑校验): each template receives ``finding`` and ``user`` (oversight: 列入问题台账).
FINDING_ACTIONS = Panels()
