"""The manager's budget dashboard per municipality and scheme, and its exports (CSV streamed, XLSX)."""

import csv
import tempfile

from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET
from openpyxl import Workbook

from workflows import access
from workflows.access import Rule, require

from ..budget_reports import STATE_COLUMNS, award_rows, budget_overview, de_minimis_rows, ledger_rows
from ..demin import REGISTER_HEADER, register_rows
from ..models import ApplicationState


@require(Rule.MANAGER)
def budget_dashboard(request):
    schemes = list(budget_overview(access.managed_organisation_ids(request.user)))
    for scheme in schemes:
        scheme.state_counts = [(ApplicationState(s).label, getattr(scheme, f"n_{s}")) for s in STATE_COLUMNS]
        budget = getattr(scheme, "budget", None)
        scheme.used_share = (
            round((budget.committed + budget.reserved) * 100 / budget.ceiling) if budget and budget.ceiling else None
        )
    return render(request, "grants/budget_dashboard.html", {
        "schemes": schemes, "state_labels": [ApplicationState(s).label for s in STATE_COLUMNS],
    })


class _Echo:
    def write(self, value):
        return value


def _ledger_table(orgs):
    yield ["date", "municipality", "scheme", "application", "kind", "amount", "note", "idempotency_key"]
    for e in ledger_rows(orgs).iterator(chunk_size=2000):
        yield [e.created_at.isoformat(), e.budget.scheme.organisation.name, e.budget.scheme.code,
               e.application.reference if e.application else "", e.kind, f"{e.amount:.2f}", e.note,
               e.idempotency_key]


def _award_table(orgs):
    yield ["reference", "municipality", "scheme", "company", "kvk_number", "state", "grant_date", "amount",
           "advance", "determined_amount"]
    for a in award_rows(orgs).iterator(chunk_size=2000):
        application = a.application
        yield [application.reference, application.scheme.organisation.name, application.scheme.code,
               "" if application.company.is_natural_person else application.company.name,
               application.company.kvk_number, a.state, a.granted_on.isoformat(), f"{a.amount:.2f}",
               f"{a.advance_amount:.2f}", "" if a.determined_amount is None else f"{a.determined_amount:.2f}"]


def _de_minimis_table(orgs):
    yield REGISTER_HEADER
    yield from register_rows(de_minimis_rows(orgs).iterator(chunk_size=2000))


TABLES = {"ledger": _ledger_table, "awards": _award_table, "de-minimis": _de_minimis_table}


@require(Rule.MANAGER)
@require_GET
def budget_export(request, what, fmt):
    """The ledger, the awards or the de minimis register rows of the manager's municipalities."""
    if what not in TABLES or fmt not in ("csv", "xlsx"):
        raise Http404
    rows = TABLES[what](access.managed_organisation_ids(request.user))
    filename = f"{what}.{fmt}"
    if fmt == "csv":
        writer = csv.writer(_Echo(), delimiter=";")
        response = StreamingHttpResponse((writer.writerow(row) for row in rows), content_type="text/csv; charset=utf-8")
    else:
        # write_only keeps memory flat; the workbook is written to a temporary file that is streamed.
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(what)
        for row in rows:
            sheet.append(row)
        spooled = tempfile.TemporaryFile()
        workbook.save(spooled)
        spooled.seek(0)
        response = FileResponse(
            spooled, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
