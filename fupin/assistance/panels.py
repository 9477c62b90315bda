from fupin.core.panels import Panels

# The household manual (扶贫手册, a printed A4 PDF rendered by assistance.manual with the shared fupin/pdf.css).
# The apps above assistance (projects, assets, credit, sectors) register "<app>/_manual_section.html" in their
# AppConfig.ready(); sections follow assistance's own, in registration order.
#
# The contract of a section template:
# - context: ``household`` (registry.Household, village selected) and ``user`` (the printing account; when the
#   system prints from the CLI, an unsaved superuser without a region, so ``Model.objects.visible_to(user)``
#   filtered by the household works in every case), plus ``full`` (True only on a copy with full ID numbers,
#   which only register staff may print) and ``year`` (the manual's year);
# - plain print HTML: ``<section class="manual-section"><h2>…</h2><table class="manual-table">…</table></section>``
#   (classes in fupin/core/static/fupin/pdf.css), no JS, no Bootstrap, no images or URLs from outside (the
#   renderer fetches nothing but its static fonts);
# - sensitive fields (ID numbers, phones, bank accounts, health) masked unless ``full``; "无" when empty;
# - a few queries at most: a village batch renders the section once per household.
MANUAL_SECTIONS = Panels()
