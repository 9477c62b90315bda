from fupin.core.panels import Panels

# The project detail page: each panel's template receives ``project`` and ``user``; the apps above projects add
# theirs in their AppConfig.ready() (assets: 移交为资产; funds: allocations and disbursements).
PROJECT_PANELS = Panels()
