"""The manager's budget figures and exports: aggregates in the database, a constant number of
queries whatever the number of schemes or applications."""

from django.db.models import Count, DecimalField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from .models import Application, ApplicationState, Award, DeMinimisShare, LedgerEntry, LedgerKind, Scheme

ZERO = Value(0, output_field=DecimalField(max_digits=14, decimal_places=2))


def _ledger_sum(kind):
    rows = LedgerEntry.objects.filter(budget__scheme=OuterRef("pk"), kind=kind).order_by().values("budget")
    return Coalesce(Subquery(rows.annotate(total=Sum("amount")).values("total")[:1],
                             output_field=DecimalField(max_digits=14, decimal_places=2)), ZERO)


def _state_count(state):
    # A correlated count per scheme and state: an index-only scan of (scheme, state, ...) each, instead of
    # grouping every application of the municipality against every column of the scheme.
    rows = Application.objects.filter(scheme=OuterRef("pk"), state=state).order_by().values("scheme")
    return Coalesce(Subquery(rows.annotate(n=Count("pk")).values("n")[:1]), 0)


def budget_overview(organisation_ids):
    """Schemes of ``organisation_ids`` with their budget row and, annotated: the advances paid and the
    number of applications per state (one query)."""
    counts = {f"n_{state}": _state_count(state) for state in ApplicationState.values if state != ApplicationState.DRAFT}
    return (
        Scheme.objects.filter(organisation_id__in=organisation_ids)
        .select_related("organisation", "budget")
        .annotate(advanced=_ledger_sum(LedgerKind.ADVANCE), **counts)
        .order_by("organisation__name", "title_nl")
    )


STATE_COLUMNS = [state for state in ApplicationState.values if state != ApplicationState.DRAFT]


def ledger_rows(organisation_ids):
    return (
        LedgerEntry.objects.filter(budget__scheme__organisation_id__in=organisation_ids)
        .select_related("budget__scheme__organisation", "application")
        .order_by("created_at", "pk")
    )


def award_rows(organisation_ids):
    return (
        Award.objects.filter(application__scheme__organisation_id__in=organisation_ids)
        .select_related("application__scheme__organisation", "application__company")
        .order_by("granted_on", "pk")
    )


def de_minimis_rows(organisation_ids):
    return (
        DeMinimisShare.objects.filter(award__application__scheme__organisation_id__in=organisation_ids)
        .select_related("company", "award__application__scheme__organisation")
        .order_by("granted_on", "pk")
    )
