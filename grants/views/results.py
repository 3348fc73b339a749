"""The results dashboard of pilot grants for managers, for the municipalities where they are manager."""

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from workflows import access
from workflows.access import Rule, require

from ..results import indicator_totals, lessons_learned, results_workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@require(Rule.MANAGER)
@require_GET
def results_dashboard(request):
    organisations = access.managed_organisation_ids(request.user)
    language = get_language()
    # Four queries: the totals per scheme, per municipality and per R-strategy, and the lessons learned.
    return render(request, "grants/pilot_results.html", {
        "sections": [(_("Per scheme"), indicator_totals(organisations, "scheme", language)),
                     (_("Per municipality"), indicator_totals(organisations, "municipality", language)),
                     (_("Per R-strategy"), indicator_totals(organisations, "strategy", language))],
        "lessons": lessons_learned(organisations),
    })


@require(Rule.MANAGER)
@require_GET
def results_export(request):
    content = results_workbook(access.managed_organisation_ids(request.user), get_language())
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="pilotresultaten.xlsx"'
    return response
