"""Reminders from beat jobs that query what is due: decision due in 5 working days and overdue (to
the assigned officer, or the municipality's officers), repair due in 3 working days (applicant).
Each goes out once per object, kind and due date however often the job runs. Frozen time."""

import datetime
import threading
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.urls import reverse

from grants.models import StaffRole
from notifications import tasks
from notifications.models import Outbox, Reminder
from notifications.reminders import REMINDERS, Due, remind, reminders_send
from tests.factories import (
    ApplicantFactory,
    ApplicationFactory,
    OrganisationFactory,
    SchemeFactory,
    UserFactory,
    make_staff,
)

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
# Tuesday 1 December 2026; five working days later is Tuesday 8 December.
TODAY = datetime.date(2026, 12, 1)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(datetime.datetime(2026, 12, 1, 7, 5, tzinfo=AMSTERDAM), tick=False)


@pytest.fixture(autouse=True)
def handed():
    ids = []
    with mock.patch.object(tasks.outbox_deliver, "delay", side_effect=ids.extend):
        yield ids


@pytest.fixture
def world(org_x, org_y):
    applicant = ApplicantFactory(language="en")
    officers = [make_staff(org_x, StaffRole.OFFICER), make_staff(org_x, StaffRole.OFFICER)]
    make_staff(org_x, StaffRole.MANAGER)
    make_staff(org_y, StaffRole.OFFICER)
    scheme = SchemeFactory(organisation=org_x)
    return scheme, applicant, officers


def case(world, **kwargs):
    scheme, applicant, _officers = world
    return ApplicationFactory(scheme=scheme, company=applicant.test_company, created_by=applicant, **kwargs)


def sent(event):
    return sorted((row.recipient_id, row.context["reference"]) for row in Outbox.objects.filter(event=event))


def test_decision_due_within_five_working_days_reminds_all_officers_when_nobody_is_assigned(world):
    due = case(world, in_review=True, decision_due_on=datetime.date(2026, 12, 8))
    case(world, in_review=True, decision_due_on=datetime.date(2026, 12, 9))  # the sixth working day: not yet

    assert reminders_send(today=TODAY)["decision_due_soon"] == 1

    assert sent("decision_due_soon") == sorted((o.pk, due.reference) for o in world[2])


def test_decision_reminder_goes_to_the_assigned_officer_only(world):
    officer = world[2][0]
    app = case(world, submitted=True, decision_due_on=datetime.date(2026, 12, 2), assigned_to=officer)

    reminders_send(today=TODAY)

    assert sent("decision_due_soon") == [(officer.pk, app.reference)]


def test_overdue_decision_is_reminded_once_and_again_for_a_new_due_date(world):
    app = case(world, proposed=True, decision_due_on=datetime.date(2026, 11, 30))

    assert reminders_send(today=TODAY)["decision_overdue"] == 1
    assert reminders_send(today=TODAY)["decision_overdue"] == 0
    assert reminders_send(today=TODAY + datetime.timedelta(days=1))["decision_overdue"] == 0
    assert Outbox.objects.filter(event="decision_overdue").count() == 2

    type(app).objects.filter(pk=app.pk).update(decision_due_on=datetime.date(2026, 11, 27))
    assert reminders_send(today=TODAY)["decision_overdue"] == 1


def test_decided_withdrawn_and_paused_cases_get_no_decision_reminders(world):
    for state in ("awarded", "rejected", "withdrawn", "info_requested"):
        case(world, submitted=True, state=state, decision_due_on=datetime.date(2026, 11, 30))

    result = reminders_send(today=TODAY)

    assert result["decision_overdue"] == result["decision_due_soon"] == 0


def test_repair_deadline_in_three_working_days_reminds_the_applicant_in_their_language(world):
    # Friday 4 December is the third working day after Tuesday 1 December.
    app = case(world, info_requested=True, repair_due_on=datetime.date(2026, 12, 4))
    case(world, info_requested=True, repair_due_on=datetime.date(2026, 12, 7))

    assert reminders_send(today=TODAY)["repair_due_soon"] == 1

    [row] = Outbox.objects.filter(event="repair_due_soon")
    assert (row.recipient_id, row.language, row.context["repair_due_on"]) == (world[1].pk, "en", "2026-12-04")
    assert row.url == reverse("application_detail", args=[app.pk])
    assert row.organisation_id == world[0].organisation_id


def test_working_days_skip_the_christmas_holidays(world):
    # From Wednesday 23 December: 24 Dec, 28, 29, 30, 31 Dec are the five working days (25/26 are holidays).
    soon = case(world, in_review=True, decision_due_on=datetime.date(2026, 12, 31))
    case(world, in_review=True, decision_due_on=datetime.date(2027, 1, 4))

    reminders_send(today=datetime.date(2026, 12, 23), kinds=["decision_due_soon"])

    assert {ref for _pk, ref in sent("decision_due_soon")} == {soon.reference}


def test_running_the_job_twice_sends_each_reminder_once(world):
    case(world, in_review=True, decision_due_on=datetime.date(2026, 12, 3))
    case(world, info_requested=True, repair_due_on=datetime.date(2026, 12, 2))

    first = reminders_send(today=TODAY)
    second = reminders_send(today=TODAY)

    assert sum(first.values()) == 2 and sum(second.values()) == 0
    assert Reminder.objects.count() == 2
    assert Outbox.objects.count() == 3  # two officers and one applicant


def test_a_concurrent_run_that_lost_the_race_sends_nothing(world):
    # Another beat wrote the Reminder row first: the unique constraint turns this run's insert away.
    app = case(world, in_review=True, decision_due_on=datetime.date(2026, 12, 3))
    due = Due(obj=app, due_on=app.decision_due_on, event="decision_due_soon", recipients=world[2],
              organisation=app.scheme.organisation_id)

    assert remind(kind="decision_due_soon", due=due) is True
    assert remind(kind="decision_due_soon", due=due) is False
    assert Outbox.objects.filter(event="decision_due_soon").count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_beats_at_once_send_each_reminder_once():
    # Transactional on SQLite: no schemes (their ledger rows are append-only and refuse the flush), so
    # the objects reminded of are users, through a kind registered for this test.
    users, alphen = UserFactory.create_batch(3), OrganisationFactory()
    REMINDERS["test_race"] = lambda today: [Due(obj=u, due_on=TODAY, event="message_received", recipients=[u],
                                                organisation=alphen) for u in users]
    barrier, results = threading.Barrier(2), []

    def beat():
        try:
            barrier.wait()
            results.append(reminders_send(today=TODAY, kinds=["test_race"])["test_race"])
        finally:
            connection.close()

    threads = [threading.Thread(target=beat) for _ in range(2)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        del REMINDERS["test_race"]

    assert sum(results) == 3
    assert Reminder.objects.count() == 3
    assert Outbox.objects.filter(event="message_received").count() == 3


def test_a_new_kind_plugs_in_with_one_function(world):
    app = case(world, in_review=True, decision_due_on=datetime.date(2027, 3, 1))
    REMINDERS["test_kind"] = lambda today: [Due(obj=app, due_on=datetime.date(2027, 3, 1), event="decision_due_soon",
                                                recipients=[world[1]], organisation=app.scheme.organisation_id)]
    try:
        assert reminders_send(today=TODAY, kinds=["test_kind"]) == {"test_kind": 1}
        assert reminders_send(today=TODAY, kinds=["test_kind"]) == {"test_kind": 0}
    finally:
        del REMINDERS["test_kind"]
