from fupin.core.panels import Panels

# The household file (一户一档): each panel's template receives ``household`` and ``user``.
HOUSEHOLD_PANELS = Panels()
