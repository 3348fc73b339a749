"""The public showcase of circular pilots: only pilots whose company opted in, featured ones first.
Never the name of a natural person: a sole trader's pilot shows no company name."""

from django.db.models import F, OuterRef, Prefetch, Subquery, Value
from django.db.models.functions import Coalesce, NullIf

from .models import ApplicationState, Report, ReportingPlan, ReportState
from .register import NATURAL_PERSON_FORMS


def _latest_accepted(field):
    return Subquery(Report.objects.filter(plan=OuterRef("pk"), state=ReportState.ACCEPTED)
                    .order_by("-due_on", "-pk").values(field)[:1])


def showcase_pilots(*, municipality=None, strategy=""):
    """Opted-in pilots with their R-strategy (the latest accepted report's, else the application's
    target rung), filterable by municipality and strategy; one query."""
    # Only running or finished awards: an award that is no longer standing leaves the showcase.
    queryset = (ReportingPlan.objects.filter(showcase_consent=True, application__state=ApplicationState.AWARDED)
                .select_related("application__scheme__organisation", "application__company")
                .annotate(strategy=Coalesce(NullIf(_latest_accepted("rung_achieved"), Value("")),
                                            NullIf(F("application__target_rung"), Value(""))),
                          latest_report_id=_latest_accepted("pk"))
                .order_by("-featured", "-application__decided_at", "-pk"))
    if municipality is not None:
        queryset = queryset.filter(application__scheme__organisation=municipality)
    if strategy:
        queryset = queryset.filter(strategy=strategy)
    return queryset


def showcase_pilot(plan_id):
    """One opted-in pilot with its latest accepted report and that report's figures (three queries)."""
    plan = showcase_pilots().filter(pk=plan_id).first()
    if plan is None:
        return None, None
    report = (Report.objects.filter(pk=plan.latest_report_id).prefetch_related(
        Prefetch("indicators")).first() if plan.latest_report_id else None)
    return plan, report


def public_company_name(company):
    return "" if company.legal_form in NATURAL_PERSON_FORMS else company.name
