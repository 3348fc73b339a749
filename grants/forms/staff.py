"""The officer's forms: information requests, proposals, send-backs and the queue's filters."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import DecisionOutcome, RejectionReason
from .widgets import LongSelect


class InfoRequestForm(forms.Form):
    missing = forms.CharField(label=_("What is missing"), widget=forms.Textarea(attrs={"rows": 4}), max_length=4000)
    deadline = forms.DateField(
        label=_("Complete before"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Leave empty for the scheme's default repair period."),
    )


class ProposalForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Proposed decision"),
        choices=[(DecisionOutcome.AWARD, _("Award")), (DecisionOutcome.REJECT, _("Reject"))],
        widget=forms.RadioSelect,
    )
    amount = forms.DecimalField(label=_("Amount (EUR)"), required=False, min_value=Decimal("0.01"),
                                max_digits=12, decimal_places=2)
    rejection_reason = forms.ChoiceField(
        label=_("Reason for the rejection"), required=False,
        choices=[("", _("(only for a rejection)"))] + list(RejectionReason.choices),
    )
    motivation = forms.CharField(label=_("Motivation"), widget=forms.Textarea(attrs={"rows": 5}), max_length=8000)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("outcome") == DecisionOutcome.AWARD and not cleaned.get("amount"):
            self.add_error("amount", _("An award needs an amount."))
        if cleaned.get("outcome") == DecisionOutcome.REJECT and not cleaned.get("rejection_reason"):
            self.add_error("rejection_reason", _("A rejection needs a reason."))
        return cleaned


class NotConsideredForm(forms.Form):
    motivation = forms.CharField(label=_("Motivation"), widget=forms.Textarea(attrs={"rows": 4}), max_length=8000)


class SendBackForm(forms.Form):
    comment = forms.CharField(label=_("Why it goes back"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)


class QueueFilterForm(forms.Form):
    """The officer queue's filters, read from the query string; invalid values are ignored by the view."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100,
                        help_text=_("Reference, company name or KvK number."))
    state = forms.ChoiceField(label=_("State"), required=False)
    scheme = forms.TypedChoiceField(label=_("Scheme"), required=False, coerce=int, empty_value=None,
                                    widget=LongSelect)
    assignee = forms.ChoiceField(label=_("Handler"), required=False, choices=[
        ("", _("Anyone")), ("me", _("Me")), ("unassigned", _("Unassigned"))])
    due_within = forms.IntegerField(label=_("Decision due within (days)"), required=False, min_value=0,
                                    max_value=365)
    overdue = forms.BooleanField(label=_("Only overdue cases"), required=False)

    def __init__(self, *args, schemes, states, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [("", _("All states"))] + list(states)
        self.fields["scheme"].choices = [("", _("All schemes"))] + [(s.pk, s.title) for s in schemes]



class BulkAssignForm(forms.Form):
    """Assign the selected cases to one officer of the municipalities the current officer works for."""

    cases = forms.TypedMultipleChoiceField(label=_("Cases"), coerce=int, widget=forms.MultipleHiddenInput)
    assignee = forms.ModelChoiceField(label=_("Assign to"), queryset=None, empty_label=_("Choose an officer"))

    def __init__(self, *args, cases, officers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cases"].choices = [(case.pk, case.reference) for case in cases]
        self.fields["assignee"].queryset = officers
        self.fields["assignee"].label_from_instance = lambda user: user.full_name or user.email
