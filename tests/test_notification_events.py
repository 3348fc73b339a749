"""The events that complete the list of issue 7: a case assigned (from the queue's bulk assign), a payment made,
a recovery due and a confirmed IBAN change each reach the right people in their language."""

from decimal import Decimal

import pytest
from django.urls import reverse

from applicants.models import CompanyMembership
from grants.models import IbanChange, StaffRole
from notifications.models import Outbox
from tests import factories
from workflows.services import award_determine, iban_change_confirm, iban_change_request

from .test_awards import pay

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def scheme(org_x):
    return factories.SchemeFactory(organisation=org_x, ceiling=D("50000.00"))


def test_bulk_assign_gives_the_selected_cases_to_an_officer_who_is_told(client, scheme, org_x):
    lead = factories.make_staff(org_x, StaffRole.OFFICER)
    colleague = factories.make_staff(org_x, StaffRole.OFFICER, language="en")
    cases = factories.ApplicationFactory.create_batch(3, scheme=scheme, submitted=True)
    client.force_login(lead)

    page = client.get(reverse("case_bulk_assign"), {"cases": [c.pk for c in cases]})
    assert page.status_code == 200 and colleague.full_name in page.content.decode()
    response = client.post(reverse("case_bulk_assign"), {"cases": [c.pk for c in cases], "assignee": colleague.pk})

    assert response.status_code == 302
    assert {c.assigned_to_id for c in type(cases[0]).objects.filter(pk__in=[c.pk for c in cases])} == {colleague.pk}
    rows = Outbox.objects.filter(event="case_assigned", recipient=colleague)
    assert rows.count() == 3 and {row.language for row in rows} == {"en"}


def test_bulk_assign_refuses_an_officer_of_another_municipality_at_the_field(client, scheme, org_x, org_y):
    lead = factories.make_staff(org_x, StaffRole.OFFICER)
    stranger = factories.make_staff(org_y, StaffRole.OFFICER)
    case = factories.ApplicationFactory(scheme=scheme, submitted=True)
    client.force_login(lead)

    response = client.post(reverse("case_bulk_assign"), {"cases": [case.pk], "assignee": stranger.pk})

    assert response.status_code == 400 and "assignee" in response.context["form"].errors
    case.refresh_from_db()
    assert case.assigned_to is None and not Outbox.objects.filter(event="case_assigned").exists()


def test_an_officer_who_is_a_member_of_the_company_is_never_assigned(client, scheme, org_x):
    lead = factories.make_staff(org_x, StaffRole.OFFICER)
    involved = factories.make_staff(org_x, StaffRole.OFFICER)
    case = factories.ApplicationFactory(scheme=scheme, submitted=True)
    CompanyMembership.objects.create(user=involved, company=case.company, role=CompanyMembership.Role.MEMBER)
    client.force_login(lead)

    client.post(reverse("case_bulk_assign"), {"cases": [case.pk], "assignee": involved.pk})

    case.refresh_from_db()
    assert case.assigned_to is None


def test_a_paid_batch_tells_the_company_what_was_paid(org_x):
    officer, manager = factories.make_staff(org_x, StaffRole.OFFICER), factories.make_staff(org_x, StaffRole.MANAGER)
    award = factories.make_award(factories.SchemeFactory(organisation=org_x, ceiling=D("9000.00")), "1500.00")
    owner = factories.make_member(award.application.company)

    pay(award, officer, manager)

    row = Outbox.objects.get(event="payment_made", recipient=owner)
    assert row.context["paid_nl"] == "EUR 1.500,00" and row.context["paid_en"] == "EUR 1,500.00"


def test_a_determination_below_the_paid_advance_tells_the_company_a_recovery_is_due(org_x):
    officer, manager = factories.make_staff(org_x, StaffRole.OFFICER), factories.make_staff(org_x, StaffRole.MANAGER)
    award = factories.make_award(factories.PilotSchemeFactory(organisation=org_x, ceiling=D("200000.00")), "50000.00")
    owner = factories.make_member(award.application.company)
    pay(award, officer, manager)  # the 80% advance: 40,000

    award_determine(award_id=award.pk, actor=officer, amount=D("30000.00"), motivation="Deels uitgevoerd")

    row = Outbox.objects.get(event="recovery_due", recipient=owner)
    assert row.context["recovery_nl"] == "EUR 10.000,00" and row.context["due_on"]


def test_a_confirmed_iban_change_is_announced_to_the_owners_and_the_colleague_who_asked(org_x):
    # The owners manage the company's bank details (they confirm or cancel a change); the colleague who
    # asked hears that it took effect; another colleague and the adviser hear of neither.
    award = factories.make_award(factories.SchemeFactory(organisation=org_x, ceiling=D("9000.00")), "1500.00")
    company = award.application.company
    first = factories.make_member(company, CompanyMembership.Role.OWNER)
    second = factories.make_member(company, CompanyMembership.Role.OWNER)
    asker = factories.make_member(company, CompanyMembership.Role.MEMBER)
    factories.make_member(company, CompanyMembership.Role.MEMBER)
    factories.make_member(company, CompanyMembership.Role.ADVISER)
    factories.make_member(company, CompanyMembership.Role.OWNER, is_active=False)

    change = iban_change_request(company_id=company.pk, actor=asker, iban="NL02ABNA0123456789")
    iban_change_confirm(change_id=change.pk, actor=second)

    def told(event):
        return set(Outbox.objects.filter(event=event).values_list("recipient", flat=True))

    assert IbanChange.objects.get(pk=change.pk).state == "confirmed"
    assert told("iban_change_requested") == {first.pk, second.pk}
    assert told("iban_change_confirmed") == {first.pk, second.pk, asker.pk}


def test_an_owners_confirmed_iban_change_is_announced_to_the_owners_only(org_x):
    company = factories.CompanyFactory()
    first = factories.make_member(company, CompanyMembership.Role.OWNER)
    second = factories.make_member(company, CompanyMembership.Role.OWNER)
    factories.make_member(company, CompanyMembership.Role.MEMBER)
    factories.make_member(company, CompanyMembership.Role.ADVISER)

    change = iban_change_request(company_id=company.pk, actor=first, iban="NL02ABNA0123456789")
    iban_change_confirm(change_id=change.pk, actor=second)

    rows = Outbox.objects.filter(event="iban_change_confirmed")
    assert set(rows.values_list("recipient", flat=True)) == {first.pk, second.pk}
