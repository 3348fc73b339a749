"""Thin Celery entry points; the work is in notifications.services."""

import smtplib

from celery import shared_task
from celery.signals import worker_process_shutdown
from django.conf import settings

from . import mailer, services

TRANSPORT_ERRORS = (smtplib.SMTPException, OSError)


@shared_task(name="notifications.tasks.outbox_relay")
def outbox_relay():
    return services.outbox_relay()


@shared_task(bind=True, name="notifications.tasks.outbox_deliver", max_retries=None)
def outbox_deliver(self, outbox_id):
    try:
        return services.outbox_deliver(outbox_id=outbox_id)
    except TRANSPORT_ERRORS as error:
        final = self.request.retries + 1 >= settings.OUTBOX_MAX_ATTEMPTS
        countdown = 10 * 2**self.request.retries  # exponential backoff: 10 s, 20 s, 40 s, ...
        services.outbox_record_failure(outbox_id=outbox_id, error=error, final=final, retry_in=countdown)
        if final:
            return False
        raise self.retry(countdown=countdown, exc=error) from error


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
