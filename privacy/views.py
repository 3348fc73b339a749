import json

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from applicants.ratelimit import rate_limited
from workflows.access import Rule, require

from .models import DEFAULT_AWARDED_YEARS, DEFAULT_UNSUCCESSFUL_YEARS
from .selectors import personal_data_of


@require(Rule.PUBLIC)
def privacy_statement(request):
    return render(request, "privacy/statement.html", {
        "unsuccessful_years": DEFAULT_UNSUCCESSFUL_YEARS, "awarded_years": DEFAULT_AWARDED_YEARS,
    })


@require(Rule.AUTHENTICATED)
@rate_limited("download", methods=None)
def my_data_export(request):
    """Everything about the signed-in user as a JSON download (AVG right of access and portability)."""
    data = json.dumps(personal_data_of(request.user), cls=DjangoJSONEncoder, ensure_ascii=False, indent=1)
    response = HttpResponse(data, content_type="application/json; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="mijn-gegevens-{stamp}.json"'
    response["Cache-Control"] = "private, no-store"
    return response
