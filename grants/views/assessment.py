"""Assessment pages: scoring on the case page, the ranking of a ranking or lottery scheme, and draws
(staff publish and perform them; anyone may see and verify them on the public draw page)."""

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from workflows import access, services
from workflows.access import Rule, require
from workflows.http import form_refused, perform

from .. import draws
from ..forms.assessment import DrawPublishForm, DrawVerifyForm, ScoreForm
from ..models import DistributionMethod, Draw, DrawState, Scheme
from ..ranking import DRAW_PURPOSE, is_ranked
from ..ranking import scheme_ranking as ranking_of


def assessment_context(request, application, score_form=None):
    """The case page's assessment panel: criteria with scores (two queries), the weighted total, and the
    score form for the case's handler while it is in review."""
    criteria = list(application.scheme.criteria.all())
    # No criteria, no scores: the case page knows (has_criteria) and saves the query.
    scores = {score.criterion_id: score for score in application.scores.select_related("scored_by")} if (
        criteria or getattr(application, "has_criteria", True)) else {}
    rows = [(criterion, scores.get(criterion.pk)) for criterion in criteria]
    can_score = application.state == "in_review" and access.handles_case(application, request.user)
    if can_score and score_form is None:
        score_form = ScoreForm(criteria=criteria, scores=scores)
    return {
        "criteria_rows": rows,
        "weighted_total": sum(c.weight * s.score for c, s in rows if s),
        "weighted_max": sum(c.weight * c.max_score for c in criteria),
        "scores_complete": all(s for _c, s in rows),
        "score_form": score_form if can_score else None,
        "ranked_scheme": is_ranked(application.scheme),
        "approver_band": access.approver_role(application) if application.proposed_outcome else "",
    }


@require(Rule.STAFF)
@require_POST
def case_score(request, application_id):
    from .staff import _case, _case_page

    application = _case(request, application_id)
    form = ScoreForm(request.POST, criteria=application.scheme.criteria.all())
    if not form.is_valid():
        return _case_page(request, application, status=400, score_form=form)
    perform(request, services.application_score, application_id=application.pk, scores=form.scores(),
            success=_("The scores have been saved."))
    return redirect("case_detail", application_id=application.pk)


def _staff_scheme(request, scheme_id):
    schemes = Scheme.objects.filter(organisation_id__in=access.organisation_ids(request.user, *access.CASE_ROLES))
    return get_object_or_404(schemes.select_related("budget", "organisation"), pk=scheme_id)


@require(Rule.STAFF)
def scheme_ranking(request, scheme_id):
    scheme = _staff_scheme(request, scheme_id)
    ranking = ranking_of(scheme) if is_ranked(scheme) else None
    return render(request, "grants/ranking.html", {
        "scheme": scheme, "ranking": ranking, "is_lottery": scheme.distribution == DistributionMethod.LOTTERY,
        "may_draw": access.has_role(request.user, scheme.organisation_id, access.MANAGER),
        "draw_purpose": DRAW_PURPOSE.get(scheme.distribution, ""),
        "waiting_draw": ranking is not None and any(d.state == DrawState.PUBLISHED for d in ranking.draws),
    })


@require(Rule.STAFF)
@require_POST
def draw_publish(request, scheme_id):
    scheme = _staff_scheme(request, scheme_id)
    form = DrawPublishForm(request.POST)
    if form.is_valid():
        perform(request, services.draw_publish, scheme_id=scheme.pk, purpose=form.cleaned_data["purpose"],
                success=_("The draw has been published with the hash of its seed."))
    else:
        form_refused(request, form)
    return redirect("scheme_ranking", scheme_id=scheme.pk)


@require(Rule.STAFF)
@require_POST
def draw_perform(request, draw_id):
    draw = get_object_or_404(Draw.objects.filter(
        scheme__organisation_id__in=access.organisation_ids(request.user, *access.CASE_ROLES)), pk=draw_id)
    perform(request, services.draw_perform, draw_id=draw.pk, success=_("The draw has been performed."))
    return redirect("scheme_ranking", scheme_id=draw.scheme_id)


@require(Rule.PUBLIC)
def draw_list(request):
    queryset = Draw.objects.select_related("scheme", "scheme__organisation").order_by("-published_at", "-pk")
    return render(request, "grants/draw_list.html", {"page": Paginator(queryset, 50).get_page(request.GET.get("page"))})


@require(Rule.PUBLIC)
def draw_detail(request, draw_id):
    """The public page of a draw: participants (references only), the hash, and after the draw the seed,
    the order, the algorithm and a check anyone can run with a seed."""
    draw = get_object_or_404(Draw.objects.select_related("scheme", "scheme__organisation"), pk=draw_id)
    form = DrawVerifyForm(request.GET if "seed" in request.GET else None)
    check = None
    if form.is_valid():
        seed = form.cleaned_data["seed"]
        order = draws.draw_order(seed, draw.participants)
        check = {"hash": draws.seed_hash(seed), "hash_matches": draws.seed_hash(seed) == draw.seed_hash,
                 "order": order, "order_matches": draw.state == DrawState.PERFORMED and order == draw.result}
    return render(request, "grants/draw_detail.html", {
        "draw": draw, "form": form, "check": check, "performed": draw.state == DrawState.PERFORMED,
        "result": list(enumerate(draw.result, start=1)),
    })
