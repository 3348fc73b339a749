"""The public showcase of circular pilots (opt-in by the company) and the municipality's featured ones."""

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from workflows.access import Rule, require

from ..forms import ShowcaseFilterForm
from ..models import RLadder
from ..showcase import public_company_name, showcase_pilot, showcase_pilots


def _public(plan):
    plan.public_name = public_company_name(plan.application.company)
    plan.strategy_label = RLadder(plan.strategy).label if plan.strategy else ""
    return plan


@require(Rule.PUBLIC)
@require_GET
def showcase_list(request):
    form = ShowcaseFilterForm(request.GET or None)
    form.is_valid()  # an unknown filter value is shown at the field and left out
    filters = getattr(form, "cleaned_data", {})
    pilots = showcase_pilots(municipality=filters.get("municipality"), strategy=filters.get("strategy") or "")
    page = Paginator(pilots, 24).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "grants/showcase_list.html", {
        "form": form, "page": page, "pilots": [_public(plan) for plan in page.object_list],
        "query": query.urlencode()})


@require(Rule.PUBLIC)
@require_GET
def showcase_detail(request, plan_id):
    plan, report = showcase_pilot(plan_id)
    if plan is None:
        raise Http404
    return render(request, "grants/showcase_detail.html", {
        "plan": _public(plan), "application": plan.application, "report": report,
        "indicators": list(report.indicators.all()) if report else []})
