"""Preferences per category and the daily digest: held emails leave together in one email per user
per day, their inbox items at once; events with legal effect are never held."""

import datetime
from unittest import mock
from zoneinfo import ZoneInfo

import pytest

from notifications import tasks
from notifications.events import EVENTS
from notifications.models import Category, DeliveryMode, InboxItem, NotificationPreference, Outbox, OutboxStatus
from notifications.services import notify, outbox_digest_send, preferences_update
from tests.factories import OrganisationFactory, UserFactory

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
CONTEXT = {"reference": "ALP-2026-00042", "scheme_nl": "Circulaire voucher", "scheme_en": "Circular voucher",
           "decision_due_on": "2026-12-11", "repair_due_on": "2026-12-11", "missing": "KvK-uittreksel"}

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def deliver_at_once():
    """The relay's publish delivers at once (Celery is not run in unit tests)."""
    with mock.patch.object(tasks.outbox_deliver, "delay", side_effect=lambda pk: tasks.outbox_deliver(pk)):
        yield


@pytest.fixture
def digester(db):
    user = UserFactory(language="en")
    preferences_update(user=user, modes={Category.CASE_PROGRESS: DeliveryMode.DIGEST,
                                         Category.MESSAGES: DeliveryMode.DIGEST})
    return user


def send(event, user, django_capture_on_commit_callbacks, url="/a/1/"):
    with django_capture_on_commit_callbacks(execute=True):
        [row] = notify(event=event, recipients=[user], context=CONTEXT, url=url,
                       organisation=OrganisationFactory(slug="alphen"))  # get or create
    return row


def test_digest_preference_delivers_the_inbox_item_at_once_and_holds_the_email(
    digester, mailoutbox, django_capture_on_commit_callbacks
):
    row = send("application_submitted", digester, django_capture_on_commit_callbacks)

    row.refresh_from_db()
    assert (row.status, row.digest_pending, row.email_sent_at) == (OutboxStatus.SENT, True, None)
    assert InboxItem.objects.filter(outbox=row, user=digester).exists()
    assert mailoutbox == []


def test_events_with_legal_effect_are_emailed_at_once_whatever_the_preference(
    digester, mailoutbox, django_capture_on_commit_callbacks
):
    assert EVENTS["info_requested"].legal_effect and EVENTS["decision_made"].legal_effect
    row = send("info_requested", digester, django_capture_on_commit_callbacks)

    row.refresh_from_db()
    assert row.digest_pending is False
    assert [m.to for m in mailoutbox] == [[digester.email]]


def test_a_user_without_preferences_gets_every_email_at_once(mailoutbox, django_capture_on_commit_callbacks):
    send("message_received", UserFactory(), django_capture_on_commit_callbacks)

    assert len(mailoutbox) == 1


def test_digest_collects_a_days_messages_into_one_email_and_marks_them_delivered(
    digester, mailoutbox, django_capture_on_commit_callbacks, time_machine
):
    time_machine.move_to(datetime.datetime(2026, 12, 1, 14, 0, tzinfo=AMSTERDAM), tick=False)
    rows = [send("application_submitted", digester, django_capture_on_commit_callbacks, url=f"/a/{i}/")
            for i in range(3)] + [send("message_received", digester, django_capture_on_commit_callbacks)]
    time_machine.move_to(datetime.datetime(2026, 12, 2, 7, 30, tzinfo=AMSTERDAM), tick=False)

    with django_capture_on_commit_callbacks(execute=True):
        assert outbox_digest_send() == 1

    [email] = mailoutbox
    assert email.to == [digester.email]
    assert email.subject == "Your messages of 2 December 2026"
    assert "4 messages" in email.body and "Receipt of your application ALP-2026-00042" in email.body
    assert "http://" in email.body or "https://" in email.body
    digest = Outbox.objects.get(event="digest")
    for row in rows:
        row.refresh_from_db()
        assert (row.digest_id, row.digest_pending, row.email_sent_at) == (digest.pk, False, digest.email_sent_at)
    assert email.message()["Message-ID"] == digest.message_id


def test_digest_runs_once_per_user_per_day_however_often_the_job_runs(
    digester, mailoutbox, django_capture_on_commit_callbacks, time_machine
):
    time_machine.move_to(datetime.datetime(2026, 12, 2, 7, 30, tzinfo=AMSTERDAM), tick=False)
    send("application_submitted", digester, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox_digest_send() == 1
    late = send("info_supplied", digester, django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        assert outbox_digest_send() == 0  # the same day: the late message waits
        assert outbox_digest_send() == 0
    assert len(mailoutbox) == 1
    late.refresh_from_db()
    assert late.digest_pending is True

    time_machine.move_to(datetime.datetime(2026, 12, 3, 7, 30, tzinfo=AMSTERDAM), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox_digest_send() == 1
    assert len(mailoutbox) == 2
    late.refresh_from_db()
    assert late.digest_pending is False


def test_digest_is_written_in_the_recipients_language(mailoutbox, django_capture_on_commit_callbacks):
    dutch = UserFactory(language="nl")
    preferences_update(user=dutch, modes={Category.CASE_PROGRESS: DeliveryMode.DIGEST})
    send("application_submitted", dutch, django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        outbox_digest_send()

    [email] = mailoutbox
    # Each item's subject is rendered in Dutch, and the date is a Dutch date.
    assert "ALP-2026-00042" in email.body and "Receipt of your application" not in email.body
    digest = Outbox.objects.get(event="digest")
    assert digest.language == "nl"
    assert any(month in email.subject for month in ("januari", "februari", "maart", "april", "mei", "juni", "juli",
                                                     "augustus", "september", "oktober", "november", "december"))


def test_preferences_page_shows_a_choice_per_category_and_saves_it(client):
    user = UserFactory()
    client.force_login(user)

    page = client.get("/berichten/voorkeuren/")
    assert page.status_code == 200
    assert page.content.decode().count('type="radio"') == 2 * 4  # four categories, two modes each

    response = client.post("/berichten/voorkeuren/", {"case_progress": "digest", "messages": "immediate",
                                                      "reminders": "digest", "news": "immediate"})
    assert response.status_code == 302
    assert dict(NotificationPreference.objects.filter(user=user).values_list("category", "mode")) == {
        "case_progress": "digest", "messages": "immediate", "reminders": "digest", "news": "immediate"}


def test_preferences_form_keeps_the_choices_and_shows_the_error_at_the_field(client):
    user = UserFactory()
    client.force_login(user)

    response = client.post("/berichten/voorkeuren/", {"case_progress": "digest", "messages": "weekly"})

    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_messages_error"' in html and 'id="id_reminders_error"' in html
    assert 'name="case_progress" value="digest" required id="id_case_progress_1" checked' in html  # kept
    assert not NotificationPreference.objects.exists()


# The events with legal effect, by the names the features register them under.
LEGAL_EFFECT = {"info_requested", "decision_made", "extension_sent", "objection_decided", "recovery_due"}


def test_events_with_legal_effect_are_flagged_immediate_in_the_registry():
    registered = LEGAL_EFFECT & set(EVENTS)
    assert {"info_requested", "decision_made"} <= registered
    assert all(EVENTS[name].legal_effect and EVENTS[name].immediate for name in registered)
    assert EVENTS["digest"].immediate and EVENTS["verify_email"].immediate
    assert not EVENTS["application_submitted"].immediate
