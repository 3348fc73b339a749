"""Notifications leave the process only through the outbox.

notify(...)        inside the business transaction: one outbox row per recipient, relayed after commit.
outbox_relay(...)  claims pending rows with a lease and hands their ids to Celery.
outbox_deliver(id) the idempotent delivery: at most one inbox item and one email per row, sent over
                   the worker process's open SMTP connection (notifications/mailer.py).
outbox_retry(ids)  an administrator's retry of failed rows.
outbox_digest_send(...)  the daily digest: one email per user per day with the held emails.
preferences_update(...)  a user's choice per category: immediately or in the daily digest.
"""

import logging
from datetime import date, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format

from . import mailer
from .events import EVENTS
from .models import DeliveryMode, InboxItem, NotificationPreference, Outbox, OutboxStatus

logger = logging.getLogger(__name__)


def notify(*, event, recipients=(), emails=(), context=None, url="", dedupe_key=None, organisation=None):
    """Write outbox rows for ``event`` to users ``recipients`` and bare addresses ``emails``.

    Must run inside the transaction of the change that causes it; the rows are relayed after
    commit and vanish with a rollback. ``context`` must be JSON-serialisable. ``organisation`` (an
    Organisation or its id; default ``context["organisation_id"]``) scopes the operations page. A
    recipient who chose the digest for the event's category gets the inbox item at once and the
    email in the next daily digest, unless the event is immediate (legal effect, account).
    Returns the rows.

    Raises ValueError for a ``municipal`` event (notifications.events) without a municipality, or
    another event with one: a row without it would be missing from its administrators' page.
    """
    spec = EVENTS[event]
    context = context or {}
    organisation_id = getattr(organisation, "pk", organisation) or context.get("organisation_id")
    if spec.municipal != (organisation_id is not None):
        raise ValueError(f"notify({event!r}): a {'municipal' if spec.municipal else 'non-municipal'} event "
                         f"{'needs' if spec.municipal else 'takes no'} organisation")
    users = {u.pk: u for u in recipients}
    digesting = set()
    if users and spec.email and not spec.immediate:
        digesting = set(
            NotificationPreference.objects.filter(
                user_id__in=users, category=spec.category, mode=DeliveryMode.DIGEST
            ).values_list("user_id", flat=True)
        )
    rows = []
    for user in users.values():
        rows.append(
            Outbox(
                event=event, recipient=user, email=user.email, language=user.language,
                send_email=spec.email, send_inbox=spec.inbox, context=context, url=url,
                organisation_id=organisation_id, digest_pending=user.pk in digesting,
                dedupe_key=f"{dedupe_key}:{user.pk}" if dedupe_key else None,
            )
        )
    for address in emails:
        rows.append(
            Outbox(
                event=event, email=address, language=translation.get_language() or settings.LANGUAGE_CODE,
                send_email=True, send_inbox=False, context=context, url=url, organisation_id=organisation_id,
                dedupe_key=f"{dedupe_key}:{address}" if dedupe_key else None,
            )
        )
    created = Outbox.objects.bulk_create(rows)
    ids = [row.pk for row in created]
    # robust: an unreachable broker after commit is logged, never raised into the user's request.
    transaction.on_commit(lambda: outbox_relay(ids=ids), robust=True)
    return created


