"""Forms of the objection procedure: the applicant's (lodge, supply grounds) and the staff's steps."""

import datetime
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import DecisionOutcome, ObjectionOutcome


def _text(label, *, required=True, rows=5, help_text="", max_length=8000):
    return forms.CharField(label=label, required=required, max_length=max_length, help_text=help_text,
                           widget=forms.Textarea(attrs={"rows": rows}))


class ObjectionLodgeForm(forms.Form):
    grounds = _text(_("Grounds of your objection"), required=False, rows=8, max_length=20000, help_text=_(
        "Why you disagree with the decision. You may leave this empty to lodge a pro forma objection: the "
        "municipality then gives you a period to supply the grounds (Awb 6:6)."))
    delay_reason = _text(_("Why the objection is lodged after the objection period"), required=False, rows=3,
                         max_length=4000)

    def __init__(self, *args, late=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not late:
            del self.fields["delay_reason"]


class SupplyGroundsForm(forms.Form):
    grounds = _text(_("Grounds of your objection"), rows=8, max_length=20000)


class GroundsRequestForm(forms.Form):
    deadline = forms.DateField(label=_("Supply the grounds before"), required=False,
                               widget=forms.DateInput(attrs={"type": "date"}),
                               help_text=_("Leave empty for two weeks (Awb 6:6)."))


class HearingScheduleForm(forms.Form):
    date = forms.DateField(label=_("Date of the hearing"), widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(label=_("Time"), widget=forms.TimeInput(attrs={"type": "time"}))
    place = forms.CharField(label=_("Place"), max_length=200)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("date") and cleaned.get("time"):
            at = timezone.make_aware(datetime.datetime.combine(cleaned["date"], cleaned["time"]))
            if at <= timezone.now():
                self.add_error("date", _("The hearing must be in the future."))
            cleaned["at"] = at
        return cleaned


class HearingRecordForm(forms.Form):
    waived = forms.BooleanField(label=_("The objector waived being heard"), required=False)
    minutes = _text(_("Minutes of the hearing"), required=False, rows=8, max_length=20000)

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("waived") and not (cleaned.get("minutes") or "").strip():
            self.add_error("minutes", _("Record the minutes, or tick that the objector waived being heard."))
        return cleaned


class ExcuseDelayForm(forms.Form):
    reason = _text(_("Why the delay is excusable"), rows=3, max_length=4000)


class ExtendForm(forms.Form):
    reason = _text(_("Reason for the extension"), rows=3, max_length=4000)


class InadmissibleForm(forms.Form):
    motivation = _text(_("Motivation"), rows=4)


class ObjectionProposalForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Decision on the objection"), choices=ObjectionOutcome.choices,
                                widget=forms.RadioSelect)
    new_outcome = forms.ChoiceField(
        label=_("New decision (founded or partly founded)"), required=False, widget=forms.RadioSelect,
        choices=[(DecisionOutcome.AWARD, _("Award")), (DecisionOutcome.REJECT, _("Reject"))],
    )
    new_amount = forms.DecimalField(label=_("New awarded amount (EUR)"), required=False, min_value=Decimal("0.01"),
                                    max_digits=12, decimal_places=2)
    motivation = _text(_("Motivation"), rows=6)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("outcome") in (ObjectionOutcome.FOUNDED, ObjectionOutcome.PARTLY_FOUNDED):
            if not cleaned.get("new_outcome"):
                self.add_error("new_outcome", _("A founded objection needs the new decision."))
            elif cleaned["new_outcome"] == DecisionOutcome.AWARD and not cleaned.get("new_amount"):
                self.add_error("new_amount", _("An award needs an amount."))
        else:
            cleaned["new_outcome"], cleaned["new_amount"] = None, None
        return cleaned
