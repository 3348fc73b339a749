import re

from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404
from django.utils import timezone

from . import access, audit
from .access import Rule, require
from .models import AuditAction


@require(Rule.STAFF)
def case_audit_export(request, application_id):
    """A case's whole trail (views, downloads, changes, state changes, money) as CSV, or JSON with
    ``?format=json``, for a freedom-of-information (Woo) request. The export itself is recorded."""
    application = get_object_or_404(access.audited_cases(request.user), pk=application_id)
    if request.method != "GET":  # after the lookup: another municipality's case stays a 404
        return HttpResponseNotAllowed(["GET"])
    as_json = request.GET.get("format") == "json"
    audit.record(request, action=AuditAction.EXPORTED, subject=application, case=application,
                 detail="json" if as_json else "csv")
    rows = audit.case_trail(application)
    stamp = timezone.localdate().isoformat()
    name = re.sub(r"[^A-Za-z0-9-]", "-", application.reference or str(application.pk))
    if as_json:
        response = HttpResponse(audit.as_json(rows), content_type="application/json; charset=utf-8")
        extension = "json"
    else:
        response = HttpResponse(audit.as_csv(rows), content_type="text/csv; charset=utf-8")
        extension = "csv"
    response["Content-Disposition"] = f'attachment; filename="audit-{name}-{stamp}.{extension}"'
    response["Cache-Control"] = "private, no-store"
    return response
