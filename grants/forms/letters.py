"""Forms of the letters: an administrator's letter text, the officer's extension, notice of default
and posting date."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from workflows.services.letters import MAX_EXTENSION_WEEKS

from ..letters import placeholder_problems

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class LetterTemplateForm(forms.Form):
    body_nl = forms.CharField(label=_("Text (Dutch)"), widget=forms.Textarea(attrs={"rows": 18}), max_length=20000)
    body_en = forms.CharField(label=_("Text (English)"), widget=forms.Textarea(attrs={"rows": 18}), max_length=20000)

    def __init__(self, *args, kind, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind

    def _checked(self, name):
        text = self.cleaned_data[name]
        problems = placeholder_problems(text, self.kind)
        if problems:
            raise ValidationError(problems)
        return text

    def clean_body_nl(self):
        return self._checked("body_nl")

    def clean_body_en(self):
        return self._checked("body_en")


class ExtensionForm(forms.Form):
    weeks = forms.IntegerField(label=_("Extend by (weeks)"), min_value=1, max_value=MAX_EXTENSION_WEEKS,
                               help_text=_("Awb 4:14: a reasonable new term, once, before the term passes."))
    reason = forms.CharField(label=_("Reason (appears in the letter)"), widget=forms.Textarea(attrs={"rows": 3}),
                             max_length=2000)


class DefaultNoticeForm(forms.Form):
    received_on = forms.DateField(label=_("Notice of default received on"), widget=DATE)

    def clean_received_on(self):
        received_on = self.cleaned_data["received_on"]
        if received_on > timezone.localdate():
            raise ValidationError(_("The date cannot be in the future."))
        return received_on


class PostedForm(forms.Form):
    posted_on = forms.DateField(label=_("Posted on"), widget=DATE, initial=timezone.localdate)
