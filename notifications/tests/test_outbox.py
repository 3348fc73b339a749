"""The outbox: rows written in the business transaction, relayed after commit with a lease, and
delivered idempotently (one inbox item, one email with a stable Message-ID) with retries.

Celery is not run here: the relay's ``outbox_deliver.delay`` is patched to record the ids it hands
out, or to deliver at once by calling the task directly, or to fail like an unreachable broker."""

import datetime
import io
import smtplib
import threading
from collections import Counter
from datetime import timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.conf import settings
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone
from kombu.exceptions import OperationalError

from grants.models import ApplicationState, StaffRole
from notifications import tasks
from notifications.models import InboxItem, Outbox, OutboxStatus
from notifications.services import notify, outbox_relay, outbox_retry
from tests.factories import (
    ApplicantFactory,
    CompleteApplicationFactory,
    OrganisationFactory,
    SchemeFactory,
    UserFactory,
    make_staff,
)
from workflows.services import application_submit

CONTEXT = {
    "reference": "ALP-2026-00042",
    "title": "Circulaire scan",
    "scheme_nl": "Circulaire voucher",
    "scheme_en": "Circular voucher",
    "organisation": "Gemeente Alphen",
    "decision_due_on": "2026-12-11",
}

pytestmark = pytest.mark.django_db


def submitted(recipients=(), **kwargs):
    """The rows of an application_submitted message about Alphen (a municipal event names its municipality)."""
    alphen = OrganisationFactory(name="Gemeente Alphen", slug="alphen", code="ALP")  # get or create
    return notify(event="application_submitted", recipients=recipients, context=CONTEXT, organisation=alphen,
                  **kwargs)


@pytest.fixture
def handed():
    """The ids the relay hands to Celery, in order (it hands them out in batches)."""
    ids = []
    with mock.patch.object(tasks.outbox_deliver, "delay", side_effect=ids.extend):
        yield ids


@pytest.fixture
def broker_delivers_at_once():
    with mock.patch.object(tasks.outbox_deliver, "delay", side_effect=lambda pk: tasks.outbox_deliver(pk)):
        yield


@pytest.fixture
def broker_down():
    error = OperationalError("Error 111 connecting to 127.0.0.1:1. Connection refused.")
    with mock.patch.object(tasks.outbox_deliver, "delay", side_effect=error) as delay:
        yield delay


@pytest.fixture
def smtp_down():
    error = smtplib.SMTPException("451 4.3.0 Mail server temporarily rejected message")
    with mock.patch.object(LocmemBackend, "send_messages", side_effect=error):
        yield


@pytest.fixture
def row(db):
    [row] = submitted(recipients=[UserFactory()], url="/a/1/")
    return row


def message_id(row):
    return f"<outbox-{row.pk}@{settings.EMAIL_MESSAGE_ID_DOMAIN}>"


def test_notify_rows_are_relayed_only_after_commit(handed, django_capture_on_commit_callbacks):
    user = UserFactory()

    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            [row] = submitted(recipients=[user])
        assert handed == []  # the surrounding transaction has not committed yet

    assert handed == [row.pk]
    assert Outbox.objects.get().status == OutboxStatus.PENDING


