from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Application, DecisionOutcome


class ApplicationForm(forms.ModelForm):
    class Meta:
        model = Application
        fields = ["company", "title", "description", "requested_amount", "electronic_consent"]
        widgets = {"description": forms.Textarea(attrs={"rows": 6})}
        help_texts = {
            "electronic_consent": _("Awb 2:14: without your consent, decisions are sent by post."),
        }

    def __init__(self, *args, scheme, companies, **kwargs):
        super().__init__(*args, **kwargs)
        self.scheme = scheme
        self.fields["company"].queryset = companies
        self.fields["company"].empty_label = None
        self.fields["requested_amount"].help_text = _("Between EUR %(min)s and EUR %(max)s.") % {
            "min": scheme.min_amount, "max": scheme.max_amount
        }
        if self.instance.pk:
            self.fields["company"].disabled = True

    def clean_requested_amount(self):
        amount = self.cleaned_data["requested_amount"]
        if amount < self.scheme.min_amount:
            raise forms.ValidationError(
                _("The minimum amount for this scheme is EUR %(min)s.") % {"min": self.scheme.min_amount}
            )
        if amount > self.scheme.max_amount:
            raise forms.ValidationError(
                _("The maximum amount for this scheme is EUR %(max)s.") % {"max": self.scheme.max_amount}
            )
        return amount


class InfoRequestForm(forms.Form):
    missing = forms.CharField(label=_("What is missing"), widget=forms.Textarea(attrs={"rows": 4}), max_length=4000)
    deadline = forms.DateField(
        label=_("Complete before"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Leave empty for the scheme's default repair period."),
    )


class SupplyInfoForm(forms.Form):
    comment = forms.CharField(label=_("Your answer"), widget=forms.Textarea(attrs={"rows": 4}), max_length=4000)


class ProposalForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Proposed decision"),
        choices=[(DecisionOutcome.AWARD, _("Award")), (DecisionOutcome.REJECT, _("Reject"))],
        widget=forms.RadioSelect,
    )
    amount = forms.DecimalField(label=_("Amount (EUR)"), required=False, min_value=Decimal("0.01"),
                                max_digits=12, decimal_places=2)
    motivation = forms.CharField(label=_("Motivation"), widget=forms.Textarea(attrs={"rows": 5}), max_length=8000)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("outcome") == DecisionOutcome.AWARD and not cleaned.get("amount"):
            self.add_error("amount", _("An award needs an amount."))
        return cleaned


class NotConsideredForm(forms.Form):
    motivation = forms.CharField(label=_("Motivation"), widget=forms.Textarea(attrs={"rows": 4}), max_length=8000)


class SendBackForm(forms.Form):
    comment = forms.CharField(label=_("Why it goes back"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)
