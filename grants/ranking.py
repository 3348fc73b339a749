"""The order in which a ranking or lottery scheme awards (DOMAIN 1, 9a): one selector for the staff
ranking page and for the approval rule "awards in rank order".

Ranking scheme, after its closing date: the complete applications by weighted score (highest first),
equal scores in the order of the scheme's latest performed tie-break draw. Lottery scheme, after its
opening day: if the applications received on the opening day ask more than the ceiling, they go first in
the order of the lottery draw, then later ones in order of completeness; otherwise all by completeness.
The order is *final* when nothing can still change it: every complete application scored (ranking), no
application waiting for information, every tie or the oversubscribed day drawn.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, F, Q, Sum
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .models import Application, ApplicationState, DecisionOutcome, DistributionMethod, Draw, DrawPurpose, DrawState

S = ApplicationState
RANKED_STATES = [S.SUBMITTED, S.IN_REVIEW, S.PROPOSED, S.AWARDED]
UNDECIDED_STATES = [S.SUBMITTED, S.IN_REVIEW, S.PROPOSED]
ZERO = Decimal("0.00")


@dataclass
class Ranking:
    scheme: object
    is_open: bool
    opens_after: object = None
    rows: list = field(default_factory=list)
    unscored: list = field(default_factory=list)
    waiting_for_info: int = 0
    undrawn: list = field(default_factory=list)  # references still to be drawn (ties or the opening day)
    draws: list = field(default_factory=list)
    max_total: int = 0

    @property
    def blockers(self):
        reasons = []
        if not self.is_open and self.opens_after is None:
            reasons.append(_("The scheme has no closing date yet; the ranking is set after it."))
        elif not self.is_open:
            reasons.append(_("The order is set after %(day)s.") % {"day": date_format(self.opens_after, "j F Y")})
        if self.unscored:
            reasons.append(_("%(count)s complete application(s) are not fully scored yet.")
                           % {"count": len(self.unscored)})
        if self.waiting_for_info:
            reasons.append(_("%(count)s application(s) are waiting for information from the applicant.")
                           % {"count": self.waiting_for_info})
        if self.undrawn:
            reasons.append(_("A draw is still needed for: %(refs)s.") % {"refs": ", ".join(self.undrawn)})
        return reasons

    @property
    def final(self):
        return not self.blockers


def is_ranked(scheme):
    return scheme.distribution in (DistributionMethod.RANKING, DistributionMethod.LOTTERY)


def order_starts_after(scheme):
    """The last day before the order can be set: the closing date (ranking) or the opening day (lottery)."""
    return scheme.closes_on if scheme.distribution == DistributionMethod.RANKING else scheme.opens_on


def _claim(application):
    """What the application takes from the ceiling in the table: the award, the proposed award, or the request."""
    if application.state == S.AWARDED:
        return application.awarded_amount or ZERO
    if application.state == S.PROPOSED and application.proposed_outcome == DecisionOutcome.AWARD:
        return application.proposed_amount or ZERO
    return application.requested_amount


def _received(application):
    return application.completed_at or application.submitted_at or application.created_at


def _settling_positions(draws, references):
    """{reference: position} from the first of ``draws`` whose result holds all ``references``, or None."""
    for draw in draws:
        if set(references) <= set(draw.result):
            return {reference: index for index, reference in enumerate(draw.result)}
    return None


def scheme_ranking(scheme, *, today=None):
    """The Ranking of ``scheme`` (which has its budget selected). Four queries whatever the number of
    applications: the applications with their weighted score, the criteria count, the draws, the
    applications waiting for information."""
    today = today or timezone.localdate()
    after = order_starts_after(scheme)
    ranking = Ranking(scheme=scheme, is_open=after is not None and today > after, opens_after=after)
    criteria = list(scheme.criteria.values_list("weight", "max_score"))
    ranking.max_total = sum(weight * max_score for weight, max_score in criteria)
    applications = list(
        Application.objects.filter(scheme=scheme, state__in=RANKED_STATES)
        .select_related("company")
        .annotate(weighted=Sum(F("scores__score") * F("scores__criterion__weight")),
                  scored=Count("scores", filter=Q(scores__criterion__scheme=scheme)))
        .order_by("completed_at", "pk")
    )
    ranking.draws = list(Draw.objects.filter(scheme=scheme).order_by("-published_at", "-pk"))
    ranking.waiting_for_info = Application.objects.filter(scheme=scheme, state=S.INFO_REQUESTED).count()
    # Performed draws, earliest first: a tie (or the opening day) is settled by the first draw that holds
    # all of it, so a later draw can never re-order what an earlier one decided.
    performed = [draw for draw in reversed(ranking.draws) if draw.state == DrawState.PERFORMED]
    if scheme.distribution == DistributionMethod.RANKING:
        ordered = _by_score(ranking, applications, len(criteria),
                            [d for d in performed if d.purpose == DrawPurpose.TIE_BREAK])
    else:
        ordered = _by_lottery(ranking, applications, [d for d in performed if d.purpose == DrawPurpose.LOTTERY])
    ceiling = scheme.budget.ceiling
    cumulative = ZERO
    for rank, application in enumerate(ordered, start=1):
        claim = _claim(application)
        before, cumulative = cumulative, cumulative + claim
        fit = "fits" if cumulative <= ceiling else ("partly" if before < ceiling else "no")
        ranking.rows.append({"rank": rank, "application": application, "claim": claim, "cumulative": cumulative,
                             "fit": fit, "fits_amount": max(min(claim, ceiling - before), ZERO)})
    return ranking


def _by_score(ranking, applications, criteria_count, tie_draws):
    scored = []
    for application in applications:
        application.weighted = application.weighted or 0
        if application.state != S.AWARDED and application.scored < criteria_count:
            ranking.unscored.append(application)
        else:
            scored.append(application)
    groups = {}
    for application in scored:
        groups.setdefault(application.weighted, []).append(application)
    drawn = {}
    for group in groups.values():
        if len(group) < 2:
            continue
        positions = _settling_positions(tie_draws, [a.reference for a in group])
        if positions is None:
            ranking.undrawn += sorted(a.reference for a in group)
        else:
            drawn.update({a.pk: positions[a.reference] for a in group})
    return sorted(scored, key=lambda a: (-a.weighted, drawn.get(a.pk, 0), _received(a), a.pk))


def _by_lottery(ranking, applications, lottery_draws):
    opening_day = [a for a in applications if timezone.localdate(_received(a)) <= ranking.scheme.opens_on]
    later = [a for a in applications if a not in opening_day]
    oversubscribed = sum((a.requested_amount for a in opening_day), ZERO) > ranking.scheme.budget.ceiling
    if oversubscribed and ranking.is_open:
        positions = _settling_positions(lottery_draws, [a.reference for a in opening_day])
        if positions is None:
            ranking.undrawn += sorted(a.reference for a in opening_day)
        else:
            opening_day.sort(key=lambda a: positions[a.reference])
    return opening_day + later


DRAW_PURPOSE = {DistributionMethod.RANKING: DrawPurpose.TIE_BREAK, DistributionMethod.LOTTERY: DrawPurpose.LOTTERY}


def draw_candidates(scheme, purpose, *, today=None):
    """The references a new draw of ``purpose`` would order: the ties (ranking) or the oversubscribed
    opening day (lottery) that no performed draw has settled yet; empty when there is nothing to draw."""
    if DRAW_PURPOSE.get(scheme.distribution) != purpose:
        return []
    ranking = scheme_ranking(scheme, today=today)
    return ranking.undrawn if ranking.is_open else []


def rank_order_refusal(application, *, today=None):
    """Why an award for ``application`` may not be approved yet in its ranked scheme, or "" when it may:
    the order must be final and no higher-ranked application may still be undecided."""
    ranking = scheme_ranking(application.scheme, today=today)
    if not ranking.final:
        return " ".join([_("Awards in this scheme follow the final ranking, which is not final yet."),
                         *ranking.blockers])
    for row in ranking.rows:
        other = row["application"]
        if other.pk == application.pk:
            return ""
        if other.state in UNDECIDED_STATES:
            return _("%(reference)s is ranked higher and has not been decided yet: awards follow the rank order.") % {
                "reference": other.reference}
    return ""
