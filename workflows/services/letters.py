"""Use cases around the decision term and the letters: extension (verdaging), the notice of default
(ingebrekestelling) and marking a letter posted. The two first run a transition that keeps the state,
so they are logged like any step; the extension's letter is issued inside the same transaction."""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from grants.letters import letter_issue, letter_link
from grants.models import Application, DecisionLetter, LetterChannel, LetterKind
from notifications.services import notify

from .. import access
from ..exceptions import TransitionRefused
from .applications import _company_users, _context
from .core import run_transition
from .values import date_value, whole_number

MAX_EXTENSION_WEEKS = 26


def application_extend(*, application_id, actor, weeks, reason):
    """Extend the decision term once, before it passes, by ``weeks`` (Awb 4:13-4:14): the new due date
    is the old one plus the term, moved past weekends and holidays. Issues the extension letter and
    tells the applicant. Refused when already extended, when the term has passed, or for a term of
    fewer than 1 or more than MAX_EXTENSION_WEEKS weeks."""
    today = timezone.localdate()
    weeks = whole_number(weeks, low=1, high=MAX_EXTENSION_WEEKS)
    if not 1 <= weeks <= MAX_EXTENSION_WEEKS:
        raise TransitionRefused(_("The extension must be between 1 and %(max)s weeks.") % {"max": MAX_EXTENSION_WEEKS})
    current = Application.objects.filter(pk=application_id).values("extended_on", "decision_due_on").first()
    if current and current["extended_on"]:
        raise TransitionRefused(_("The decision term can be extended only once (Awb 4:14)."))
    if current and current["decision_due_on"] and current["decision_due_on"] < today:
        raise TransitionRefused(_("The decision term has already passed; it can no longer be extended (Awb 4:14)."))

    def effects(app):
        letter = letter_issue(application=app, kind=LetterKind.EXTENSION, actor=actor,
                              extra={"reason": reason, "extension_weeks": weeks})
        notify(event="extension_sent", recipients=_company_users(app),
               context={**_context(app), "reason": reason, "weeks": weeks,
                        "letter_url": letter_link(letter)},
               url=reverse("application_detail", args=[app.pk]))

    comment = _("Decision term extended by %(weeks)s weeks: %(reason)s") % {"weeks": weeks, "reason": reason}
    return run_transition(model=Application, pk=application_id, name="extend_term", actor=actor,
                          params={"on": today, "weeks": weeks, "reason": reason}, effects=effects, comment=comment)


def application_register_default_notice(*, application_id, actor, received_on):
    """Register the day the applicant's notice of default (ingebrekestelling, Awb 4:17) was received:
    the case page shows the penalty exposure from it. Once per case; not a date in the future."""
    received_on = date_value(received_on)
    if received_on > timezone.localdate():
        raise TransitionRefused(_("The date the notice was received cannot be in the future."))
    comment = _("Notice of default received on %(date)s (Awb 4:17).") % {"date": date_format(received_on, "j F Y")}
    return run_transition(model=Application, pk=application_id, name="register_default_notice", actor=actor,
                          params={"received_on": received_on}, comment=comment)


def post_list_for(user):
    """Letters waiting to be printed and posted at the municipalities where ``user`` handles cases."""
    organisations = access.organisation_ids(user, *access.CASE_ROLES)
    return (DecisionLetter.objects.filter(channel=LetterChannel.POST, sent_on__isnull=True,
                                          application__scheme__organisation_id__in=organisations)
            .select_related("application__company", "application__scheme__organisation")
            .order_by("issued_at", "pk"))


def letter_mark_posted(*, letter_id, actor, posted_on):
    """An officer posted the printed letter on ``posted_on``: that is its sending date (the objection
    period runs from the day after, Awb 6:8). Refused for a date in the future or before the letter was
    issued, and for a letter already marked."""
    posted_on = date_value(posted_on)
    with transaction.atomic():
        letter = post_list_for(actor).select_for_update().filter(pk=letter_id).first()
        if letter is None:
            raise TransitionRefused(_("This letter is not on your print-and-post list (any more)."))
        if posted_on > timezone.localdate() or posted_on < timezone.localdate(letter.issued_at):
            raise TransitionRefused(_("The posting date must lie between the letter's date and today."))
        letter.sent_on = posted_on
        letter.posted_by = actor
        letter.save(update_fields=["sent_on", "posted_by"])
        return letter