def outbox_relay(*, ids=None, limit=200):
    """Claim pending rows (all, or ``ids``) whose lease is free and hand them to the delivery task,
    OUTBOX_TASK_SIZE rows per task (one task per email would cost more than the email).

    The claim sets ``claimed_until`` in its own transaction with SKIP LOCKED (PostgreSQL) or under
    SQLite's write lock, so two relays never hand out the same row. A row whose task is lost
    (worker or broker died) is claimed again once its lease ends. Returns the number handed out.
    """
    from .tasks import outbox_deliver as deliver_task

    now = timezone.now()
    with transaction.atomic():
        pending = Outbox.objects.filter(status=OutboxStatus.PENDING).filter(
            Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
        )
        if ids is not None:
            pending = pending.filter(pk__in=ids)
        claimed = list(
            pending.select_for_update(skip_locked=True).order_by("pk").values_list("pk", flat=True)[:limit]
        )
        Outbox.objects.filter(pk__in=claimed).update(
            claimed_until=now + timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)
        )
    handed = 0
    size = settings.OUTBOX_TASK_SIZE
    for start in range(0, len(claimed), size):
        batch = claimed[start:start + size]
        try:
            deliver_task.delay(batch)
            handed += len(batch)
        except Exception:  # broker down: free this claim and the rest so the next relay run tries again
            logger.warning("outbox relay could not publish rows %s; they stay pending", batch, exc_info=True)
            Outbox.objects.filter(pk__in=claimed[start:], status=OutboxStatus.PENDING).update(claimed_until=None)
            break
    return handed


def render_message(row):
    """Subject, text and HTML of a row, in the recipient's language."""
    base = f"notifications/{row.event}"
    context = {**row.context, "url": absolute_url(row.url), "recipient": row.recipient}
    # Texts stored in both languages (scheme titles) are picked in the recipient's language.
    for key in [k[:-3] for k in row.context if k.endswith("_nl")]:
        context[key] = row.context.get(f"{key}_{row.language}") or row.context[f"{key}_nl"]
    with translation.override(row.language):
        for key, value in row.context.items():
            if key.endswith("_on") and value:  # ISO dates become "11 december 2026" in the reader's language
                context[key] = date_format(date.fromisoformat(value), "j F Y")
        subject = " ".join(render_to_string(f"{base}/subject.txt", context).split())
        text = render_to_string(f"{base}/body.txt", context)
        html = render_to_string(f"{base}/body.html", context)
    return subject, text, html


def absolute_url(path):
    return f"{settings.SITE_URL.rstrip('/')}{path}" if path else ""


def outbox_deliver(*, outbox_id):
    """Deliver one row, idempotently: the row is locked, each channel has its own sent mark, and a
    row already sent is left alone. Transport errors propagate (the task retries); the inbox item
    of a failed attempt is rolled back with it. A ``digest_pending`` row gets its inbox item only (its
    email leaves with the digest); delivering a ``digest`` row marks the rows it carries emailed."""
    with transaction.atomic():
        # The recipient comes in the same query (the templates use it); only the row is locked.
        row = (
            Outbox.objects.select_for_update(of=("self",)).select_related("recipient").filter(pk=outbox_id).first()
        )
        if row is None or row.status == OutboxStatus.SENT:
            return False
        subject, text, html = render_message(row)
        if row.send_inbox and row.recipient_id:
            # One INSERT ... ON CONFLICT DO NOTHING (the item is unique per row) instead of get_or_create's
            # SELECT, SAVEPOINT, INSERT and RELEASE: a worker delivers thousands of these a minute.
            InboxItem.objects.bulk_create(
                [InboxItem(outbox=row, user_id=row.recipient_id, subject=subject, body=text, url=row.url)],
                ignore_conflicts=True,
            )
        # A held email leaves with the digest (outbox_digest_send), not now.
        if row.send_email and row.email and row.email_sent_at is None and not row.digest_pending:
            message = EmailMultiAlternatives(
                subject=subject, body=text, to=[row.email], headers={"Message-ID": row.message_id}
            )
            message.attach_alternative(html, "text/html")
            mailer.send(message)  # over this process's open SMTP connection
            row.email_sent_at = timezone.now()
            if row.event == "digest":
                Outbox.objects.filter(digest=row).update(email_sent_at=row.email_sent_at)
        row.status = OutboxStatus.SENT
        row.sent_at = timezone.now()
        row.attempts += 1
        row.last_error = ""
        row.save(update_fields=["status", "sent_at", "email_sent_at", "attempts", "last_error"])
        return True


