"""The manager's budget dashboard: figures equal the ledger, a constant number of queries (1 vs 50
schemes), tenant-scoped; the exports (CSV streamed, XLSX) hold the ledger and the awards."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from grants.models import Budget, LedgerEntry, StaffRole
from grants.services import budget_reconcile
from tests import factories

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def manager(org_x):
    return factories.make_staff(org_x, StaffRole.MANAGER)


def test_dashboard_shows_the_ledger_totals_per_scheme(client, org_x, org_y, manager):
    scheme = factories.PilotSchemeFactory(organisation=org_x, ceiling=D("100000.00"), title_nl="Pilots Alphen")
    factories.make_award(scheme, "50000.00", manager=manager)
    factories.ApplicationFactory(scheme=scheme, submitted=True)
    factories.SchemeFactory(organisation=org_y, title_nl="Regeling Gouda")
    client.force_login(manager)
    response = client.get(reverse("budget_dashboard"))
    assert response.status_code == 200
    [row] = response.context["schemes"]
    budget = Budget.objects.get(scheme=scheme)
    assert budget_reconcile(budget) == {}
    assert (row.budget.committed, row.advanced, row.n_awarded, row.n_submitted) == (D("50000.00"), 0, 1, 1)
    assert row.used_share == 50
    assert "Regeling Gouda" not in response.content.decode()


def schemes(org, n):
    for _ in range(n):
        scheme = factories.SchemeFactory(organisation=org)
        factories.ApplicationFactory(scheme=scheme, submitted=True)



def test_dashboard_query_count_does_not_grow_with_the_schemes(client, org_x, manager, django_assert_num_queries):
    # session, user, memberships (one query), schemes with budgets + advances + state counts (one
    # query), unread inbox count (base.html), the staff session's verified second-factor device: 6.
    schemes(org_x, 1)
    client.force_login(manager)
    with django_assert_num_queries(6):
        assert len(client.get(reverse("budget_dashboard")).context["schemes"]) == 1
    schemes(org_x, 49)
    with django_assert_num_queries(6):
        assert len(client.get(reverse("budget_dashboard")).context["schemes"]) == 50


def test_ledger_export_csv_equals_the_ledger(client, org_x, manager):
    scheme = factories.PilotSchemeFactory(organisation=org_x, ceiling=D("100000.00"))
    factories.make_award(scheme, "50000.00", manager=manager)
    client.force_login(manager)
    response = client.get(reverse("budget_export", args=["ledger", "csv"]))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode()), delimiter=";"))
    assert len(rows) - 1 == LedgerEntry.objects.count()
    assert sorted(r[5] for r in rows[1:]) == sorted(f"{e.amount:.2f}" for e in LedgerEntry.objects.all())


def test_awards_export_xlsx(client, org_x, manager):
    scheme = factories.PilotSchemeFactory(organisation=org_x, ceiling=D("100000.00"))
    award = factories.make_award(scheme, "50000.00", manager=manager)
    client.force_login(manager)
    response = client.get(reverse("budget_export", args=["awards", "xlsx"]))
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][0] == award.application.reference and rows[1][7] == "50000.00"


def test_unknown_export_is_a_404(client, manager):
    client.force_login(manager)
    assert client.get(reverse("budget_export", args=["secrets", "csv"])).status_code == 404


def test_demo_region_shows_money_in_every_phase():
    from django.core.management import call_command

    from grants.models import AwardState, BatchState, IbanChange, PaymentBatch, Recovery

    call_command("seed_demo", stdout=io.StringIO())
    assert set(PaymentBatch.objects.values_list("state", flat=True)) == {BatchState.PAID, BatchState.PREPARED}
    from grants.models import Award

    states = set(Award.objects.values_list("state", flat=True))
    assert {AwardState.GRANTED, AwardState.DETERMINED, AwardState.SETTLED} <= states
    assert Recovery.objects.get().amount == D("800.00")  # advance 80% of 8,500 minus 6,000 determined
    assert IbanChange.objects.filter(state="pending").count() == 1
    assert all(budget_reconcile(budget) == {} for budget in Budget.objects.all())
