"""The open subsidy register (Woo 3.3a): a public page and streamed CSV and JSON downloads."""

from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from workflows.access import Rule, require

from ..forms import RegisterFilterForm
from ..register import register_awards, register_row, stream_csv, stream_json


def _filtered(request):
    form = RegisterFilterForm(request.GET or None)
    form.is_valid()
    return form, register_awards(municipality=getattr(form, "cleaned_data", {}).get("municipality"))


@require(Rule.PUBLIC)
@require_GET
def register(request):
    form, awards = _filtered(request)
    paginator = Paginator(awards, 50)
    # The size without the joins the rows need (award, scheme, company): a plain indexed count.
    paginator.count = register_awards(municipality=getattr(form, "cleaned_data", {}).get("municipality"),
                                      annotated=False).count()
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "grants/register.html", {
        "form": form, "page": page, "rows": [register_row(application) for application in page.object_list],
        "query": query.urlencode()})


@require(Rule.PUBLIC)
@require_GET
def register_csv(request):
    _form, awards = _filtered(request)
    response = StreamingHttpResponse(stream_csv(awards), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="subsidieregister.csv"'
    return response


@require(Rule.PUBLIC)
@require_GET
def register_json(request):
    _form, awards = _filtered(request)
    response = StreamingHttpResponse(stream_json(awards), content_type="application/json")
    # The page offers it as a download, like the CSV (a browser would otherwise show the raw text).
    response["Content-Disposition"] = 'attachment; filename="subsidieregister.json"'
    return response
