"""Reads shared by several views, with their joins in one place."""

from datetime import timedelta

from django.db import connection
from django.db.models import Count, Q
from django.utils import timezone

from workflows import access

from .models import Application, ApplicationState, Scheme
from .state_counts import per_state


def open_schemes():
    return Scheme.objects.open_on(timezone.localdate()).select_related("organisation", "budget")


def applications_of_companies(company_ids):
    return (
        Application.objects.filter(company_id__in=company_ids)
        .select_related("scheme", "scheme__organisation", "company")
        .order_by("-created_at")
    )


def case_queue_for(user, *, state=None, organisation_id=None, scheme_id=None, assignee=None, due_within=None,
                   overdue=False, search=""):
    """The staff queue: submitted cases of the user's municipalities, earliest decision due first.

    assignee: "me", "unassigned" or None (anyone); due_within: days from today; overdue: open cases past
    their decision date; search: part of the reference, company name or KvK number (Application.search_text)."""
    from .models.applications import OPEN_STATES

    queryset = access.staff_cases(user)
    if organisation_id:
        queryset = queryset.filter(organisation_id=organisation_id)
    if state:
        queryset = queryset.filter(state=state)
    if scheme_id:
        queryset = queryset.filter(scheme_id=scheme_id)
    if assignee == "me":
        queryset = queryset.filter(assigned_to=user)
    elif assignee == "unassigned":
        queryset = queryset.filter(assigned_to__isnull=True)
    today = timezone.localdate()
    if due_within is not None:
        queryset = queryset.filter(state__in=OPEN_STATES, decision_due_on__lte=today + timedelta(days=due_within))
    if overdue:
        queryset = queryset.filter(state__in=OPEN_STATES, decision_due_on__lt=today)
    if search:
        # Reference, company name and KvK number in one column (migration 0013): upper-cased and trigram-indexed
        # on PostgreSQL; as written on SQLite, whose upper() knows only ASCII.
        if connection.vendor == "postgresql":
            queryset = queryset.filter(search_text__contains=search.upper())
        else:
            queryset = queryset.filter(search_text__icontains=search)
    # Only what a queue row shows (templates/grants/case_list.html): the long texts of a case and its scheme
    # stay in the database.
    return queryset.select_related("scheme", "company", "assigned_to").only(*QUEUE_ROW_FIELDS).order_by(
        "decision_due_on", "pk"
    )


QUEUE_ROW_FIELDS = (
    "reference", "state", "requested_amount", "decision_due_on", "organisation_id",
    "scheme__title_nl", "scheme__title_en", "company__name", "assigned_to__full_name",
)


def state_counts_for(user):
    """[(state, label, number)] of the cases the user's staff pages show, from the per-state counts the
    database keeps (grants/state_counts.py): a few dozen rows, however many applications there are."""
    counts = per_state(access.organisation_ids(user, *access.CASE_ROLES))
    return [(state, label, counts.get(state, 0)) for state, label in ApplicationState.choices
            if state != ApplicationState.DRAFT]


def first_come_place(application):
    """For a first-come scheme: the application's place among the scheme's undecided applications in
    order of completeness, how many there are, and the amount reserved for it (two queries). None for
    drafts, decided applications and other distribution methods."""
    from .models import DistributionMethod
    from .models.applications import OPEN_STATES
    from .services import reserved_for

    if application.scheme.distribution != DistributionMethod.FIRST_COME or application.state not in OPEN_STATES:
        return None
    counts = Application.objects.filter(scheme_id=application.scheme_id, state__in=OPEN_STATES).aggregate(
        ahead=Count("pk", filter=Q(completed_at__lt=application.completed_at)
                    | Q(completed_at=application.completed_at, pk__lt=application.pk)),
        total=Count("pk"),
    )
    reserved = reserved_for(application)
    return {"position": counts["ahead"] + 1, "total": counts["total"], "reserved": reserved,
            "short": application.requested_amount - reserved}


def reports_due(on, days):
    """Pilot reports not yet submitted (due, or returned to the grantee) whose due date is at most
    ``days`` days after ``on``: overdue ones included. For reminders (the report-due beat job and the
    notifications' reminder overview); the application, scheme and company are joined."""
    from .models import Report, ReportState

    return (Report.objects.filter(state__in=[ReportState.DUE, ReportState.RETURNED],
                                  due_on__lte=on + timedelta(days=days))
            .select_related("application__scheme__organisation", "application__company").order_by("due_on", "pk"))
def vouchers_expiring(*, on, days):
    """Unredeemed vouchers whose validity ends exactly ``days`` days after ``on`` (reminders)."""
    from .models import Voucher
    from .models.vouchers import UNREDEEMED

    return Voucher.objects.filter(state__in=UNREDEEMED, valid_until=on + timedelta(days=days)).select_related(
        "application__company", "application__scheme", "provider")
