from django import forms
from django.utils.translation import gettext_lazy as _

from .events import CONFIGURABLE_CATEGORIES
from .models import DeliveryMode


class PreferencesForm(forms.Form):
    """One choice per category: immediately or in a daily digest."""

    def __init__(self, *args, initial_modes=None, **kwargs):
        super().__init__(*args, **kwargs)
        for category in CONFIGURABLE_CATEGORIES:
            self.fields[category.value] = forms.ChoiceField(
                label=category.label, choices=DeliveryMode.choices, widget=forms.RadioSelect,
                initial=(initial_modes or {}).get(category.value, DeliveryMode.IMMEDIATE),
            )


class RetryForm(forms.Form):
    """Failed messages to send again; ids outside ``failed`` (another municipality's, or no longer
    failed) are an error, never retried."""

    def __init__(self, *args, failed, **kwargs):
        super().__init__(*args, **kwargs)
        self.failed = failed

    def clean(self):
        raw = self.data.getlist("ids") if hasattr(self.data, "getlist") else self.data.get("ids", [])
        try:
            wanted = {int(value) for value in raw}
        except (TypeError, ValueError):
            raise forms.ValidationError(_("Choose the messages to send again.")) from None
        found = list(self.failed.filter(pk__in=wanted).values_list("pk", flat=True)) if wanted else []
        if not found:
            raise forms.ValidationError(_("Choose at least one failed message to send again."))
        self.cleaned_data["ids"] = found
        return self.cleaned_data
