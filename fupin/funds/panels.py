from fupin.core.panels import Panels

# The fund anomaly's page: each panel's template receives ``anomaly`` and ``user`` (oversight: 列入问题台账).
ANOMALY_PANELS = Panels()
