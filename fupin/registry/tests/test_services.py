from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from conftest import new_id
from fupin.audit.models import AuditLog
from fupin.audit.services import history_for
from fupin.core.channels import Channel
from fupin.registry import services
from fupin.registry.choices import HouseholdStatus
from fupin.registry.models import Household, IncomeAccount, Member, SecurityCheck


def test_create_household_derives_sex_birth_and_summary(make_household, regions):
    head_id = new_id()
    household = make_household(regions["village_a1"], head_name="王五", head_id=head_id.lower())
    head = household.members.get()
    assert head.id_number == head_id.upper()
    assert head.sex in ("1", "2") and head.birth_date.year == 1980
    household.refresh_from_db()
    assert (household.head_name, household.size, household.head_id_number) == ("王五", 1, head.id_number)


def test_person_in_two_households_is_refused_naming_both(make_household, regions, users):
    shared = new_id()
    first = make_household(regions["village_a1"], head_name="甲", head_id=shared)
    second = make_household(regions["village_b1"], head_name="乙")
    with pytest.raises(ValidationError) as exc:
        services.save_member(
            Member(household=second, name="甲", id_number=shared, relation="20"),
            acting_user=users["county"], channel=Channel.PAGE,
        )
    message = exc.value.message_dict["id_number"][0]
    assert first.number in message and second.number in message
    assert "张庄村" in message and "王庄村" in message
    assert second.members.count() == 1


def test_removed_member_can_join_another_household(make_household, regions, users):
    shared = new_id()
    first = make_household(regions["village_a1"], extra=[("丙", shared, "30")])
    member = first.members.get(id_number=shared)
    services.remove_member(member, "婚出", acting_user=users["county"], channel=Channel.PAGE)
    second = make_household(regions["village_a2"])
    services.save_member(
        Member(household=second, name="丙", id_number=shared, relation="10"), acting_user=users["county"],
        channel=Channel.PAGE,
    )
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.size, second.size) == (1, 2)


def test_bad_id_and_bad_code_are_refused(make_household, regions, users):
    household = make_household(regions["village_a1"])
    with pytest.raises(ValidationError) as exc:
        services.save_member(
            Member(household=household, name="丁", id_number="4.10481E+17", relation="20"),
            acting_user=users["county"], channel=Channel.PAGE,
        )
    assert "Excel" in exc.value.message_dict["id_number"][0]
    with pytest.raises(ValidationError) as exc:
        services.save_member(
            Member(household=household, name="丁", id_number=new_id(), relation="88"),
            acting_user=users["county"], channel=Channel.PAGE,
        )
    assert "与户主关系" in exc.value.message_dict["relation"][0]


def test_second_head_is_refused(make_household, regions, users):
    household = make_household(regions["village_a1"], head_name="户主甲")
    with pytest.raises(ValidationError) as exc:
        services.save_member(
            Member(household=household, name="户主乙", id_number=new_id(), relation="01"),
            acting_user=users["county"], channel=Channel.PAGE,
        )
    assert "户主甲" in exc.value.message_dict["relation"][0]


def test_writes_outside_scope_and_by_read_only_roles_are_refused(make_household, regions, users):
    household = make_household(regions["village_a1"])
    for who in ("village_b1", "town_b", "leader", "department"):
        household.address = "改"
        with pytest.raises(PermissionDenied):
            services.update_household(household, acting_user=users[who], channel=Channel.PAGE)
    household.address = "新地址"
    services.update_household(household, acting_user=users["town_a"], channel=Channel.PAGE)
    assert Household.objects.get(pk=household.pk).address == "新地址"


def test_other_causes_rules(make_household, regions, users):
    household = make_household(regions["village_a1"])
    household.other_causes = "1"  # same as the main cause
    with pytest.raises(ValidationError) as exc:
        services.update_household(household, acting_user=users["county"], channel=Channel.PAGE)
    assert "重复" in exc.value.message_dict["other_causes"][0]
    household.other_causes = "2,3,4"
    with pytest.raises(ValidationError):
        services.update_household(household, acting_user=users["county"], channel=Channel.PAGE)


def test_income_account_per_capita(make_household, regions, users):
    household = make_household(regions["village_a1"], extra=[("子", new_id(), "20"), ("女", new_id(), "30")])
    account = services.save_income_account(
        IncomeAccount(
            household=household, year=2019, wage_income=Decimal("6000"), business_income=Decimal("3000"),
            property_income=Decimal("100"), transfer_income=Decimal("1900"), business_costs=Decimal("2000"),
            household_size=0,
        ),
        acting_user=users["village_a1"], channel=Channel.PAGE,
    )
    assert account.household_size == 3
    assert account.net_income == Decimal("9000")
    assert account.per_capita_net_income == Decimal("3000.00")


