"""The operations page: a municipality's administrator sees the counts of their municipalities'
notifications, the oldest pending one's age and the failed ones with their error, and retries them."""

import datetime
from unittest import mock

import pytest
from django.utils import timezone

from applicants.models import CompanyMembership
from grants.models import StaffRole
from notifications import tasks
from notifications.models import Outbox, OutboxStatus
from notifications.services import notify
from tests.factories import (
    ApplicantFactory,
    ApplicationFactory,
    CompleteApplicationFactory,
    PilotSchemeFactory,
    SchemeFactory,
    UserFactory,
    awarded_pilot,
    issued_voucher,
    make_award,
    make_member,
    make_staff,
)
from workflows import services
from workflows.services import application_submit

pytestmark = pytest.mark.django_db
URL = "/beheer/berichten/"


@pytest.fixture
def admin_x(org_x, client):
    user = make_staff(org_x, StaffRole.ADMINISTRATOR)
    client.force_login(user)
    return user


def row(organisation, status, **kwargs):
    user = kwargs.pop("recipient", None) or UserFactory()
    return Outbox.objects.create(event="application_submitted", recipient=user, email=user.email,
                                 organisation=organisation, status=status, **kwargs)


def test_counts_oldest_pending_age_and_failed_rows_of_own_municipality_only(admin_x, org_x, org_y, client,
                                                                             time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    old = row(org_x, OutboxStatus.PENDING)
    Outbox.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(hours=3))
    row(org_x, OutboxStatus.PENDING)
    row(org_x, OutboxStatus.SENT)
    row(org_x, OutboxStatus.FAILED, last_error="550 5.1.1 mailbox unavailable")
    row(org_y, OutboxStatus.FAILED, last_error="secret of Gouda")
    row(None, OutboxStatus.FAILED, last_error="an account email")

    response = client.get(URL)

    assert response.status_code == 200
    health = response.context["health"]
    assert (health["pending"], health["sent"], health["failed"]) == (2, 1, 1)
    assert response.context["oldest_pending_age"] == datetime.timedelta(hours=3)
    html = response.content.decode()
    assert "550 5.1.1 mailbox unavailable" in html
    assert "secret of Gouda" not in html and "an account email" not in html


def test_retry_puts_the_chosen_failed_rows_back_and_relays_them(admin_x, org_x, client,
                                                                 django_capture_on_commit_callbacks):
    failed = row(org_x, OutboxStatus.FAILED, attempts=5, last_error="451")
    other = row(org_x, OutboxStatus.FAILED, attempts=5, last_error="451")

    with mock.patch.object(tasks.outbox_deliver, "delay") as delay, \
            django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, {"ids": [failed.pk]})

    assert response.status_code == 302
    failed.refresh_from_db()
    other.refresh_from_db()
    assert (failed.status, failed.attempts) == (OutboxStatus.PENDING, 0)
    assert other.status == OutboxStatus.FAILED
    delay.assert_called_once_with([failed.pk])


def test_retry_of_another_municipalitys_row_is_refused_at_the_form(admin_x, org_y, client):
    theirs = row(org_y, OutboxStatus.FAILED)

    for data in ({"ids": [theirs.pk]}, {}, {"ids": ["abc"]}):
        response = client.post(URL, data)
        assert response.status_code == 400
        assert 'class="error-summary"' in response.content.decode()

    theirs.refresh_from_db()
    assert theirs.status == OutboxStatus.FAILED


@pytest.mark.parametrize("failed", [1, 50])
def test_operations_page_costs_the_same_queries_for_1_and_50_failed_rows(admin_x, org_x, client, failed,
                                                                         django_assert_num_queries):
    for _ in range(failed):
        row(org_x, OutboxStatus.FAILED, last_error="451")
    # session, user, the second-factor device, memberships (one query), the counts and oldest pending (one aggregate),
    # the paginator's failed count, the inbox badge, the failed page with its
    # recipients (the session was saved at login: no renewal within SESSION_REFRESH_SECONDS).
    with django_assert_num_queries(8):
        assert client.get(URL).status_code == 200


def test_application_events_carry_their_municipality_for_the_operations_page(org_x):
    applicant = ApplicantFactory()
    make_staff(org_x, StaffRole.OFFICER)
    draft = CompleteApplicationFactory(scheme=SchemeFactory(organisation=org_x), company=applicant.test_company,
                                       created_by=applicant)

    application_submit(application_id=draft.pk, actor=applicant)

    assert set(Outbox.objects.values_list("event", "organisation_id")) == {
        ("application_submitted", org_x.pk), ("application_received", org_x.pk)}


def municipal_traffic(organisation):
    """An objection lodged, a voucher issued, a pilot's change request and a payment batch prepared at
    ``organisation``, each through its real service; and a change of the company's bank account."""
    officer = make_staff(organisation, StaffRole.OFFICER)
    applicant = ApplicantFactory()
    company = applicant.test_company
    rejected = ApplicationFactory(scheme=SchemeFactory(organisation=organisation), company=company,
                                  created_by=applicant, rejected=True)
    services.objection_lodge(application_id=rejected.pk, actor=applicant, grounds="Wel circulair.")
    issued_voucher(SchemeFactory(organisation=organisation), company=company)
    pilot = awarded_pilot(scheme=PilotSchemeFactory(organisation=organisation), company=company, created_by=applicant)
    services.change_request_submit(application_id=pilot.application_id, actor=applicant,
                                   kind="change_activities", description="Ander hout.")
    award = make_award(SchemeFactory(organisation=organisation), "1500.00", company=company)
    services.batch_prepare(organisation_id=organisation.pk, actor=officer,
                           instruction_ids=list(award.payment_instructions.values_list("pk", flat=True)))
    make_member(company, CompanyMembership.Role.OWNER)
    services.iban_change_request(company_id=company.pk, actor=applicant, iban="NL02ABNA0123456789")


def test_administrator_sees_objection_voucher_pilot_and_batch_notifications_of_own_municipality_only(
    admin_x, org_x, org_y, client
):
    municipal_traffic(org_x)
    municipal_traffic(org_y)
    Outbox.objects.update(status=OutboxStatus.FAILED)
    events = {"objection_lodged", "voucher_issued", "change_request_submitted", "batch_awaiting_approval"}
    assert events <= set(Outbox.objects.filter(organisation=org_y).values_list("event", flat=True))

    response = client.get(URL)

    shown = list(response.context["page"].object_list)
    assert {row.pk for row in shown} == set(Outbox.objects.filter(organisation=org_x).values_list("pk", flat=True))
    assert events <= {row.event for row in shown}
    assert response.context["health"]["failed"] == len(shown) < 25  # every row of Alphen on this one page
    # A company's bank account is no one municipality's: its change is for the superusers only.
    assert set(Outbox.objects.filter(event="iban_change_requested").values_list("organisation", flat=True)) == {None}


def test_notify_refuses_a_municipal_event_without_its_municipality_and_an_account_event_with_one(org_x):
    user = UserFactory()

    with pytest.raises(ValueError, match="needs organisation"):
        notify(event="objection_lodged", recipients=[user], context={"reference": "ALP-2026-00001"})
    with pytest.raises(ValueError, match="takes no organisation"):
        notify(event="verify_email", recipients=[user], context={"name": "Eva"}, organisation=org_x)

    assert not Outbox.objects.exists()
