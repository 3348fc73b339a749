"""The officer's score form (one score and note per criterion of the scheme) and the public draw check."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ..models import DrawPurpose


class ScoreForm(forms.Form):
    """Fields ``score_<criterion id>`` and ``note_<criterion id>`` for each of ``criteria``."""

    def __init__(self, *args, criteria, scores=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        scores = scores or {}
        for criterion in self.criteria:
            given = scores.get(criterion.pk)
            self.fields[f"score_{criterion.pk}"] = forms.IntegerField(
                label=_("%(name)s: score") % {"name": criterion.name}, min_value=0, max_value=criterion.max_score,
                initial=given.score if given else None,
                help_text=ngettext("0 to %(max)s, counts once.", "0 to %(max)s, counts %(weight)s times.",
                                   criterion.weight) % {"max": criterion.max_score, "weight": criterion.weight},
            )
            self.fields[f"note_{criterion.pk}"] = forms.CharField(
                label=_("%(name)s: note") % {"name": criterion.name}, required=False, max_length=4000,
                widget=forms.Textarea(attrs={"rows": 2}), initial=given.note if given else "",
            )

    def scores(self):
        return {c.pk: (self.cleaned_data[f"score_{c.pk}"], self.cleaned_data[f"note_{c.pk}"]) for c in self.criteria}


class DrawPublishForm(forms.Form):
    purpose = forms.ChoiceField(label=_("Kind of draw"), choices=DrawPurpose.choices)


class DrawVerifyForm(forms.Form):
    seed = forms.CharField(label=_("Seed"), max_length=200, strip=True,
                           help_text=_("The seed revealed after the draw, or any seed you want to check."))
