from decimal import Decimal

from django.db.models import Count, Sum

from fupin.registry.models import Household
from fupin.stats.models import Figure, Rebuild
from fupin.stats.rebuild import rebuild
from fupin.stats.services import read


def test_rollup_matches_live_counts(county_data, regions):
    year = county_data["year"]
    done = rebuild("410481", year)
    assert done.rows > 0 and Rebuild.objects.count() == 1
    codes = [r.code for r in regions.values()]
    figures = read(codes, year, ["registry.households", "registry.people", "registry.exit_people", "funds.allocated",
                                 "funds.disbursed", "funds.progress", "funds.amount"])
    for key, region in regions.items():
        live = Household.objects.in_region(region.prefix)
        assert figures.value(region.code, "registry.households") == live.count(), key
        assert figures.value(region.code, "registry.people") == (live.aggregate(n=Sum("size"))["n"] or 0), key
        by_status = dict(live.values_list("status").annotate(n=Count("id")))
        assert {k: int(v) for k, v in figures.dims(region.code, "registry.households").items()} == by_status
        assert figures.value(region.code, "registry.exit_people") == (
            live.filter(exit_year=year).aggregate(n=Sum("size"))["n"] or 0)
    county = regions["county"].code
    # The fund sits at the county: counted there and above, not in any township.
    assert figures.value(county, "funds.amount") == Decimal("1000000")
    assert figures.value(regions["province"].code, "funds.amount") == Decimal("1000000")
    assert figures.value(regions["town_a"].code, "funds.amount") == 0
    assert figures.value(regions["town_a"].code, "funds.allocated") == Decimal("300000")
    assert figures.value(county, "funds.progress") == Decimal("25.0")


def test_rebuild_replaces_the_scope(county_data, regions, make_household):
    year = county_data["year"]
    rebuild("410481", year)
    make_household(regions["village_b2"], status="1")
    rebuild("410481", year)
    assert Figure.objects.get(region_code=regions["village_b2"].code, indicator="registry.households",
                              year=year).value == 1
    assert Figure.objects.get(region_code=regions["province"].code, indicator="registry.households", year=year,
                              dimension="1").value == 4
