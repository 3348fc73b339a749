"""The public eligibility check: a few questions about the company and the plan, answered with the
open schemes that fit and, for the others, the reasons (grants.eligibility, as at submit)."""

from django import forms
from django.shortcuts import render
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from applicants.models import LegalForm
from applicants.services import companies_of
from applicants.validators import validate_sbi_code
from workflows.access import Rule, require

from ..eligibility import KIND_ACTIVITIES, CompanyProfile, check_reasons
from ..models import Organisation
from ..selectors import open_schemes
from .public import budget_status


class EligibilityCheckForm(forms.Form):
    # Text inputs, not type="number": a browser would drop what was typed when it is not a number.
    employees = forms.IntegerField(
        label=_("Number of employees"), min_value=0, max_value=1_000_000,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        help_text=_("Everyone who works at your company, yourself included."),
    )
    legal_form = forms.ChoiceField(label=_("Legal form"), choices=[("", _("Choose a legal form")), *LegalForm.choices])
    municipality = forms.ModelChoiceField(
        label=_("Municipality where your company is located"), queryset=Organisation.objects.order_by("name"),
        required=False, empty_label=_("Another municipality"),
    )
    sbi_code = forms.CharField(
        label=_("SBI code"), required=False, max_length=5, validators=[validate_sbi_code],
        help_text=_("The industry code in your Chamber of Commerce (KvK) registration, for example 3832."),
    )
    kind = forms.ChoiceField(label=_("What do you want to do?"), required=False,
                             choices=[("", _("Not sure yet")),
                                      *((kind, capfirst(activity)) for kind, activity in KIND_ACTIVITIES.items())])
    amount = forms.DecimalField(
        label=_("Amount you need (EUR)"), required=False, min_value=0, max_digits=12, decimal_places=2, localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        help_text=_("The contribution you would ask for (not the total cost), for example 1500."),
    )

    def profile(self):
        data = self.cleaned_data
        municipality = data.get("municipality")
        return CompanyProfile(employees=data["employees"], legal_form=data["legal_form"],
                              municipality_id=municipality.pk if municipality else None,
                              sbi_code=data.get("sbi_code") or "")


def _initial(user):
    """Pre-fill from the signed-in user's first company."""
    if not user.is_authenticated:
        return {}
    company = companies_of(user).first()
    if company is None:
        return {}
    return {"employees": company.employees, "legal_form": company.legal_form,
            "municipality": company.municipality_id, "sbi_code": company.sbi_code}


@require(Rule.PUBLIC)
@require_GET
def eligibility_check(request):
    """GET only, so that an answer can be bookmarked and shared; the form is validated all the same."""
    asked = any(name in request.GET for name in EligibilityCheckForm.base_fields)
    form = EligibilityCheckForm(request.GET if asked else None, initial=None if asked else _initial(request.user))
    checked = asked and form.is_valid()
    fitting, others = [], []
    if checked:
        profile, today = form.profile(), timezone.localdate()
        schemes = open_schemes().prefetch_related("eligible_municipalities").order_by("organisation__name", "pk")
        for scheme in schemes:
            scheme.budget_status = budget_status(scheme)
            reasons = check_reasons(scheme, profile, kind=form.cleaned_data["kind"],
                                    amount=form.cleaned_data["amount"], today=today)
            (others if reasons else fitting).append((scheme, reasons))
    return render(request, "grants/eligibility_check.html", {
        "form": form, "checked": checked, "fitting": fitting, "others": others,
    })