def test_dangerous_house_cannot_be_secure(make_household, regions, users):
    household = make_household(regions["village_a1"])
    with pytest.raises(ValidationError):
        services.save_security_check(
            SecurityCheck(household=household, year=2020, house_grade="D", housing_secure=True),
            acting_user=users["village_a1"], channel=Channel.PAGE,
        )


def test_history_records_who_what_and_channel(make_household, regions, users):
    household = make_household(regions["village_a1"])
    household.phone = "13800000000"
    services.update_household(household, acting_user=users["village_a1"], channel=Channel.API)
    member = household.members.get()
    services.reveal_id_number(member, acting_user=users["village_a1"], channel=Channel.PAGE)
    entries = list(history_for(household))
    update = next(e for e in entries if e.action == "update")
    assert update.user == users["village_a1"] and update.channel == "api"
    assert update.changes["phone"] == ["", "13800000000"]
    assert any(e.action == "view_sensitive" for e in entries)
    # ID numbers never appear in full in the trail.
    assert not AuditLog.objects.filter(changes__icontains=member.id_number).exists()


def test_reveal_outside_scope_is_refused(make_household, regions, users):
    member = make_household(regions["village_a1"]).members.get()
    with pytest.raises(PermissionDenied):
        services.reveal_id_number(member, acting_user=users["village_b1"], channel=Channel.PAGE)


def test_visible_to_scopes_by_region(make_household, regions, users):
    a1 = make_household(regions["village_a1"])
    a2 = make_household(regions["village_a2"])
    b1 = make_household(regions["village_b1"])
    seen = lambda who: set(Household.objects.visible_to(users[who]).values_list("pk", flat=True))  # noqa: E731
    assert seen("village_a1") == {a1.pk}
    assert seen("town_a") == {a1.pk, a2.pk}
    assert seen("county") == {a1.pk, a2.pk, b1.pk}
    assert Member.objects.visible_to(users["village_b1"]).count() == 1
    # Department accounts work on their data sets and reverse lists, not by browsing the register.
    assert seen("department") == set()
    assert seen("leader") == {a1.pk, a2.pk, b1.pk}


def test_search_by_name_number_and_id_tail(make_household, regions, users):
    head_id = new_id()
    household = make_household(regions["village_a1"], head_name="李四", head_id=head_id)
    make_household(regions["village_a1"], head_name="赵六")
    base = Household.objects.all()
    assert list(services.search_households(base, "李四")) == [household]
    assert list(services.search_households(base, head_id[-6:])) == [household]
    assert list(services.search_households(base, head_id.lower())) == [household]


def test_locked_year_refuses_account_writes(make_household, regions, users):
    from fupin.procedures.models import Adjustment, AdjustmentStatus

    household = make_household(regions["village_a1"])
    Adjustment.objects.create(county=regions["county"], year=2024, status=AdjustmentStatus.CLOSED)
    with pytest.raises(ValidationError) as exc:
        services.save_income_account(
            IncomeAccount(household=household, year=2024, household_size=1), acting_user=users["county"],
            channel=Channel.PAGE,
        )
    assert "锁定" in exc.value.message_dict["year"][0]
    services.save_income_account(
        IncomeAccount(household=household, year=2025, household_size=1), acting_user=users["county"],
        channel=Channel.PAGE,
    )


def test_household_with_procedures_cannot_be_deleted(make_household, regions, users):
    from fupin.procedures.models import Kind
    from fupin.procedures.services import start_procedure

    household = make_household(regions["village_a1"], status=HouseholdStatus.CANCELLED, category="4")
    services.save_income_account(
        IncomeAccount(household=household, year=2016, wage_income=Decimal("2000"), household_size=1),
        acting_user=users["county"], channel=Channel.PAGE,
    )
    start_procedure(Kind.IDENTIFICATION, household, year=2016, details={"category": "2", "main_cause": "2"},
                    reason="因残致贫", acting_user=users["village_a1"], channel=Channel.PAGE)
    with pytest.raises(ValidationError) as exc:
        services.delete_household(household, acting_user=users["county"], channel=Channel.PAGE)
    assert "不能删除" in exc.value.message_dict["__all__"][0]
    assert Household.objects.filter(pk=household.pk).exists()
