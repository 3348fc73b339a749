"""The one way a case changes state.

    run_transition(model=Application, pk=..., name="submit", actor=user, params={...}, effects=fn)

In one ``transaction.atomic()``: lock the row, check that the transition exists from the current
state and that ``actor`` has its permission (the ``permission=`` on the django-fsm transition,
which asks workflows.access), run the transition, call ``effects(obj)`` (the feature's ledger and
outbox rows, other fields), save, and write the transition log row. Any exception rolls all of it
back, so a refused or failed transition leaves no log, outbox or ledger row behind. Side effects
leave the process only after commit, through the outbox (notifications.services.notify).

Feature services (``application_submit`` ...) wrap this function; views call the feature services
and turn ``TransitionRefused`` into a message for the user.
"""

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils.translation import gettext as _
from django_fsm import TransitionNotAllowed, can_proceed, has_transition_perm

from grants.db import fetch_with_sql_written_once

from ..exceptions import TransitionRefused
from ..models import TransitionLog


def run_transition(*, model, pk, name, actor, params=None, effects=None, comment="", field="state"):
    """Run transition ``name`` on ``model`` row ``pk`` for ``actor`` and return the saved object.

    Raises TransitionRefused (translated message) when the row is in a state the transition does
    not leave from, when its conditions fail, or when ``actor`` lacks the permission; ``effects``
    may raise it too. ``actor`` None means the system (beat jobs); system transitions skip the
    permission check but not the state check.
    """
    with transaction.atomic():
        try:
            # NO KEY UPDATE (PostgreSQL): it still serialises transitions on this row, but does not block
            # the KEY SHARE locks that foreign keys to it take, e.g. ledger rows the budget reflow books
            # for other applications in line while their own transitions wait.
            obj = model.objects.select_for_update(no_key=True).get(pk=pk)
        except model.DoesNotExist:
            raise TransitionRefused(_("This case no longer exists.")) from None
        method = getattr(obj, name)
        source = getattr(obj, field)
        if not can_proceed(method, check_conditions=False):
            raise TransitionRefused(
                _("This is not possible while the case is “%(state)s”.") % {"state": state_label(obj, field)}
            )
        if not can_proceed(method):
            raise TransitionRefused(_("The conditions for this step are not met."))
        if actor is not None and not has_transition_perm(method, actor):
            raise TransitionRefused(_("You are not allowed to take this step on this case."))
        try:
            method(**(params or {}))
        except TransitionNotAllowed:
            raise TransitionRefused(_("This step is not allowed now.")) from None
        if effects is not None:
            effects(obj)
        obj.save()
        TransitionLog.objects.create(
            content_type=ContentType.objects.get_for_model(model),
            object_id=obj.pk,
            transition=name,
            source_state=source,
            target_state=getattr(obj, field),
            actor=actor,
            comment=comment,
        )
        return obj


def state_label(obj, field="state"):
    return getattr(obj, f"get_{field}_display")()


def timeline(obj, field="state", *, internal=True):
    """The transition log of one object, oldest first, with the actors in one query and each
    entry's ``target_state_label`` in the current language. ``internal=False`` leaves out the
    model's INTERNAL_TRANSITIONS (staff-only steps), for the applicant's view."""
    labels = dict(type(obj)._meta.get_field(field).flatchoices)
    queryset = TransitionLog.objects.filter(
        content_type=ContentType.objects.get_for_model(type(obj)), object_id=obj.pk
    ).select_related("actor")
    if not internal:
        queryset = queryset.exclude(transition__in=getattr(type(obj), "INTERNAL_TRANSITIONS", ()))
    # The SQL is written once per process (the same statement on every case page; ~0.4 ms saved a request).
    entries = fetch_with_sql_written_once(queryset, shape="timeline")
    for entry in entries:
        entry.target_state_label = labels.get(entry.target_state, entry.target_state)
    return entries


def allowed_transitions(obj, user, field="state"):
    """Names of the transitions ``user`` may run on ``obj`` now: pages show only these buttons."""
    available = getattr(obj, f"get_available_user_{field}_transitions")(user)
    return {t.name for t in available}
