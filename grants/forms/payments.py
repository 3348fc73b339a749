"""Forms of awards, payments and IBAN changes: validation only."""

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applicants.validators import validate_iban

# An <input type="date"> only shows an ISO value: the localised default ("28-11-2026") would leave it empty.
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class DeterminationForm(forms.Form):
    amount = forms.DecimalField(label=_("Final amount (EUR)"), min_value=Decimal("0"), max_digits=12,
                                decimal_places=2)
    motivation = forms.CharField(label=_("Motivation"), widget=forms.Textarea(attrs={"rows": 4}), max_length=8000)


class RevocationForm(forms.Form):
    amount = forms.DecimalField(label=_("New amount (EUR); 0 withdraws the award"), min_value=Decimal("0"),
                                max_digits=12, decimal_places=2)
    reason = forms.CharField(label=_("Reason (Awb 4:48-4:49)"), widget=forms.Textarea(attrs={"rows": 4}),
                             max_length=4000)


class RevocationRejectForm(forms.Form):
    comment = forms.CharField(label=_("Comment"), required=False, max_length=2000)


class RecoverySettleForm(forms.Form):
    METHODS = [("payment", _("The company paid it back")), ("set_off", _("Set it off against a payment"))]
    method = forms.ChoiceField(label=_("How was it settled?"), choices=METHODS, widget=forms.RadioSelect)
    instruction = forms.IntegerField(label=_("Payment to set it off against (number)"), required=False,
                                     min_value=1)
    received_on = forms.DateField(label=_("Received on"), required=False,
                                  widget=DATE_WIDGET)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("method") == "set_off" and not cleaned.get("instruction"):
            self.add_error("instruction", _("Choose the payment to set the recovery off against."))
        received = cleaned.get("received_on")
        if received and received > timezone.localdate():
            self.add_error("received_on", _("This date cannot be in the future."))
        return cleaned


class BatchPrepareForm(forms.Form):
    instructions = forms.TypedMultipleChoiceField(label=_("Payments"), coerce=int, widget=forms.CheckboxSelectMultiple)
    execution_date = forms.DateField(label=_("Requested execution date"),
                                     widget=DATE_WIDGET)

    def __init__(self, *args, instructions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["instructions"].choices = [(i.pk, str(i.pk)) for i in instructions]

    def clean_execution_date(self):
        value = self.cleaned_data["execution_date"]
        if value < timezone.localdate():
            raise forms.ValidationError(_("The execution date cannot be in the past."))
        return value


class BatchPaidForm(forms.Form):
    paid_on = forms.DateField(label=_("Paid on"), widget=DATE_WIDGET)

    def clean_paid_on(self):
        value = self.cleaned_data["paid_on"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("The payment date cannot be in the future."))
        return value


class IbanChangeForm(forms.Form):
    iban = forms.CharField(label=_("New IBAN"), max_length=34)

    def clean_iban(self):
        value = self.cleaned_data["iban"].replace(" ", "").upper()
        validate_iban(value)
        return value