def test_notify_rows_vanish_with_a_rollback_and_nothing_is_relayed(handed, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            submitted(recipients=[UserFactory()])
            raise RuntimeError("the business change failed")

    assert callbacks == []
    assert handed == []
    assert not Outbox.objects.exists()


def test_delivery_creates_one_inbox_item_and_one_email_with_a_stable_message_id(row, mailoutbox):
    assert tasks.outbox_deliver([row.pk]) == 1

    item = InboxItem.objects.get()
    assert (item.user_id, item.outbox_id, item.url) == (row.recipient_id, row.pk, "/a/1/")
    [email] = mailoutbox
    assert email.to == [row.email]
    assert email.message()["Message-ID"] == message_id(row)
    row.refresh_from_db()
    assert (row.status, row.attempts) == (OutboxStatus.SENT, 1)
    assert row.email_sent_at is not None


def test_email_has_text_and_html_parts_in_the_recipients_language(mailoutbox):
    [dutch] = submitted(recipients=[UserFactory(language="nl")])
    [english] = submitted(recipients=[UserFactory(language="en")])

    tasks.outbox_deliver([dutch.pk])
    tasks.outbox_deliver([english.pk])

    nl, en = mailoutbox
    assert en.subject == "Receipt of your application ALP-2026-00042"
    assert nl.subject != en.subject and "ALP-2026-00042" in nl.subject
    [(nl_html, nl_type)] = nl.alternatives
    [(en_html, en_type)] = en.alternatives
    assert nl_type == en_type == "text/html"
    assert "Circulaire voucher" in nl.body and "11 december 2026" in nl.body and "11 december 2026" in nl_html
    assert "Circular voucher" in en.body and "11 December 2026" in en.body and "11 December 2026" in en_html
    assert 'lang="nl"' in nl_html and 'lang="en"' in en_html
    assert (nl.message()["Message-ID"], en.message()["Message-ID"]) == (message_id(dutch), message_id(english))


def test_delivering_the_same_row_twice_sends_once(row, mailoutbox):
    assert tasks.outbox_deliver([row.pk]) == 1
    assert tasks.outbox_deliver([row.pk]) == 0

    assert len(mailoutbox) == 1
    assert InboxItem.objects.count() == 1
    row.refresh_from_db()
    assert row.attempts == 1


@pytest.fixture
def later():
    """The deliveries the task schedules for later: [(ids, countdown)]."""
    scheduled = []
    with mock.patch.object(tasks.outbox_deliver, "apply_async",
                           side_effect=lambda args, countdown: scheduled.append((args[0], countdown))):
        yield scheduled


def test_transport_error_leaves_the_row_pending_with_the_attempt_counted_and_a_retry_scheduled(
    row, smtp_down, mailoutbox, later
):
    assert tasks.outbox_deliver([row.pk]) == 0

    row.refresh_from_db()
    assert (row.status, row.attempts, row.email_sent_at) == (OutboxStatus.PENDING, 1, None)
    assert "451" in row.last_error
    assert not InboxItem.objects.exists()  # rolled back with the failed attempt
    assert mailoutbox == []
    assert later == [([row.pk], 10)]
    # The relay leaves it alone until after the retry's countdown.
    assert row.claimed_until > timezone.now() + timedelta(seconds=10)


def test_retries_back_off_and_the_row_is_marked_failed_after_the_last_attempt(row, smtp_down, later):
    for _attempt in range(settings.OUTBOX_MAX_ATTEMPTS):
        tasks.outbox_deliver([row.pk])

    row.refresh_from_db()
    assert (row.status, row.attempts) == (OutboxStatus.FAILED, settings.OUTBOX_MAX_ATTEMPTS)
    assert [countdown for _ids, countdown in later] == [10, 20, 40, 80][: settings.OUTBOX_MAX_ATTEMPTS - 1]
    assert not InboxItem.objects.exists()


def test_a_lost_connection_puts_off_the_rest_of_the_batch_without_counting_an_attempt(mailoutbox, later):
    user = UserFactory()
    first, second, third = (submitted(recipients=[user])[0]
                            for _ in range(3))
    tasks.outbox_deliver([first.pk])
    lost = smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
    with mock.patch.object(LocmemBackend, "send_messages", side_effect=lost):
        assert tasks.outbox_deliver([first.pk, second.pk, third.pk]) == 0

    second.refresh_from_db()
    third.refresh_from_db()
    assert (second.attempts, third.attempts) == (1, 0)
    assert later == [([second.pk], 10), ([third.pk], 10)]
    assert third.claimed_until > timezone.now() + timedelta(seconds=10)
    assert tasks.outbox_deliver([third.pk]) == 1  # the scheduled retry
    assert len(mailoutbox) == 2


def test_a_refused_message_does_not_hold_up_the_rest_of_the_batch(mailoutbox, later):
    user = UserFactory()
    refused, fine = (submitted(recipients=[user])[0] for _ in range(2))
    original, calls = LocmemBackend.send_messages, []

    def refuse_first(self, messages):
        calls.append(messages)
        if len(calls) == 1:
            raise smtplib.SMTPRecipientsRefused({refused.email: (550, b"5.1.1 mailbox unavailable")})
        return original(self, messages)

    with mock.patch.object(LocmemBackend, "send_messages", refuse_first):
        assert tasks.outbox_deliver([refused.pk, fine.pk]) == 1

    assert [m["Message-ID"] for m in (e.message() for e in mailoutbox)] == [message_id(fine)]
    assert later == [([refused.pk], 10)]


def test_retry_puts_a_failed_row_back_and_delivers_it(
    row, broker_delivers_at_once, mailoutbox, django_capture_on_commit_callbacks
):
    Outbox.objects.filter(pk=row.pk).update(status=OutboxStatus.FAILED, attempts=5, last_error="451")

    with django_capture_on_commit_callbacks(execute=True):
        assert outbox_retry(ids=[row.pk]) == 1

    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == (OutboxStatus.SENT, 1, "")
    assert [email.message()["Message-ID"] for email in mailoutbox] == [message_id(row)]


def test_retry_leaves_rows_that_did_not_fail_alone(row, handed, django_capture_on_commit_callbacks):
    # (handed: the retry's after-commit relay must not reach a real broker.)
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox_retry(ids=[row.pk]) == 0

    row.refresh_from_db()
    assert (row.status, row.attempts) == (OutboxStatus.PENDING, 0)


@pytest.fixture
def submission(org_x):
    """A draft whose submission notifies the applicant and the municipality's two officers."""
    applicant = ApplicantFactory()
    make_staff(org_x, StaffRole.OFFICER)
    make_staff(org_x, StaffRole.OFFICER)
    scheme = SchemeFactory(organisation=org_x, ceiling=Decimal("10000.00"))
    return CompleteApplicationFactory(scheme=scheme, company=applicant.test_company, created_by=applicant), applicant


def test_submit_succeeds_when_the_broker_is_down_at_commit(
    submission, broker_down, django_capture_on_commit_callbacks
):
    draft, applicant = submission

    with django_capture_on_commit_callbacks(execute=True):
        application = application_submit(application_id=draft.pk, actor=applicant)

    assert broker_down.called
    assert application.state == ApplicationState.SUBMITTED
    rows = Outbox.objects.all()
    assert len(rows) == 3
    assert {(r.status, r.claimed_until, r.attempts) for r in rows} == {(OutboxStatus.PENDING, None, 0)}


def test_rows_left_by_a_broker_outage_are_delivered_once_by_the_next_relay(
    submission, mailoutbox, django_capture_on_commit_callbacks
):
    draft, applicant = submission
    with mock.patch.object(tasks.outbox_deliver, "delay", side_effect=OperationalError("down")):
        with django_capture_on_commit_callbacks(execute=True):
            application_submit(application_id=draft.pk, actor=applicant)

    with mock.patch.object(tasks.outbox_deliver, "delay", side_effect=lambda pk: tasks.outbox_deliver(pk)):
        assert outbox_relay() == 3
        assert outbox_relay() == 0

    assert sorted(email.message()["Message-ID"] for email in mailoutbox) == sorted(
        message_id(row) for row in Outbox.objects.all()
    )
    assert InboxItem.objects.count() == 3
    assert set(Outbox.objects.values_list("status", flat=True)) == {OutboxStatus.SENT}


def test_relay_hands_out_each_row_once_per_lease(handed, time_machine):
    time_machine.move_to(datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC), tick=False)
    rows = submitted(recipients=UserFactory.create_batch(3))
    ids = sorted(row.pk for row in rows)

    assert outbox_relay() == 3
    assert outbox_relay() == 0  # a second relay while the lease holds
    assert sorted(handed) == ids

    time_machine.shift(datetime.timedelta(seconds=settings.OUTBOX_LEASE_SECONDS + 1))
    assert outbox_relay() == 3  # the tasks were lost: the rows are claimed again
    assert outbox_relay() == 0
    assert Counter(handed) == dict.fromkeys(ids, 2)


