"""Thin Celery entry points; the work is in notifications.services."""

import logging
import smtplib

from celery import shared_task
from celery.signals import worker_process_shutdown

from . import mailer, services

logger = logging.getLogger(__name__)

TRANSPORT_ERRORS = (smtplib.SMTPException, OSError)
# The server refused this one message (its recipient, sender or content) over a working connection:
# the rest of the batch goes on. Any other transport error (connection refused or lost, timeout)
# would hit the rest too, so they wait for the failed row's retry instead of each trying in vain.
MESSAGE_ERRORS = (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError)


@shared_task(name="notifications.tasks.outbox_relay")
def outbox_relay():
    return services.outbox_relay()


@shared_task(name="notifications.tasks.outbox_deliver")
def outbox_deliver(outbox_ids):
    """Deliver a batch of outbox rows (the relay hands them out OUTBOX_TASK_SIZE at a time), each in
    its own transaction, idempotently: a batch redelivered after a worker died skips the rows already
    sent. A row whose delivery fails is retried alone, later, with exponential backoff (10 s, 20 s,
    40 s, ...) until OUTBOX_MAX_ATTEMPTS; then it is marked failed for an administrator.
    Returns the number of rows delivered now."""
    ids = [outbox_ids] if isinstance(outbox_ids, int) else list(outbox_ids)  # an int: one row (older tasks)
    delivered = 0
    for index, outbox_id in enumerate(ids):
        try:
            delivered += services.outbox_deliver(outbox_id=outbox_id)
        except TRANSPORT_ERRORS as error:
            retry_in = services.outbox_record_failure(outbox_id=outbox_id, error=error)
            if retry_in is not None:
                _deliver_later([outbox_id], retry_in)
            if not isinstance(error, MESSAGE_ERRORS) and index + 1 < len(ids):
                rest = ids[index + 1:]
                services.outbox_defer(ids=rest, seconds=retry_in or 10)
                _deliver_later(rest, retry_in or 10)
                break
    return delivered


def _deliver_later(ids, countdown):
    """Publish a delivery of ``ids`` in ``countdown`` seconds. If the broker refuses, the rows' lease
    (extended past the countdown) runs out and the relay hands them out again."""
    try:
        outbox_deliver.apply_async((ids,), countdown=countdown)
    except Exception:
        logger.warning("could not schedule the retry of outbox rows %s; the relay will", ids, exc_info=True)


@worker_process_shutdown.connect
def close_mail_connection(**kwargs):
    # The worker process's SMTP connection (kept open between deliveries) ends with a QUIT.
    mailer.close()


@shared_task(name="notifications.tasks.reminders_send")
def reminders_send():
    from .reminders import reminders_send as send

    return send()


@shared_task(name="notifications.tasks.outbox_digest_send")
def outbox_digest_send():
    return services.outbox_digest_send()
