"""The operations page: a municipality's administrator sees the counts of their municipalities'
notifications, the oldest pending one's age and the failed ones with their error, and retries them."""

import datetime
from unittest import mock

import pytest
from django.utils import timezone

from grants.models import StaffRole
from notifications import tasks
from notifications.models import Outbox, OutboxStatus
from tests.factories import ApplicantFactory, CompleteApplicationFactory, SchemeFactory, UserFactory, make_staff
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
    # session, user, the second-factor device, staff roles (the rule), the counts and oldest pending (one aggregate),
    # the paginator's failed count, the navigation's company ids, the inbox badge, the failed page with its
    # recipients (the session was saved at login: no renewal within SESSION_REFRESH_SECONDS).
    with django_assert_num_queries(9):
        assert client.get(URL).status_code == 200


def test_application_events_carry_their_municipality_for_the_operations_page(org_x):
    applicant = ApplicantFactory()
    make_staff(org_x, StaffRole.OFFICER)
    draft = CompleteApplicationFactory(scheme=SchemeFactory(organisation=org_x), company=applicant.test_company,
                                       created_by=applicant)

    application_submit(application_id=draft.pk, actor=applicant)

    assert set(Outbox.objects.values_list("event", "organisation_id")) == {
        ("application_submitted", org_x.pk), ("application_received", org_x.pk)}
