"""Pilot results for managers (DOMAIN.md "Pilot results"): indicator totals per scheme,
municipality and R-strategy, planned against realised, cost per unit of result, lessons learned,
and the XLSX export. Aggregates run in the database, a constant number of queries.

Comparability: two figures are added up only when they share the indicator and the unit (the
GROUP BY below includes both), so a figure in another unit is its own row, never part of a sum.
Each pilot counts with its latest accepted report (progress figures are to date, the final report's
are the totals), so a pilot is never counted twice."""

from dataclasses import dataclass
from decimal import Decimal
from io import BytesIO

from django.db.models import Count, F, OuterRef, Subquery, Sum
from django.utils.translation import gettext as _

from .models import SIX_RUNG, Indicator, Report, ReportIndicator, ReportState, RLadder
from .register import spreadsheet_safe

# Per group: (values() field, label field(s)).
DIMENSIONS = {
    "scheme": ("report__application__scheme_id", ["report__application__scheme__title_nl",
                                                   "report__application__scheme__title_en"]),
    "municipality": ("report__application__scheme__organisation_id",
                     ["report__application__scheme__organisation__name"]),
    "strategy": ("report__rung_achieved", []),
}
KG_PER_TONNE = Decimal("1000")


@dataclass
class Total:
    group: str
    indicator: str
    indicator_label: str
    unit: str
    planned: Decimal
    realised: Decimal
    pilots: int
    costs: Decimal

    @property
    def cost_per_unit(self):
        """EUR per unit of result (per tonne for figures in kg); None for money figures or nothing realised."""
        if self.unit == "EUR" or not self.realised:
            return None
        quantity = self.realised / KG_PER_TONNE if self.unit == "kg" else self.realised
        return (self.costs / quantity).quantize(Decimal("0.01"))

    @property
    def cost_unit(self):
        return "t" if self.unit == "kg" else self.unit


def latest_accepted_figures(organisation_ids):
    """The figures of each pilot's latest accepted report in ``organisation_ids``."""
    latest = Report.objects.filter(plan=OuterRef("report__plan"), state=ReportState.ACCEPTED).order_by(
        "-due_on", "-pk").values("pk")[:1]
    return ReportIndicator.objects.filter(
        report__state=ReportState.ACCEPTED, report__application__scheme__organisation_id__in=organisation_ids,
        report_id=Subquery(latest))


def _label(dimension, row, language):
    if dimension == "scheme":
        return row["report__application__scheme__title_en" if language == "en" else
                   "report__application__scheme__title_nl"]
    if dimension == "municipality":
        return row["report__application__scheme__organisation__name"]
    rung = row["report__rung_achieved"]
    if not rung:
        return _("No strategy given")
    scale = _("six-rung scale")
    return f"{RLadder(rung).label} ({scale}: R{SIX_RUNG[rung]})"


def indicator_totals(organisation_ids, dimension, language="nl"):
    """One query: totals per group, indicator and unit, planned and realised, pilots and costs."""
    key, labels = DIMENSIONS[dimension]
    rows = (latest_accepted_figures(organisation_ids)
            .values(key, *labels, "indicator", "unit")
            .annotate(planned_total=Sum("planned"), realised_total=Sum("realised"),
                      pilots=Count("report", distinct=True), costs=Sum(F("report__costs_spent")))
            .order_by(key, "indicator", "unit"))
    indicator_labels = dict(Indicator.choices)
    return [Total(group=_label(dimension, row, language), indicator=row["indicator"],
                  indicator_label=str(indicator_labels.get(row["indicator"], row["indicator"])), unit=row["unit"],
                  planned=row["planned_total"] or Decimal("0"), realised=row["realised_total"] or Decimal("0"),
                  pilots=row["pilots"], costs=row["costs"] or Decimal("0"))
            for row in rows]


def lessons_learned(organisation_ids, limit=20):
    """The latest lessons of accepted reports, newest first (one query)."""
    return list(Report.objects.filter(state=ReportState.ACCEPTED, application__scheme__organisation_id__in=
                                      organisation_ids).exclude(lessons_learned="")
                .select_related("application__scheme__organisation").order_by("-decided_at", "-pk")[:limit])


def results_workbook(organisation_ids, language="nl"):
    """The dashboard as an XLSX file (bytes): a sheet per dimension and one with the lessons learned."""
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    headers = [_("Group"), _("Indicator"), _("Unit"), _("Planned"), _("Realised"), _("Pilots"),
               _("Costs spent (EUR)"), _("EUR per unit of result"), _("Per")]
    titles = {"scheme": _("Per scheme"), "municipality": _("Per municipality"), "strategy": _("Per R-strategy")}
    for dimension, title in titles.items():
        sheet = workbook.create_sheet(title[:31])
        sheet.append(headers)
        for total in indicator_totals(organisation_ids, dimension, language):
            sheet.append([spreadsheet_safe(total.group), total.indicator_label, total.unit, total.planned,
                          total.realised, total.pilots,
                          total.costs, total.cost_per_unit, total.cost_unit])
    sheet = workbook.create_sheet(_("Lessons learned")[:31])
    sheet.append([_("Reference"), _("Municipality"), _("Report"), _("Lessons learned")])
    for report in lessons_learned(organisation_ids, limit=1000):
        sheet.append([spreadsheet_safe(value) for value in (
            report.application.reference, report.application.scheme.organisation.name,
            str(report.get_kind_display()), report.lessons_learned)])
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
