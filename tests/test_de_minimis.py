"""De minimis (EU 2023/2831, DOMAIN 10, 11, 11a): at approval, per undertaking (linked companies as one)
and per consortium partner, aid within the rolling three years before the grant date plus the new
award must stay within the ceiling; otherwise the approval is refused with the computation."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from applicants.models import CompanyGroup
from grants.demin import de_minimis_problems, period_start
from grants.models import ApplicationState, Award, DeMinimisAid, DeMinimisShare, StaffRole
from grants.templatetags.money import format_money
from tests import factories
from workflows.exceptions import TransitionRefused
from workflows.services import application_approve

pytestmark = pytest.mark.django_db
D = Decimal
TODAY = datetime.date(2026, 6, 15)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(datetime.datetime(2026, 6, 15, 10, 0, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture
def scheme(org_x):
    return factories.PilotSchemeFactory(organisation=org_x, max_amount=D("300000.00"), ceiling=D("2000000.00"),
                                        advance_percentage=0)


@pytest.fixture
def manager(org_x):
    return factories.make_staff(org_x, StaffRole.MANAGER)


def earlier_award(company, amount, granted_on):
    """Aid this system granted before: a de minimis share on an award of another application."""
    scheme = factories.SchemeFactory()
    application = factories.ApplicationFactory(scheme=scheme, company=company, submitted=True)
    award = Award.objects.create(application=application, amount=D(amount), granted_on=granted_on)
    DeMinimisShare.objects.create(award=award, kvk_number=company.kvk_number, company=company, name=company.name,
                                  amount=D(amount), granted_on=granted_on)


def proposal(scheme, company, amount):
    return factories.ApplicationFactory(scheme=scheme, company=company, proposed=True, requested_amount=D(amount),
                                        proposed_amount=D(amount))


def test_period_starts_the_day_after_three_years_back():
    assert period_start(TODAY) == datetime.date(2023, 6, 16)
    assert period_start(datetime.date(2028, 2, 29)) == datetime.date(2025, 3, 1)


def test_award_up_to_the_ceiling_exactly_is_made(scheme, manager):
    company = factories.CompanyFactory()
    earlier_award(company, "200000.00", TODAY - datetime.timedelta(days=400))
    application = proposal(scheme, company, "100000.00")
    application_approve(application_id=application.pk, actor=manager)
    application.refresh_from_db()
    assert application.state == ApplicationState.AWARDED
    assert DeMinimisShare.objects.get(award__application=application).amount == D("100000.00")


def test_one_cent_above_the_ceiling_is_refused_with_the_computation(scheme, manager):
    company = factories.CompanyFactory(name="Houtwerk B.V.")
    earlier_award(company, "200000.00", TODAY - datetime.timedelta(days=400))
    application = proposal(scheme, company, "100000.01")
    with pytest.raises(TransitionRefused) as refused:
        application_approve(application_id=application.pk, actor=manager)
    assert "Houtwerk B.V." in refused.value.message and format_money(D("300000.01")) in refused.value.message
    application.refresh_from_db()
    assert application.state == ApplicationState.PROPOSED and not Award.objects.filter(application=application)


def test_aid_older_than_three_years_no_longer_counts(scheme, manager):
    company = factories.CompanyFactory()
    earlier_award(company, "250000.00", datetime.date(2023, 6, 15))  # exactly three years back: outside
    assert de_minimis_problems(proposal(scheme, company, "100000.00"), D("100000.00"), TODAY) == []
    earlier_award(company, "1.00", datetime.date(2023, 6, 16))  # the first day inside
    assert len(de_minimis_problems(proposal(scheme, company, "100000.00"), D("300000.00"), TODAY)) == 1


def test_declared_aid_counts_within_the_period(scheme):
    company = factories.CompanyFactory()
    application = proposal(scheme, company, "100000.00")
    DeMinimisAid.objects.create(application=application, provider="Provincie", amount=D("200000.00"),
                                granted_on=datetime.date(2024, 1, 1))
    assert de_minimis_problems(application, D("100000.00"), TODAY) == []
    DeMinimisAid.objects.create(application=application, provider="RVO", amount=D("0.01"),
                                granted_on=datetime.date(2025, 1, 1))
    assert de_minimis_problems(application, D("100000.00"), TODAY)
    DeMinimisAid.objects.filter(provider="RVO").update(granted_on=datetime.date(2023, 6, 1))
    assert de_minimis_problems(application, D("100000.00"), TODAY) == []


def test_linked_companies_count_as_one_undertaking(scheme, manager):
    group = CompanyGroup.objects.create(name="Houtwerk Holding")
    parent = factories.CompanyFactory(group=group)
    daughter = factories.CompanyFactory(group=group)
    earlier_award(parent, "250000.00", TODAY - datetime.timedelta(days=30))
    application = proposal(scheme, daughter, "60000.00")
    with pytest.raises(TransitionRefused):
        application_approve(application_id=application.pk, actor=manager)
    # An unlinked company with the same history of its own is not affected.
    assert de_minimis_problems(proposal(scheme, factories.CompanyFactory(), "60000.00"), D("60000.00"), TODAY) == []


def test_each_consortium_partner_is_checked_on_its_share(scheme, manager):
    lead = factories.CompanyFactory()
    application = proposal(scheme, lead, "100000.00")
    partner_company = factories.CompanyFactory()
    factories.PartnerFactory(application=application, kvk_number=partner_company.kvk_number,
                             cost_share=D("50000.00"), de_minimis_received=D("260000.00"))
    from grants.models import CostLine

    CostLine.objects.create(application=application, description="Kosten", amount_excl_vat=D("100000.00"),
                            incurred_on=TODAY)
    problems = de_minimis_problems(application, D("100000.00"), TODAY)
    assert len(problems) == 1 and partner_company.kvk_number in problems[0]  # 260,000 + 50,000 > 300,000
    application.partners.update(de_minimis_received=D("250000.00"))
    application_approve(application_id=application.pk, actor=manager)
    shares = dict(DeMinimisShare.objects.values_list("kvk_number", "amount"))
    assert shares == {lead.kvk_number: D("50000.00"), partner_company.kvk_number: D("50000.00")}


def test_register_export_lists_the_fields_of_rule_11(client, scheme, manager):
    company = factories.CompanyFactory(rsin="123456782", sbi_code="1629")
    application = proposal(scheme, company, "40000.00")
    application_approve(application_id=application.pk, actor=manager)
    client.force_login(manager)
    response = client.get(reverse("budget_export", args=["de-minimis", "csv"]))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode()), delimiter=";"))
    assert rows[0] == ["kvk_number", "rsin", "name", "sbi_code", "granting_authority", "instrument", "gross_amount",
                       "grant_date", "legal_basis", "award_reference"]
    assert rows[1][:5] == [company.kvk_number, "123456782", company.name, "1629", scheme.organisation.name]
    assert rows[1][6:8] == ["40000.00", "2026-06-15"] and "2023/2831" in rows[1][8]
