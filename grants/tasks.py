"""Thin Celery entry points for grants; the work is in workflows.services."""

from celery import shared_task


@shared_task(name="grants.tasks.pilot_report_reminders")
def pilot_report_reminders():
    from workflows.services import pilot_report_reminders as remind

    return remind()


@shared_task(name="grants.tasks.voucher_expiry")
def voucher_expiry():
    """Send the 30- and 7-day reminders, then expire the vouchers past their validity (idempotent)."""
    from workflows.services.vouchers import vouchers_expire_due, vouchers_send_expiry_reminders

    reminded = vouchers_send_expiry_reminders()
    expired = vouchers_expire_due()
    return {"reminded": reminded, "expired": len(expired)}


@shared_task(name="grants.tasks.state_counts_compact")
def state_counts_compact():
    from .state_counts import compact

    return compact()
