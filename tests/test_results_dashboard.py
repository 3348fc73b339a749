"""The managers' results dashboard: exact totals per scheme, municipality and R-strategy, only
figures with the same indicator and unit added up, cost per unit, XLSX export, constant queries."""

from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from grants.models import ReportIndicator, SchemeKind, StaffRole
from grants.results import indicator_totals
from tests import factories

pytestmark = pytest.mark.django_db


def pilot_with_result(scheme, *, co2, waste=None, costs, rung="R3", kind="final"):
    plan = factories.awarded_pilot(scheme=scheme)
    realised = {"co2_avoided": Decimal(co2)} | ({"waste_avoided": Decimal(waste)} if waste else {})
    factories.accepted_report(plan, kind=kind, realised=realised, costs=Decimal(costs), rung=rung)
    return plan


@pytest.fixture
def scheme(org_x):
    return factories.SchemeFactory(organisation=org_x, kind=SchemeKind.PILOT, max_amount=Decimal("50000"))


def totals_by(rows, indicator):
    return [row for row in rows if row.indicator == indicator]


def test_totals_per_scheme_add_up_exact_figures_and_cost_per_tonne(org_x, scheme):
    pilot_with_result(scheme, co2="12000.50", waste="3000", costs="15000.00")
    pilot_with_result(scheme, co2="8000.25", costs="9000.00", rung="R8")

    co2 = totals_by(indicator_totals([org_x.pk], "scheme"), "co2_avoided")

    assert len(co2) == 1
    total = co2[0]
    assert (total.unit, total.realised, total.planned, total.pilots) == (
        "kg", Decimal("20000.75"), Decimal("20000.00"), 2)
    # EUR 24,000 spent for 20.00075 tonne CO2-eq avoided.
    assert total.costs == Decimal("24000.00")
    assert total.cost_per_unit == Decimal("1199.96") and total.cost_unit == "t"


def test_figures_with_another_unit_are_never_added_up(org_x, scheme):
    pilot_with_result(scheme, co2="1000", costs="1000")
    other = pilot_with_result(scheme, co2="5", costs="1000")
    # The same indicator reported in tonnes (an older definition): its own row, never part of the kg sum.
    ReportIndicator.objects.filter(report__plan=other, indicator="co2_avoided", realised=Decimal("5")).update(
        unit="t")

    co2 = totals_by(indicator_totals([org_x.pk], "scheme"), "co2_avoided")

    assert sorted((row.unit, row.realised) for row in co2) == [("kg", Decimal("1000.00")), ("t", Decimal("5.00"))]


def test_each_pilot_counts_with_its_latest_accepted_report_only(org_x, scheme):
    plan = pilot_with_result(scheme, co2="500", costs="1000", kind="progress")
    factories.accepted_report(plan, kind="final", realised={"co2_avoided": Decimal("2000")},
                              costs=Decimal("4000"))

    co2 = totals_by(indicator_totals([org_x.pk], "scheme"), "co2_avoided")

    assert [(row.realised, row.costs, row.pilots) for row in co2] == [(Decimal("2000.00"), Decimal("4000.00"), 1)]


def test_totals_per_municipality_and_strategy_map_to_the_six_rung_scale(org_x, org_y, scheme):
    pilot_with_result(scheme, co2="100", costs="10", rung="R5")
    pilot_with_result(factories.SchemeFactory(organisation=org_y, kind=SchemeKind.PILOT,
                                              max_amount=Decimal("50000")), co2="300", costs="10", rung="R6")

    per_municipality = totals_by(indicator_totals([org_x.pk, org_y.pk], "municipality"), "co2_avoided")
    with translation.override("en"):
        per_strategy = totals_by(indicator_totals([org_x.pk, org_y.pk], "strategy", "en"), "co2_avoided")

    assert sorted((row.group, row.realised) for row in per_municipality) == [
        ("Gemeente Alphen", Decimal("100.00")), ("Gemeente Gouda", Decimal("300.00"))]
    assert [row.group for row in per_strategy] == ["R5 Refurbish (six-rung scale: R4)",
                                                   "R6 Remanufacture (six-rung scale: R4)"]


def test_dashboard_shows_only_the_managers_municipalities(client, org_x, org_y, scheme):
    pilot_with_result(scheme, co2="100", costs="10", rung="R3")
    manager_y = factories.make_staff(org_y, StaffRole.MANAGER)
    client.force_login(manager_y)
    response = client.get(reverse("results_dashboard"))
    assert response.status_code == 200
    assert all(not totals for _title, totals in response.context["sections"])


def test_dashboard_query_count_is_the_same_for_1_and_50_pilots(client, org_x, scheme, django_assert_num_queries):
    manager = factories.make_staff(org_x, StaffRole.MANAGER)
    client.force_login(manager)
    pilot_with_result(scheme, co2="100", costs="10")

    def count():
        # session, user, the second-factor device, memberships (one query); the three totals and the
        # lessons learned; the unread inbox count (navigation).
        with django_assert_num_queries(9) as captured:
            assert client.get(reverse("results_dashboard")).status_code == 200
        return len(captured.captured_queries)

    one = count()
    for _ in range(49):
        pilot_with_result(scheme, co2="100", costs="10")
    assert count() == one


def test_xlsx_export_holds_the_same_totals(client, org_x, scheme):
    pilot_with_result(scheme, co2="12000.50", costs="15000.00")
    client.force_login(factories.make_staff(org_x, StaffRole.MANAGER))
    response = client.get(reverse("results_export"))
    assert response.status_code == 200
    workbook = load_workbook(BytesIO(response.content))
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    co2 = [row for row in rows[1:] if row[2] == "kg" and Decimal(str(row[4])) == Decimal("12000.50")]
    assert len(co2) == 1 and len(workbook.worksheets) == 4


def test_xlsx_export_never_turns_a_grantees_text_into_a_formula(client, org_x, scheme):
    plan = factories.awarded_pilot(scheme=scheme)
    factories.accepted_report(plan, realised={"co2_avoided": Decimal("1")}, lessons='=HYPERLINK("http://x","y")')
    client.force_login(factories.make_staff(org_x, StaffRole.MANAGER))
    workbook = load_workbook(BytesIO(client.get(reverse("results_export")).content))
    cell = workbook.worksheets[-1]["D2"]
    assert cell.data_type == "s" and cell.value == "'=HYPERLINK(\"http://x\",\"y\")"
