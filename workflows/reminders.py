"""Reminders about applications (registered with notifications.reminders; run by beat daily).

Working days per workflows/deadlines.py: "in 5 working days" is the due date on or before the fifth
working day after today. While information is requested the decision clock stands still (Awb 4:15),
so those cases get the repair reminder, not the decision ones.
"""

from grants.models import Application, ApplicationState, StaffRole
from notifications.reminders import Due, reminder, without_reminder

from .deadlines import add_working_days
from .services.applications import _applicant_url, _company_users, _context, _staff, _staff_url

DECISION_SOON_WORKING_DAYS = 5
REPAIR_SOON_WORKING_DAYS = 3
DECIDING = [ApplicationState.SUBMITTED, ApplicationState.IN_REVIEW, ApplicationState.PROPOSED]


def _cases(kind, **filters):
    queryset = Application.objects.filter(**filters).select_related("scheme__organisation", "company", "assigned_to")
    return without_reminder(queryset, kind=kind, due_field="decision_due_on" if "decision" in kind else "repair_due_on")


def _officers(application):
    """The assigned officer, or all the municipality's officers while nobody is."""
    if application.assigned_to_id and application.assigned_to.is_active:
        return [application.assigned_to]
    return list(_staff(application, StaffRole.OFFICER))


@reminder("decision_due_soon")
def decision_due_soon(today):
    horizon = add_working_days(today, DECISION_SOON_WORKING_DAYS)
    for app in _cases("decision_due_soon", state__in=DECIDING, decision_due_on__gte=today,
                      decision_due_on__lte=horizon):
        yield Due(obj=app, due_on=app.decision_due_on, event="decision_due_soon", recipients=_officers(app),
                  context=_context(app), url=_staff_url(app), organisation=app.scheme.organisation_id)


@reminder("decision_overdue")
def decision_overdue(today):
    for app in _cases("decision_overdue", state__in=DECIDING, decision_due_on__lt=today):
        yield Due(obj=app, due_on=app.decision_due_on, event="decision_overdue", recipients=_officers(app),
                  context=_context(app), url=_staff_url(app), organisation=app.scheme.organisation_id)


@reminder("repair_due_soon")
def repair_due_soon(today):
    horizon = add_working_days(today, REPAIR_SOON_WORKING_DAYS)
    for app in _cases("repair_due_soon", state=ApplicationState.INFO_REQUESTED, repair_due_on__gte=today,
                      repair_due_on__lte=horizon):
        yield Due(obj=app, due_on=app.repair_due_on, event="repair_due_soon", recipients=_company_users(app),
                  context={**_context(app), "repair_due_on": app.repair_due_on.isoformat()},
                  url=_applicant_url(app), organisation=app.scheme.organisation_id)
