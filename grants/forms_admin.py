"""The functional administrator's forms: a scheme with its budget ceiling, and its questions."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from applicants.models import LegalForm
from workflows import access

from .models import AssessmentCriterion, AttachmentKind, Organisation, QuestionKind, Scheme, SchemeQuestion

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
ATTACHMENT_CHOICES = [(value, label) for value, label in AttachmentKind.choices if value != AttachmentKind.ANSWER]


# The reporting plan defaults of pilot and chain schemes (grants.models.pilots).
PILOT_PLAN_FIELDS = ("progress_report_months", "final_report_weeks", "determination_request_weeks",
                     "milestone_tranche_percentage")


class IdsField(forms.ModelMultipleChoiceField):
    """Choices by integer id: an id the database cannot hold (2**63 and up) is "not a valid value", not an
    OverflowError from SQLite."""

    def _check_values(self, value):
        for pk in value:
            try:
                valid = -(2**63) <= int(str(pk).strip()) < 2**63
            except ValueError:
                valid = True  # not a number at all: the parent's check names it
            if not valid:
                raise ValidationError(self.error_messages["invalid_pk_value"], code="invalid_pk_value",
                                      params={"pk": pk})
        return super()._check_values(value)


class SchemeForm(forms.ModelForm):
    """Every setting of a scheme. The ceiling is not a model field: the view sets it through
    grants.services.scheme_set_ceiling (a ledger entry), which this form checks first."""

    allowed_legal_forms = forms.MultipleChoiceField(
        label=_("allowed legal forms"), choices=LegalForm.choices, required=False,
        widget=forms.CheckboxSelectMultiple, help_text=_("None ticked: every legal form."),
    )
    eligible_municipalities = IdsField(
        label=_("company located in"), queryset=Organisation.objects.order_by("name"), required=False,
        widget=forms.CheckboxSelectMultiple, help_text=_("None ticked: the scheme's own municipality."),
    )
    required_attachments = forms.MultipleChoiceField(
        label=_("required attachments"), choices=ATTACHMENT_CHOICES, required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    cofunding_percentage = forms.IntegerField(label=_("co-funding percentage"), min_value=1, max_value=100,
                                              help_text=_("The share of eligible costs the scheme pays."))
    advance_percentage = forms.IntegerField(label=_("advance percentage"), min_value=0, max_value=100,
                                            help_text=_("0: no advance."))
    officer_approval_limit = forms.DecimalField(
        label=_("officers approve up to (EUR)"), required=False, min_value=Decimal("0"), max_digits=12,
        decimal_places=2, help_text=_("Proposals up to this amount are approved by a second officer, above it by a "
                                      "manager. Empty or 0: a manager approves every proposal."),
    )
    budget_ceiling = forms.DecimalField(label=_("Budget ceiling (EUR)"), min_value=Decimal("0"), max_digits=14,
                                        decimal_places=2)

    class Meta:
        model = Scheme
        fields = [
            "organisation", "kind", "code", "title_nl", "title_en", "description_nl", "description_en",
            "legal_basis", "legal_basis_url", "opens_on", "closes_on", "distribution", "min_amount", "max_amount",
            "cofunding_percentage", "decision_term_weeks", "repair_period_days", "direct_determination_threshold",
            "advance_percentage", "max_awards_per_company", "costs_after_application_only",
            "max_employees", "allowed_legal_forms", "eligible_municipalities", "excluded_sbi_codes",
            "min_partners", "max_partners", "min_business_partners", "required_rung", "require_rung_up",
            "required_attachments", "officer_approval_limit", *PILOT_PLAN_FIELDS,
        ]
        widgets = {
            "opens_on": DATE_WIDGET,
            "closes_on": DATE_WIDGET,
            "description_nl": forms.Textarea(attrs={"rows": 5}),
            "description_en": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.filter(
            pk__in=access.organisation_ids(user, access.ADMINISTRATOR)
        ).order_by("name")
        if self.budget is not None:
            self.fields["budget_ceiling"].initial = self.budget.ceiling
        for name in PILOT_PLAN_FIELDS:  # only pilot and chain schemes use them: left empty, the default holds
            self.fields[name].required = False

    @property
    def budget(self):
        return getattr(self.instance, "budget", None) if self.instance.pk else None

    def clean_officer_approval_limit(self):
        return self.cleaned_data.get("officer_approval_limit") or Decimal("0.00")

    def clean_budget_ceiling(self):
        ceiling = self.cleaned_data["budget_ceiling"]
        budget = self.budget
        if budget is not None and ceiling < budget.reserved + budget.committed:
            raise forms.ValidationError(
                _("The ceiling cannot be lower than what is already reserved and committed (%(amount)s).")
                % {"amount": budget.reserved + budget.committed}
            )
        return ceiling

    def clean(self):
        cleaned = super().clean()
        for name in PILOT_PLAN_FIELDS:
            if name in cleaned and cleaned[name] is None:
                cleaned[name] = Scheme._meta.get_field(name).default
        opens_on, closes_on = cleaned.get("opens_on"), cleaned.get("closes_on")
        if opens_on and closes_on and closes_on < opens_on:
            self.add_error("closes_on", _("The scheme cannot close before it opens."))
        min_amount, max_amount = cleaned.get("min_amount"), cleaned.get("max_amount")
        if min_amount is not None and max_amount is not None and max_amount < min_amount:
            self.add_error("max_amount", _("The maximum amount cannot be lower than the minimum amount."))
        min_partners, max_partners = cleaned.get("min_partners"), cleaned.get("max_partners")
        if min_partners is not None and max_partners is not None and max_partners < min_partners:
            self.add_error("max_partners", _("The maximum number of partners cannot be lower than the minimum."))
        organisation, code = cleaned.get("organisation"), cleaned.get("code")
        if organisation and code:
            taken = Scheme.objects.filter(organisation=organisation, code=code).exclude(pk=self.instance.pk)
            if taken.exists():
                self.add_error("code", _("This municipality already has a scheme with this code."))
        return cleaned


def choice_lines(text):
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class SchemeQuestionForm(forms.ModelForm):
    class Meta:
        model = SchemeQuestion
        fields = ["order", "kind", "label_nl", "label_en", "help_nl", "help_en", "required", "choices_nl",
                  "choices_en"]
        widgets = {"choices_nl": forms.Textarea(attrs={"rows": 4}), "choices_en": forms.Textarea(attrs={"rows": 4})}

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") != QuestionKind.CHOICE:
            return cleaned
        choices_nl, choices_en = choice_lines(cleaned.get("choices_nl")), choice_lines(cleaned.get("choices_en"))
        if not choices_nl:
            self.add_error("choices_nl", _("A choice question needs at least one choice."))
        elif len(choices_nl) != len(choices_en):
            self.add_error("choices_en", _("Give as many English choices as Dutch ones (%(count)s), in the same "
                                           "order.") % {"count": len(choices_nl)})
        return cleaned


class BaseSchemeQuestionFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        for form in self.deleted_forms:
            if form.instance.pk and form.instance.answers.exists():
                raise forms.ValidationError(
                    _("“%(question)s” has already been answered and cannot be removed.")
                    % {"question": form.instance.label_nl}
                )


# A tampered TOTAL_FORMS must not make the server build Django's default 2,000 forms: at most 100 rows.
LIMIT = {"max_num": 100, "absolute_max": 100, "validate_max": True}

SchemeQuestionFormSet = forms.inlineformset_factory(
    Scheme, SchemeQuestion, form=SchemeQuestionForm, formset=BaseSchemeQuestionFormSet,
    extra=2, can_delete=True, can_delete_extra=False, **LIMIT,
)


class AssessmentCriterionForm(forms.ModelForm):
    class Meta:
        model = AssessmentCriterion
        fields = ["order", "name_nl", "name_en", "weight", "max_score"]


class BaseAssessmentCriterionFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        for form in self.deleted_forms:
            if form.instance.pk and form.instance.scores.exists():
                raise forms.ValidationError(
                    _("“%(criterion)s” has already been scored and cannot be removed.")
                    % {"criterion": form.instance.name_nl}
                )
        for form in self.forms:
            if form.instance.pk and "max_score" in form.changed_data and form.instance.scores.filter(
                    score__gt=form.cleaned_data.get("max_score") or 0).exists():
                form.add_error("max_score", _("Scores above this maximum have already been given."))


AssessmentCriterionFormSet = forms.inlineformset_factory(
    Scheme, AssessmentCriterion, form=AssessmentCriterionForm, formset=BaseAssessmentCriterionFormSet,
    extra=2, can_delete=True, can_delete_extra=False, **LIMIT,
)
