from dataclasses import dataclass

from django.db import connection
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from workflows.access import Rule, require

from ..eligibility import scheme_conditions
from ..models import Scheme
from ..selectors import open_schemes


@dataclass(frozen=True)
class BudgetStatus:
    """What is left of a scheme's ceiling, in words and with a symbol of its own (never colour alone)."""

    code: str
    label: str
    symbol: str


AVAILABLE = BudgetStatus("available", _("Budget available"), "●")
NEARLY_EXHAUSTED = BudgetStatus("nearly-exhausted", _("Budget nearly exhausted"), "◐")
EXHAUSTED = BudgetStatus("exhausted", _("Budget exhausted"), "○")


def budget_status(scheme):
    """From the live totals (ceiling minus reservations and commitments): nearly exhausted below 10% of
    the ceiling or below one maximum award; None for a scheme without a budget row."""
    budget = getattr(scheme, "budget", None)
    if budget is None:
        return None
    available = budget.available
    if available <= 0:
        return EXHAUSTED
    if available * 10 < budget.ceiling or available < scheme.max_amount:
        return NEARLY_EXHAUSTED
    return AVAILABLE


def with_budget_status(schemes):
    schemes = list(schemes)
    for scheme in schemes:
        scheme.budget_status = budget_status(scheme)
    return schemes


@require(Rule.PUBLIC)
def home(request):
    return render(request, "grants/home.html", {"schemes": with_budget_status(open_schemes()[:6])})


@require(Rule.PUBLIC)
def scheme_list(request):
    """Open schemes first, then those opening later and the closed ones, all from one query."""
    today = timezone.localdate()
    schemes = with_budget_status(
        Scheme.objects.select_related("organisation", "budget").order_by("organisation__name", "opens_on", "pk")
    )
    return render(request, "grants/scheme_list.html", {
        "open": [s for s in schemes if s.is_open(today)],
        "upcoming": [s for s in schemes if today < s.opens_on],
        "closed": [s for s in schemes if s.closes_on is not None and s.closes_on < today],
    })


@require(Rule.PUBLIC)
def scheme_detail(request, scheme_id):
    scheme = get_object_or_404(
        Scheme.objects.select_related("organisation", "budget").prefetch_related("eligible_municipalities"),
        pk=scheme_id,
    )
    today = timezone.localdate()
    return render(request, "grants/scheme_detail.html", {
        "scheme": scheme, "is_open": scheme.is_open(today), "today": today, "budget_status": budget_status(scheme),
        "conditions": scheme_conditions(scheme),
    })


@require(Rule.PUBLIC)
def accessibility(request):
    return render(request, "grants/accessibility.html")


@require(Rule.PUBLIC)
def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")
