from fupin.core.panels import Panels

# The household manual (扶贫手册, a printed A4 PDF): each section's template receives ``household`` and ``user``;
# the apps above assistance (projects, credit, assets, sectors) add their sections in their AppConfig.ready().
MANUAL_SECTIONS = Panels()
