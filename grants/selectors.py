"""Reads shared by several views, with their joins in one place."""

from django.db.models import Count
from django.utils import timezone

from workflows import access

from .models import Application, ApplicationState, Scheme


def open_schemes():
    return Scheme.objects.open_on(timezone.localdate()).select_related("organisation", "budget")


def applications_of_companies(company_ids):
    return (
        Application.objects.filter(company_id__in=company_ids)
        .select_related("scheme", "scheme__organisation", "company")
        .order_by("-created_at")
    )


def case_queue_for(user, *, state=None, organisation_id=None):
    """The staff queue: submitted cases of the user's municipalities, earliest decision due first."""
    queryset = access.staff_cases(user)
    if organisation_id:
        queryset = queryset.filter(scheme__organisation_id=organisation_id)
    if state:
        queryset = queryset.filter(state=state)
    return queryset.select_related("scheme", "scheme__organisation", "company", "assigned_to").order_by(
        "decision_due_on", "pk"
    )


def state_counts_for(user):
    rows = (
        access.staff_cases(user)
        .values("state")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts = {row["state"]: row["n"] for row in rows}
    return [(state, label, counts.get(state, 0)) for state, label in ApplicationState.choices
            if state != ApplicationState.DRAFT]
