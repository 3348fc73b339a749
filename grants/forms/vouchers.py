"""Voucher forms: the redemption (company or provider), the officer's review, the provider's code
lookup, the provider admin and the applicant's provider choice. Validation only."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from applicants.validators import validate_kvk_number

from ..attachments import EXTENSIONS, validate_upload
from ..models import Provider, VoucherTerms

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
ACCEPT = ",".join(ext for exts in EXTENSIONS.values() for ext in exts)
MONEY = {"max_digits": 12, "decimal_places": 2}


class RedemptionForm(forms.Form):
    invoice_number = forms.CharField(label=_("Invoice number"), max_length=50)
    invoice_date = forms.DateField(label=_("Invoice date"), widget=DATE_WIDGET)
    invoice_provider_kvk = forms.CharField(label=_("KvK number of the provider on the invoice"), max_length=8,
                                           validators=[validate_kvk_number])
    amount_excl_vat = forms.DecimalField(label=_("Amount excluding VAT (EUR)"), min_value=Decimal("0.01"), **MONEY)
    amount_incl_vat = forms.DecimalField(label=_("Amount including VAT (EUR)"), min_value=Decimal("0.01"), **MONEY)
    invoice_file = forms.FileField(label=_("Invoice"), widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}))
    deliverable_file = forms.FileField(label=_("Deliverable (for example the scan report)"),
                                       widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}))

    def __init__(self, *args, voucher, **kwargs):
        self.voucher = voucher
        super().__init__(*args, **kwargs)

    def clean_invoice_file(self):
        validate_upload(self.cleaned_data["invoice_file"])
        return self.cleaned_data["invoice_file"]

    def clean_deliverable_file(self):
        validate_upload(self.cleaned_data["deliverable_file"])
        return self.cleaned_data["deliverable_file"]

    def clean(self):
        from workflows.services.vouchers import redemption_problems

        cleaned = super().clean()
        problems = redemption_problems(
            self.voucher, invoice_date=cleaned.get("invoice_date"),
            invoice_provider_kvk=cleaned.get("invoice_provider_kvk"),
            amount_excl_vat=cleaned.get("amount_excl_vat"), amount_incl_vat=cleaned.get("amount_incl_vat"))
        for field, message in problems.items():
            self.add_error(None if field == "__all__" else field, message)
        return cleaned


class ApproveRedemptionForm(forms.Form):
    eligible_amount = forms.DecimalField(
        label=_("Eligible amount excluding VAT (EUR)"), required=False, min_value=Decimal("0"), **MONEY,
        help_text=_("Leave empty to accept the whole invoice excluding VAT."))


class ReturnRedemptionForm(forms.Form):
    reasons = forms.CharField(label=_("Reasons for returning"), widget=forms.Textarea(attrs={"rows": 4}),
                              max_length=4000)


class ExtendForm(forms.Form):
    until = forms.DateField(label=_("New end of validity"), widget=DATE_WIDGET)
    reason = forms.CharField(label=_("Reason for the extension"), widget=forms.Textarea(attrs={"rows": 3}),
                             max_length=2000)


class LookupForm(forms.Form):
    code = forms.CharField(label=_("Voucher code"), max_length=40, help_text=_("For example CV-7KQ3-M9XT."))


class ProviderForm(forms.ModelForm):
    class Meta:
        model = Provider
        fields = ["scheme", "name", "kvk_number", "contact_name", "contact_email", "phone", "iban", "services",
                  "region", "active"]
        widgets = {"services": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, schemes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scheme"].queryset = schemes


class VoucherTermsForm(forms.ModelForm):
    class Meta:
        model = VoucherTerms
        fields = ["validity_months", "payee", "face_value", "invoice_after_award", "max_vouchers_per_provider"]


class ProviderMemberForm(forms.Form):
    email = forms.EmailField(label=_("Email address of the provider's employee"),
                             help_text=_("The person needs an account of their own in the grant desk."))


class ProviderChoiceForm(forms.Form):
    provider = forms.ModelChoiceField(label=_("Approved provider"), queryset=Provider.objects.none(),
                                      required=False, empty_label=_("Choose a provider"))
    name = forms.CharField(label=_("Name of the provider you propose"), max_length=200, required=False)
    kvk_number = forms.CharField(label=_("Its KvK number"), max_length=8, required=False,
                                 validators=[validate_kvk_number])
    contact_email = forms.EmailField(label=_("Its email address"), required=False)
    services = forms.CharField(label=_("What it will do for you"), required=False, max_length=2000,
                               widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, providers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = providers

    def clean(self):
        cleaned = super().clean()
        proposal = [cleaned.get(name) for name in ("name", "kvk_number", "contact_email")]
        if cleaned.get("provider") is None and not any(proposal):
            if not self.errors:
                raise forms.ValidationError(_("Choose an approved provider or propose one."))
        elif cleaned.get("provider") is None:
            for name in ("name", "kvk_number", "contact_email"):
                if not cleaned.get(name) and name not in self.errors:
                    self.add_error(name, _("Needed to propose a provider."))
        return cleaned
