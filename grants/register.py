"""The open subsidy register (Woo art. 3.3a, DOMAIN.md "Transparency"): awards to organisations
with legal basis, recipient, activity, amounts granted and determined, withdrawals and the decision
date, from each municipality's publication threshold. Names of natural persons are never published:
a sole trader (eenmanszaak) is a natural person, so the recipient is left out.

The CSV and JSON downloads are streamed: rows are read with ``iterator()`` in chunks and written one
by one, so the whole register is never held in memory."""

import csv
import json

from django.db.models import Case, DecimalField, F, When

from applicants.models import LegalForm

from .models import Application, ApplicationState, AwardState

# Legal forms whose name is the name of a natural person (DOMAIN: a sole trader is a natural person).
NATURAL_PERSON_FORMS = frozenset({LegalForm.SOLE_TRADER})
CHUNK = 500
COLUMNS = ("municipality", "legal_basis", "scheme", "recipient", "kvk_number", "activity", "amount_granted",
           "amount_determined", "amount_withdrawn", "decision_date", "reference")


def register_awards(municipality=None, *, annotated=True):
    """Awards at or above their municipality's threshold, newest decision first; one query (served by the
    partial index on awarded applications' decision date). ``annotated=False`` gives the bare rows, for a
    cheap count."""
    queryset = Application.objects.filter(state=ApplicationState.AWARDED, decided_at__isnull=False,
                                          awarded_amount__gte=F("organisation__register_threshold"))
    if municipality is not None:
        queryset = queryset.filter(organisation=municipality)
    if not annotated:
        return queryset
    return (queryset.select_related("scheme__organisation", "company").order_by("-decided_at", "-pk")
            # From the award: the determined amount, and what a revocation withdrew (Awb 4:48-4:49).
            .annotate(register_determined_amount=F("award__determined_amount"),
                      register_withdrawn_amount=Case(
                          When(award__state=AwardState.REVOKED, then=F("awarded_amount") - F("award__amount")),
                          default=None, output_field=DecimalField(max_digits=12, decimal_places=2))))


def register_row(application):
    """The published fields of one award; the recipient and KvK number stay empty for natural persons.
    The determined and withdrawn amounts come from the award (register_awards annotates them); they
    stay empty until there is one."""
    natural_person = application.company.legal_form in NATURAL_PERSON_FORMS
    determined = getattr(application, "register_determined_amount", None)
    withdrawn = getattr(application, "register_withdrawn_amount", None)
    return {
        "municipality": application.scheme.organisation.name,
        "legal_basis": application.scheme.legal_basis,
        "scheme": application.scheme.title_nl,
        "recipient": "" if natural_person else application.company.name,
        "kvk_number": "" if natural_person else application.company.kvk_number,
        "natural_person": natural_person,
        "activity": application.title,
        "amount_granted": f"{application.awarded_amount:.2f}",
        "amount_determined": f"{determined:.2f}" if determined is not None else "",
        "amount_withdrawn": f"{withdrawn:.2f}" if withdrawn is not None else "",
        "decision_date": application.decided_at.date().isoformat(),
        "reference": application.reference,
    }


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    """Text a spreadsheet will not run as a formula (CSV injection): such text gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class _Echo:
    def write(self, value):
        return value


def stream_csv(queryset):
    writer = csv.writer(_Echo(), delimiter=";")
    yield writer.writerow(COLUMNS)
    for application in queryset.iterator(chunk_size=CHUNK):
        row = register_row(application)
        yield writer.writerow([spreadsheet_safe(row[column]) for column in COLUMNS])


def stream_json(queryset):
    yield "["
    separator = ""
    for application in queryset.iterator(chunk_size=CHUNK):
        row = register_row(application)
        yield separator + json.dumps({column: row[column] or None for column in COLUMNS}, ensure_ascii=False)
        separator = ","
    yield "]"
