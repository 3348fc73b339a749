"""The message thread between the applicant and the municipality on one application."""

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from applicants.models import User
from notifications.services import notify
from workflows.exceptions import TransitionRefused

from .models import ApplicationState, Message, StaffRole

DRAFT_HAS_NO_THREAD = _("Submit the application first; a draft has no municipality to write to yet.")


def thread_of(application):
    """The messages of one application, oldest first, authors in the same query."""
    return Message.objects.filter(application=application).select_related("author").order_by("created_at", "pk")


def _recipients(application, *, from_staff, author):
    if from_staff:
        users = User.objects.filter(company_memberships__company_id=application.company_id, is_active=True)
    elif application.assigned_to_id:
        users = User.objects.filter(pk=application.assigned_to_id, is_active=True)
    else:
        users = User.objects.filter(
            staff_memberships__organisation_id=application.scheme.organisation_id,
            staff_memberships__role=StaffRole.OFFICER, is_active=True,
        )
    return users.exclude(pk=author.pk).distinct()


def message_post(*, application, author, body, from_staff):
    """Add ``body`` to the thread and notify the other side (event ``message_received``): the company's
    users when the municipality writes; the assigned officer, or all officers of the municipality while
    the case is unassigned, when the applicant writes.

    The caller has checked that ``author`` may write for that side. Raises TransitionRefused for a draft,
    which no municipality handles yet. The notification is written in the same transaction.
    """
    if application.state == ApplicationState.DRAFT:
        raise TransitionRefused(str(DRAFT_HAS_NO_THREAD))
    with transaction.atomic():
        message = Message.objects.create(application=application, author=author, body=body, from_staff=from_staff)
        url = reverse("application_detail" if from_staff else "case_detail", args=[application.pk])
        notify(
            event="message_received",
            recipients=_recipients(application, from_staff=from_staff, author=author),
            context={"reference": application.reference, "title": application.title,
                     "organisation": application.scheme.organisation.name, "from_staff": from_staff},
            url=f"{url}#thread-title", organisation=application.scheme.organisation_id,
        )
    return message