def test_relay_skips_rows_already_sent_or_failed(row, handed):
    [sent, failed] = submitted(recipients=UserFactory.create_batch(2))
    Outbox.objects.filter(pk=sent.pk).update(status=OutboxStatus.SENT)
    Outbox.objects.filter(pk=failed.pk).update(status=OutboxStatus.FAILED)

    assert outbox_relay() == 1
    assert handed == [row.pk]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_relays_never_hand_out_the_same_row(handed):
    user = UserFactory()
    Outbox.objects.bulk_create(
        Outbox(event="application_submitted", recipient=user, email=user.email, context=CONTEXT) for _ in range(60)
    )
    barrier = threading.Barrier(4)

    def relay():
        try:
            barrier.wait()
            while outbox_relay(limit=5):
                pass
        finally:
            connection.close()

    threads = [threading.Thread(target=relay) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert Counter(handed) == dict.fromkeys(Outbox.objects.values_list("pk", flat=True), 1)


def test_relay_command_hands_out_a_backlog_in_batches_each_row_once(handed):
    rows = submitted(recipients=UserFactory.create_batch(5))
    out = io.StringIO()

    call_command("outbox_relay", batch_size=2, stdout=out)

    assert sorted(handed) == sorted(row.pk for row in rows)
    assert "5 outbox rows" in out.getvalue()
    assert not Outbox.objects.filter(claimed_until__isnull=True).exists()


def test_relay_command_stops_when_the_broker_is_down_and_leaves_the_rows_pending(broker_down):
    submitted(recipients=UserFactory.create_batch(3))
    out = io.StringIO()

    call_command("outbox_relay", batch_size=2, stdout=out)

    assert broker_down.call_count == 1
    assert "0 outbox rows" in out.getvalue()
    assert Outbox.objects.filter(status=OutboxStatus.PENDING, claimed_until__isnull=True).count() == 3
