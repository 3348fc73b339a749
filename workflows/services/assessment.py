"""Assessment use cases: scoring a case on its scheme's criteria, and the public draws (DOMAIN 9a)."""

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grants import draws
from grants.models import Application, ApplicationState, Draw, DrawPurpose, DrawState, Scheme, Score
from grants.ranking import draw_candidates

from .. import access
from ..exceptions import TransitionRefused
from ..models import TransitionLog
from .core import run_transition


def application_score(*, application_id, actor, scores):
    """Record the officer's scores: ``scores`` maps criterion id to (score, note). Only the case's
    handlers (officers without a conflict of interest), only while it is in review, each score within
    0..max_score of a criterion of the case's scheme. Raises TransitionRefused; returns the application."""
    with transaction.atomic():
        application = (Application.objects.select_for_update(no_key=True).select_related("scheme")
                       .filter(pk=application_id).first())
        if application is None:
            raise TransitionRefused(_("This case no longer exists."))
        if not access.handles_case(application, actor):
            raise TransitionRefused(_("You are not allowed to take this step on this case."))
        if application.state != ApplicationState.IN_REVIEW:
            raise TransitionRefused(_("Scores can be given only while the case is in review."))
        criteria = {criterion.pk: criterion for criterion in application.scheme.criteria.all()}
        for criterion_id, (score, note) in scores.items():
            criterion = criteria.get(criterion_id)
            if criterion is None or score is None or not 0 <= score <= criterion.max_score:
                raise TransitionRefused(_("Each score must be between 0 and the criterion's maximum."))
            Score.objects.update_or_create(application=application, criterion=criterion,
                                           defaults={"score": score, "note": note or "", "scored_by": actor})
        return application


def draw_publish(*, scheme_id, purpose, actor):
    """Publish a draw for ``scheme``: its participants (the tied applications, or those of the
    oversubscribed opening day) frozen in canonical order and the SHA-256 of a new secret seed. Managers
    of the scheme's municipality only; refused while another draw of the scheme waits to be performed
    or when there is nothing to draw. Writes a log row; returns the Draw."""
    with transaction.atomic():
        scheme = Scheme.objects.select_for_update(of=("self",)).select_related("budget").filter(pk=scheme_id).first()
        if scheme is None or not access.has_role(actor, scheme.organisation_id, access.MANAGER):
            raise TransitionRefused(_("Only a manager of the municipality can publish a draw."))
        if purpose not in DrawPurpose.values:
            raise TransitionRefused(_("Unknown kind of draw."))
        if scheme.draws.filter(state=DrawState.PUBLISHED).exists():
            raise TransitionRefused(_("A published draw of this scheme has not been performed yet."))
        participants = draw_candidates(scheme, purpose)
        if len(participants) < 2:
            raise TransitionRefused(_("There is nothing to draw: fewer than two applications take part."))
        seed = draws.new_seed()
        draw = Draw.objects.create(scheme=scheme, purpose=purpose, participants=draws.canonical(participants),
                                   seed=seed, seed_hash=draws.seed_hash(seed), published_by=actor)
        TransitionLog.objects.create(content_type=ContentType.objects.get_for_model(Draw), object_id=draw.pk,
                                     transition="publish", source_state="", target_state=draw.state, actor=actor)
        return draw


def draw_perform(*, draw_id, actor):
    """Perform a published draw: reveal its seed and store the order grants.draws.draw_order gives.
    Managers of the scheme's municipality only (the transition's permission). Raises TransitionRefused."""
    draw = Draw.objects.filter(pk=draw_id).only("seed", "participants").first()
    if draw is None:
        raise TransitionRefused(_("This draw no longer exists."))
    # The seed and participants never change after publication, so the order may be computed up front.
    result = draws.draw_order(draw.seed, draw.participants)
    return run_transition(model=Draw, pk=draw_id, name="perform", actor=actor,
                          params={"by": actor, "at": timezone.now(), "result": result})
