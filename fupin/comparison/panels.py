from fupin.core.panels import Panels

# The suspect's page: each panel's template receives ``suspect`` and ``user`` (oversight: 列入问题台账).
SUSPECT_PANELS = Panels()
