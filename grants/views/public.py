from django.db import connection
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from workflows.access import Rule, require

from ..models import Scheme
from ..selectors import open_schemes


@require(Rule.PUBLIC)
def home(request):
    return render(request, "grants/home.html", {"schemes": open_schemes()[:6]})


@require(Rule.PUBLIC)
def scheme_list(request):
    schemes = Scheme.objects.select_related("organisation", "budget").order_by("organisation__name", "opens_on")
    return render(request, "grants/scheme_list.html", {"schemes": schemes, "today": timezone.localdate()})


@require(Rule.PUBLIC)
def scheme_detail(request, scheme_id):
    scheme = get_object_or_404(Scheme.objects.select_related("organisation", "budget"), pk=scheme_id)
    return render(request, "grants/scheme_detail.html", {"scheme": scheme, "is_open": scheme.is_open()})


@require(Rule.PUBLIC)
def accessibility(request):
    return render(request, "grants/accessibility.html")


@require(Rule.PUBLIC)
def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")
