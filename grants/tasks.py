"""Thin Celery entry points for grants; the work is in workflows.services."""

from celery import shared_task


@shared_task(name="grants.tasks.pilot_report_reminders")
def pilot_report_reminders():
    from workflows.services import pilot_report_reminders as remind

    return remind()