def outbox_record_failure(*, outbox_id, error):
    """Count a failed attempt. Returns the seconds until the next attempt (exponential backoff: 10,
    20, 40, ...), or None after the last one, when the row is marked failed for an administrator.
    The lease is extended past the retry's countdown so the relay does not hand the row out meanwhile."""
    with transaction.atomic():
        row = Outbox.objects.select_for_update().filter(pk=outbox_id).first()
        if row is None or row.status == OutboxStatus.SENT:
            return None
        row.attempts += 1
        row.last_error = str(error)[:2000]
        retry_in = 10 * 2 ** (row.attempts - 1)
        if row.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
            row.status, retry_in = OutboxStatus.FAILED, None
        row.claimed_until = timezone.now() + timedelta(seconds=(retry_in or 0) + settings.OUTBOX_LEASE_SECONDS)
        row.save(update_fields=["attempts", "last_error", "status", "claimed_until"])
        return retry_in


def outbox_defer(*, ids, seconds):
    """Keep pending rows ``ids`` from the relay for ``seconds`` plus a lease: their delivery was put
    off (the mail server failed the row before them in the batch); no attempt is counted."""
    Outbox.objects.filter(pk__in=ids, status=OutboxStatus.PENDING).update(
        claimed_until=timezone.now() + timedelta(seconds=seconds + settings.OUTBOX_LEASE_SECONDS)
    )


def outbox_retry(*, ids):
    """Put failed rows back to pending and relay them after commit."""
    with transaction.atomic():
        count = Outbox.objects.filter(pk__in=ids, status=OutboxStatus.FAILED).update(
            status=OutboxStatus.PENDING, attempts=0, claimed_until=None
        )
        transaction.on_commit(lambda: outbox_relay(ids=list(ids)), robust=True)
    return count


def outbox_digest_send(*, now=None):
    """Collect each user's held emails into one digest row (event ``digest``), at most one per user
    per day: its dedupe key holds the date, so a second run the same day (or a second beat) leaves
    what arrived since for tomorrow. Per user in its own transaction; the held rows are locked so
    two runs never put one row in two digests. Returns the number of digests written."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    user_ids = (
        Outbox.objects.filter(digest_pending=True, recipient__isnull=False)
        .values_list("recipient_id", flat=True).distinct().order_by("recipient_id")
    )
    written = 0
    for user_id in list(user_ids):
        with transaction.atomic():
            held = list(
                Outbox.objects.select_for_update(of=("self",))
                .filter(recipient_id=user_id, digest_pending=True, created_at__lte=now)
                .select_related("recipient").order_by("created_at", "pk")
            )
            if not held:
                continue  # another run took them
            user = held[0].recipient
            items = []
            for row in held:
                subject, _text, _html = render_message(row)
                items.append({"subject": subject, "url": absolute_url(row.url)})
            try:
                with transaction.atomic():
                    [digest] = notify(event="digest", recipients=[user], context={"items": items, "day_on":
                                      today.isoformat()}, dedupe_key=f"digest:{today.isoformat()}")
            except IntegrityError:
                continue  # today's digest has gone out already; these wait for tomorrow's
            Outbox.objects.filter(pk__in=[row.pk for row in held]).update(digest_pending=False, digest=digest)
            written += 1
    return written


def preferences_for(user):
    """{category: mode} for every configurable category (immediately when the user chose nothing)."""
    from .events import CONFIGURABLE_CATEGORIES

    chosen = dict(NotificationPreference.objects.filter(user=user).values_list("category", "mode"))
    return {category: chosen.get(category, DeliveryMode.IMMEDIATE) for category in CONFIGURABLE_CATEGORIES}


def preferences_update(*, user, modes):
    """Store ``modes`` ({category: mode}) for ``user``. Held emails of a category switched back to
    immediately stay for the next digest (they were promised to it)."""
    with transaction.atomic():
        for category, mode in modes.items():
            NotificationPreference.objects.update_or_create(user=user, category=category, defaults={"mode": mode})
