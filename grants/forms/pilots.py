"""Forms of pilot grants after the award: reports, change requests, the showcase consent, the
officer's plan adjustment and decisions, and the public filters. Validation only."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from ..attachments import EXTENSIONS, validate_upload
from ..models import ChangeKind, Organisation, Report, RLadder

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ReportForm(forms.ModelForm):
    """The grantee's report; one "realised" field per planned result, a photo or document to add."""

    file = forms.FileField(label=_("Add a photo or document"), required=False,
                           help_text=_("PDF, PNG, JPEG, XLSX, DOCX or ODT."),
                           widget=forms.ClearableFileInput(attrs={"accept": ",".join(
                               ext for exts in EXTENSIONS.values() for ext in exts)}))

    class Meta:
        model = Report
        fields = ["narrative", "rung_achieved", "lessons_learned", "costs_spent"]
        widgets = {"narrative": forms.Textarea(attrs={"rows": 6}), "lessons_learned": forms.Textarea(attrs={"rows": 4})}
        labels = {"costs_spent": _("Costs spent so far (EUR)")}

    def __init__(self, *args, indicators=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.indicator_rows = list(indicators)
        for row in self.indicator_rows:
            self.fields[f"realised_{row.indicator}"] = forms.DecimalField(
                label=f"{row.get_indicator_display()} ({row.unit})", required=False, min_value=Decimal("0"),
                max_digits=14, decimal_places=2, initial=row.realised,
                help_text=_("Planned: %(planned)s") % {"planned": row.planned if row.planned is not None else "-"})

    def clean_file(self):
        uploaded = self.cleaned_data.get("file")
        if uploaded:
            validate_upload(uploaded)
        return uploaded

    @property
    def realised(self):
        return {row.indicator: self.cleaned_data.get(f"realised_{row.indicator}") for row in self.indicator_rows}

    def indicator_fields(self):
        return [self[f"realised_{row.indicator}"] for row in self.indicator_rows]


class ReportDecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), widget=forms.RadioSelect,
                                 choices=[("accept", _("Accept")), ("return", _("Return with comments"))])
    comment = forms.CharField(label=_("Comments"), required=False, max_length=5000,
                              widget=forms.Textarea(attrs={"rows": 3}))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "return" and not (cleaned.get("comment") or "").strip():
            self.add_error("comment", _("Say what the grantee should change."))
        return cleaned


class ChangeRequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("What to change"), choices=ChangeKind.choices)
    description = forms.CharField(label=_("What and why"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4}))
    new_end_on = forms.DateField(label=_("New end date"), required=False, widget=DATE,
                                 help_text=_("Only when extending the period."))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") == ChangeKind.EXTEND_PERIOD and not cleaned.get("new_end_on"):
            self.add_error("new_end_on", _("Give the new end date."))
        return cleaned


class ChangeDecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), widget=forms.RadioSelect,
                                 choices=[("approve", _("Approve")), ("reject", _("Reject"))])
    comment = forms.CharField(label=_("Motivation"), required=False, max_length=5000,
                              widget=forms.Textarea(attrs={"rows": 3}))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "reject" and not (cleaned.get("comment") or "").strip():
            self.add_error("comment", _("Give the reason for rejecting the change."))
        return cleaned


class ShowcaseConsentForm(forms.Form):
    consent = forms.BooleanField(label=_("Show this pilot in the public showcase of circular pilots"), required=False)
    summary = forms.CharField(label=_("Summary for the showcase"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 3}),
                              help_text=_("What the pilot does, in a few sentences. Do not name people."))


class FeatureForm(forms.Form):
    featured = forms.BooleanField(label=_("Feature in the showcase"), required=False)


class PlanAdjustForm(forms.Form):
    """The determination deadline and one due date per report not yet submitted."""

    determination_request_due_on = forms.DateField(label=_("Apply for the final determination before"),
                                                   widget=DATE)

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["determination_request_due_on"].initial = plan.determination_request_due_on
        self.editable_reports = [report for report in plan.reports.all() if report.editable]
        for report in self.editable_reports:
            label = report.milestone.title if report.milestone_id else report.get_kind_display()
            self.fields[f"due_{report.pk}"] = forms.DateField(
                label=_("%(report)s due on") % {"report": label}, initial=report.due_on, widget=DATE)

    @property
    def report_due_dates(self):
        return {report.pk: self.cleaned_data[f"due_{report.pk}"] for report in self.editable_reports}


class ShowcaseFilterForm(forms.Form):
    municipality = forms.ModelChoiceField(label=_("Municipality"), required=False, to_field_name="slug",
                                          queryset=Organisation.objects.all(), empty_label=_("All municipalities"))
    strategy = forms.ChoiceField(label=_("R-strategy"), required=False,
                                 choices=[("", _("All strategies")), *RLadder.choices])


class RegisterFilterForm(forms.Form):
    municipality = forms.ModelChoiceField(label=_("Municipality"), required=False, to_field_name="slug",
                                          queryset=Organisation.objects.all(), empty_label=_("All municipalities"))
