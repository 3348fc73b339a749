"""Reminders from beat jobs that query what is due (never long countdowns).

A feature plugs in one function per reminder kind, in a ``reminders.py`` module of its app:

    @reminder("decision_due_soon")
    def decision_due_soon(today):
        for application in ...:  # a query for what is due, e.g. through without_reminder(...)
            yield Due(obj=application, due_on=application.decision_due_on, event="decision_due_soon",
                      recipients=[...], context={...}, url="/...", organisation=...)

``reminders_send`` (beat, notifications.tasks.reminders_send) imports every app's ``reminders``
module, runs each function and sends every Due it yields once per object, kind and due date: the
Reminder row is unique on them, so running the job twice or two beats at once sends it once.
"""

import logging
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from .models import Reminder
from .services import notify

logger = logging.getLogger(__name__)

REMINDERS = {}


@dataclass
class Due:
    obj: object
    due_on: object  # a date
    event: str
    recipients: list = field(default_factory=list)
    context: dict = field(default_factory=dict)
    url: str = ""
    organisation: object = None


def reminder(kind):
    """Register ``function(today) -> iterable of Due`` as the source of reminders of ``kind``."""

    def register(function):
        REMINDERS[kind] = function
        return function

    return register


def without_reminder(queryset, *, kind, due_field):
    """``queryset`` minus the objects already reminded of ``kind`` for their current ``due_field``:
    keeps a daily job's work proportional to what is newly due, not to everything ever due."""
    content_type = ContentType.objects.get_for_model(queryset.model)
    sent = Reminder.objects.filter(
        content_type=content_type, object_id=OuterRef("pk"), kind=kind, due_on=OuterRef(due_field)
    )
    return queryset.exclude(Exists(sent))


def remind(*, kind, due):
    """Send ``due`` unless a reminder of ``kind`` for its object and due date exists. Returns True
    when this call sent it. The Reminder row and the outbox rows commit together."""
    content_type = ContentType.objects.get_for_model(type(due.obj))
    try:
        with transaction.atomic():
            Reminder.objects.create(content_type=content_type, object_id=due.obj.pk, kind=kind, due_on=due.due_on)
            notify(event=due.event, recipients=due.recipients, context=due.context, url=due.url,
                   organisation=due.organisation,
                   dedupe_key=f"reminder:{content_type.pk}:{due.obj.pk}:{kind}:{due.due_on.isoformat()}")
    except IntegrityError:
        return False  # sent before, or by a concurrent run
    return True


def reminders_send(*, today=None, kinds=None):
    """Run every registered reminder source (or ``kinds``) for ``today``; returns {kind: sent}."""
    autodiscover_modules("reminders")
    today = today or timezone.localdate()
    sent = {}
    for kind, source in REMINDERS.items():
        if kinds is not None and kind not in kinds:
            continue
        sent[kind] = sum(remind(kind=kind, due=due) for due in source(today))
    logger.info("reminders sent: %s", sent)
    return sent
