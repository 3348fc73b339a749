"""The applicant's forms, one per step of the application (grants/wizard.py puts them in order)."""


from django import forms
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from applicants.validators import validate_kvk_number

from ..models import (
    INDICATOR_UNITS,
    Application,
    CostLine,
    DeMinimisAid,
    Indicator,
    Partner,
    PlannedIndicator,
    QuestionKind,
    RLadder,
)
from ..models.circular import rung_number

# --- the applicant's forms, one per step of the application (grants/wizard.py puts them in order) -----

# Every formset of the steps: two empty rows to fill in (Save adds two more), existing rows can be removed.
# At most 100 rows: a tampered TOTAL_FORMS must not make the server build Django's default 2,000 forms.
ROWS = {"extra": 2, "can_delete": True, "can_delete_extra": False, "max_num": 100, "absolute_max": 100,
        "validate_max": True}
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# Units as the applicant reads them; the stored unit codes stay as INDICATOR_UNITS has them.
UNIT_LABELS = {"count": _("number")}


def unit_label(unit):
    return UNIT_LABELS.get(unit, unit)


class ProjectForm(forms.ModelForm):
    """Step 1: what the project is, where and when it takes place."""

    class Meta:
        model = Application
        fields = ["title", "description", "location", "starts_on", "ends_on"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 6}),
            "starts_on": DATE_WIDGET,
            "ends_on": DATE_WIDGET,
        }
        help_texts = {
            "description": _("What you will do, with whom, and what it changes in your use of materials."),
            "location": _("The address or area, for example the street and city of your workshop."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("location", "starts_on", "ends_on"):
            self.fields[name].required = True

    def clean(self):
        cleaned = super().clean()
        starts_on, ends_on = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", _("The end date cannot be before the start date."))
        return cleaned


class ApplicationCreateForm(ProjectForm):
    """A new draft: the company it is for and the project step's fields. A company that does not meet
    the scheme's conditions is refused with the reasons (grants.eligibility)."""

    company = forms.ModelChoiceField(label=_("Company"), queryset=None, empty_label=None)
    field_order = ["company"]

    class Meta(ProjectForm.Meta):
        fields = ["company", *ProjectForm.Meta.fields]

    def __init__(self, *args, scheme, companies, **kwargs):
        super().__init__(*args, **kwargs)
        self.scheme = scheme
        field = self.fields["company"]
        field.queryset = companies
        if len(companies) == 1:
            # One company: nothing to choose, it travels in the form so the server still checks it.
            field.widget = forms.HiddenInput()
            field.initial = companies[0].pk

    def clean_company(self):
        from ..eligibility import company_reasons

        company = self.cleaned_data["company"]
        reasons = company_reasons(self.scheme, company)
        if reasons:
            raise forms.ValidationError([reason.message for reason in reasons])
        return company

    def clean(self):
        cleaned = super().clean()
        if self.fields["company"].widget.is_hidden and self.has_error("company"):
            # A hidden field's errors are not shown at a field: show them above the form.
            for error in self.errors["company"]:
                self.add_error(None, error)
        return cleaned


class CircularForm(forms.ModelForm):
    """Step 2: where the company stands on the R-ladder now, and where the project takes it."""

    class Meta:
        model = Application
        fields = ["current_rung", "target_rung"]
        help_texts = {
            "current_rung": _("The most circular strategy you apply today for the materials of this project."),
            "target_rung": _("The strategy the project brings you to. R0 is the most circular, R9 the least."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("current_rung", "target_rung"):
            self.fields[name].required = True
            self.fields[name].choices = [("", _("Choose a rung"))] + list(RLadder.choices)

    def clean(self):
        cleaned = super().clean()
        current, target = cleaned.get("current_rung"), cleaned.get("target_rung")
        if current and target and rung_number(target) > rung_number(current):
            self.add_error("target_rung", _("The project should not take you down the ladder: choose a rung at "
                                            "least as high as the current one."))
        return cleaned


class IndicatorForm(forms.ModelForm):
    class Meta:
        model = PlannedIndicator
        fields = ["indicator", "planned"]
        labels = {"planned": _("Planned value")}
        help_texts = {"planned": _("In the unit shown with the indicator.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The unit is part of each choice, so the value is never typed in the wrong unit.
        self.fields["indicator"].choices = [("", _("Choose an indicator"))] + [
            (value, f"{label} ({unit_label(INDICATOR_UNITS[value])})") for value, label in Indicator.choices
        ]


class BaseIndicatorFormSet(forms.BaseInlineFormSet):
    def clean(self):
        # Two figures for one indicator cannot both be the plan: refuse the second at its field.
        seen = set()
        for form in self.forms:
            if self._should_delete_form(form) or not hasattr(form, "cleaned_data"):
                continue
            indicator = form.cleaned_data.get("indicator")
            if indicator in seen:
                form.add_error("indicator", _("This indicator is already in the list: enter each indicator once."))
            elif indicator:
                seen.add(indicator)
        super().clean()


IndicatorFormSet = forms.inlineformset_factory(
    Application, PlannedIndicator, form=IndicatorForm, formset=BaseIndicatorFormSet, **ROWS,
)


class CostLineForm(forms.ModelForm):
    class Meta:
        model = CostLine
        fields = ["description", "amount_excl_vat", "vat", "incurred_on"]
        widgets = {"incurred_on": DATE_WIDGET}
        help_texts = {"vat": _("VAT you cannot reclaim; enter 0 when you reclaim it.")}


CostLineFormSet = forms.inlineformset_factory(
    Application, CostLine, form=CostLineForm, **ROWS,
)

YES_NO = [(True, _("Yes")), (False, _("No"))]


def _to_bool(value):
    return value in (True, "True", "true", "yes", "1")


class PartnerForm(forms.ModelForm):
    # Room for "6959 9084" or "69.59.90.84" as people copy it; the stored number is the 8 digits.
    kvk_number = forms.CharField(label=_("KvK number"), max_length=14,
                                 help_text=_("8 digits, from the Chamber of Commerce (KvK) register."))
    is_business = forms.TypedChoiceField(label=_("Is it a business?"), choices=YES_NO, coerce=_to_bool,
                                         widget=forms.RadioSelect, initial=True)

    class Meta:
        model = Partner
        fields = ["kvk_number", "name", "legal_form", "is_business", "cost_share", "de_minimis_received"]
        labels = {
            "cost_share": _("Cost share (EUR)"),
            "de_minimis_received": _("Other de minimis aid in the last three years (EUR)"),
        }
        help_texts = {
            "de_minimis_received": _("All de minimis aid the partner received in the last three years; 0 if none."),
        }

    def __init__(self, *args, lead, **kwargs):
        super().__init__(*args, **kwargs)
        self.lead = lead

    def clean_kvk_number(self):
        number = "".join(self.cleaned_data["kvk_number"].split()).replace(".", "")
        validate_kvk_number(number)
        if number == self.lead.kvk_number:
            raise forms.ValidationError(_("This is the lead applicant's own KvK number: list only the other "
                                          "participants here."))
        return number


class BasePartnerFormSet(forms.BaseInlineFormSet):
    def clean(self):
        seen = set()
        for form in self.forms:
            if self._should_delete_form(form) or not hasattr(form, "cleaned_data"):
                continue
            number = form.cleaned_data.get("kvk_number")
            if number in seen:
                form.add_error("kvk_number", _("This partner is already in the list."))
            elif number:
                seen.add(number)
        super().clean()


PartnerFormSet = forms.inlineformset_factory(
    Application, Partner, form=PartnerForm, formset=BasePartnerFormSet, **ROWS,
)


def localised(question, field):
    english = get_language_code() == "en"
    return (getattr(question, f"{field}_en") if english else "") or getattr(question, f"{field}_nl")


def get_language_code():
    return (get_language() or "nl").split("-")[0]


def question_choices(question):
    """(stored value, label) per choice: the Dutch text is stored, the label follows the language."""
    dutch = [line.strip() for line in question.choices_nl.splitlines() if line.strip()]
    english = [line.strip() for line in question.choices_en.splitlines() if line.strip()]
    if get_language_code() != "en":
        return [(text, text) for text in dutch]
    return [(text, english[i] if i < len(english) else text) for i, text in enumerate(dutch)]


class QuestionsForm(forms.Form):
    """Step 6: one field per question of the scheme, in the user's language, required as configured."""

    def __init__(self, *args, questions, answers, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = {}
        for question in questions:
            answer = answers.get(question.pk)
            name = f"question_{question.pk}"
            self.fields[name] = self._field(question, answer)
            self.questions[name] = question
            if answer is not None and question.kind != QuestionKind.FILE:
                self.initial[name] = answer.value

    def _field(self, question, answer):
        options = {"label": localised(question, "label"), "help_text": localised(question, "help"),
                   "required": question.required}
        match question.kind:
            case QuestionKind.LONG_TEXT:
                return forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), max_length=5000, **options)
            case QuestionKind.NUMBER:
                return forms.DecimalField(max_digits=16, decimal_places=2, **options)
            case QuestionKind.CHOICE:
                return forms.ChoiceField(choices=question_choices(question), widget=forms.RadioSelect, **options)
            case QuestionKind.YES_NO:
                return forms.ChoiceField(choices=[("yes", _("Yes")), ("no", _("No"))], widget=forms.RadioSelect,
                                         **options)
            case QuestionKind.FILE:
                if answer is not None and answer.attachment_id:
                    # A file was given before: a new one replaces it, none keeps it.
                    options["required"] = False
                    options["help_text"] = " ".join(filter(None, [
                        options["help_text"],
                        _("Uploaded: %(name)s. Choose a file only to replace it.") % {
                            "name": answer.attachment.original_name},
                    ]))
                return forms.FileField(**options)
        return forms.CharField(max_length=500, **options)

    def answers(self):
        """(question, value) per field; value is text, or an uploaded file for a file question."""
        for name, question in self.questions.items():
            value = self.cleaned_data.get(name)
            if value is None:
                value = ""
            yield question, value if question.kind == QuestionKind.FILE else str(value)


class DeMinimisForm(forms.ModelForm):
    """Step 8, first part: the de minimis declaration (EU 2023/2831): "no other aid" or the aid lines."""

    class Meta:
        model = Application
        fields = ["de_minimis_none"]
        labels = {"de_minimis_none": _("My company received no other de minimis aid in the last three years")}
        help_texts = {
            "de_minimis_none": _("Otherwise list below every de minimis aid your company (and the companies linked "
                                 "to it) received in the last three years."),
        }

    def check_de_minimis(self, aid_lines):
        """Either "no other aid" or the aid lines, never both and never neither."""
        if not self.is_valid():
            return False
        none = self.cleaned_data.get("de_minimis_none")
        if none and aid_lines:
            self.add_error("de_minimis_none", _("You ticked that you received no other de minimis aid, but also "
                                                "listed aid: untick this or remove the aid lines."))
        elif not none and not aid_lines:
            self.add_error("de_minimis_none", _("Tick this if you received no other de minimis aid, or list the "
                                                "aid you received below."))
        return not self.errors


class DeclarationsForm(forms.ModelForm):
    """Step 8, second part: decisions sent electronically (Awb 2:14) and the applicant's declarations."""

    class Meta:
        model = Application
        fields = ["electronic_consent", "declared_truthful", "consented_processing"]
        labels = {
            "electronic_consent": _("Send decisions about this application to me electronically"),
            "declared_truthful": _("I declare that I filled in this application truthfully and completely"),
            "consented_processing": _("I consent to the municipality processing these data to handle the "
                                      "application"),
        }
        help_texts = {
            "electronic_consent": _("Awb 2:14: the municipality sends decisions electronically only with your "
                                    "consent. Without it, they arrive by post, which takes longer."),
            "consented_processing": _("The data are used only to handle the application and the subsidy, and "
                                      "for the subsidy register."),
        }


def three_years_before(day):
    try:
        return day.replace(year=day.year - 3)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 3, day=28)


class DeMinimisAidForm(forms.ModelForm):
    class Meta:
        model = DeMinimisAid
        fields = ["provider", "amount", "granted_on"]
        labels = {"amount": _("Amount (EUR)")}
        widgets = {"granted_on": DATE_WIDGET}
        help_texts = {"granted_on": _("The date of the grant decision, not the payment.")}

    def clean_granted_on(self):
        # The ceiling counts over a rolling three years from the grant dates (EU 2023/2831 art. 3).
        granted_on = self.cleaned_data["granted_on"]
        today = timezone.localdate()
        if granted_on > today:
            raise forms.ValidationError(_("The grant date cannot be in the future."))
        if granted_on < three_years_before(today):
            raise forms.ValidationError(_("Only aid of the last three years counts: leave older aid out."))
        return granted_on


DeMinimisAidFormSet = forms.inlineformset_factory(
    Application, DeMinimisAid, form=DeMinimisAidForm, **ROWS,
)


class SupplyInfoForm(forms.Form):
    comment = forms.CharField(label=_("Your answer"), widget=forms.Textarea(attrs={"rows": 4}), max_length=4000)
