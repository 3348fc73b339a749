"""Distribution at approval: first come decides against the reservation (Awb 4:25); ranking schemes award
in rank order after the closing date, ties drawn; lottery schemes order an oversubscribed opening day
by a draw. The ranking page costs the same number of queries for 1 and 50 applications."""

import datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation

from grants.models import Application, ApplicationState, Draw, Scheme, StaffRole
from grants.ranking import scheme_ranking
from grants.services import committed_for, reserved_for
from notifications.models import Outbox
from tests.factories import (
    ApplicantFactory,
    ApplicationFactory,
    CompleteApplicationFactory,
    CriterionFactory,
    SchemeFactory,
    ScoreFactory,
    make_staff,
)
from workflows.access import approver_role
from workflows.exceptions import TransitionRefused
from workflows.services import (
    application_approve,
    application_propose,
    application_start_review,
    application_submit,
    draw_perform,
    draw_publish,
)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def manager(org_x):
    return make_staff(org_x, StaffRole.MANAGER)


# --- first come: the reservation decides -----------------------------------------------------------


def _submitted_and_proposed(scheme, officer, amount):
    applicant = ApplicantFactory()
    draft = CompleteApplicationFactory(scheme=scheme, company=applicant.test_company, created_by=applicant)
    application_submit(application_id=draft.pk, actor=applicant)
    application_start_review(application_id=draft.pk, actor=officer)
    application_propose(application_id=draft.pk, actor=officer, outcome="award", amount=Decimal(amount),
                        motivation="Voldoet.")
    draft.refresh_from_db()
    return draft


@pytest.mark.django_db
def test_first_come_award_above_the_reservation_becomes_partial_with_the_ceiling_reason(org_x, manager):
    scheme = SchemeFactory(organisation=org_x, ceiling=Decimal("2250.00"), max_awards_per_company=5)
    officer = make_staff(org_x)
    _first = _submitted_and_proposed(scheme, officer, "1500.00")
    second = _submitted_and_proposed(scheme, officer, "1500.00")
    assert reserved_for(second) == Decimal("750.00")
    application_approve(application_id=second.pk, actor=manager)
    second.refresh_from_db()
    assert (second.state, second.awarded_amount, second.rejection_reason) == (
        ApplicationState.AWARDED, Decimal("750.00"), "ceiling_reached")
    assert committed_for(second) == Decimal("750.00")


@pytest.mark.django_db
def test_first_come_award_without_any_reservation_is_refused_with_the_ceiling_reason(org_x, manager):
    scheme = SchemeFactory(organisation=org_x, ceiling=Decimal("1500.00"), max_awards_per_company=5)
    officer = make_staff(org_x)
    _submitted_and_proposed(scheme, officer, "1500.00")
    last = _submitted_and_proposed(scheme, officer, "1500.00")
    application_approve(application_id=last.pk, actor=manager)
    last.refresh_from_db()
    assert (last.state, last.awarded_amount, last.rejection_reason) == (
        ApplicationState.REJECTED, None, "ceiling_reached")
    assert committed_for(last) == 0
    decision = Outbox.objects.get(event="decision_made", url__contains=f"/{last.pk}/")
    assert decision.context["outcome"] == "reject" and decision.context["rejection_reason_en"].startswith("Budget")


# --- ranking --------------------------------------------------------------------------------------


@pytest.fixture
def ranked(org_x):
    """A ranking scheme that closed yesterday with room for two awards of EUR 1,500 and a half."""
    today = timezone.localdate()
    scheme = SchemeFactory(organisation=org_x, distribution="ranking", ceiling=Decimal("3750.00"),
                           opens_on=today - datetime.timedelta(days=60), closes_on=today - datetime.timedelta(days=1))
    return scheme, CriterionFactory(scheme=scheme, weight=2, max_score=5)


def _scored(scheme, criterion, score, **state):
    application = ApplicationFactory(scheme=scheme, **(state or {"in_review": True}))
    ScoreFactory(application=application, criterion=criterion, score=score)
    return application


@pytest.mark.django_db
def test_ranking_orders_by_weighted_score_with_cumulative_amounts_against_the_ceiling(ranked):
    scheme, criterion = ranked
    low, high, mid = (_scored(scheme, criterion, s) for s in (2, 5, 4))
    unscored = ApplicationFactory(scheme=scheme, in_review=True)
    ranking = scheme_ranking(scheme)
    assert [row["application"] for row in ranking.rows] == [high, mid, low]
    assert [(row["cumulative"], row["fit"]) for row in ranking.rows] == [
        (Decimal("1500.00"), "fits"), (Decimal("3000.00"), "fits"), (Decimal("4500.00"), "partly")]
    assert ranking.rows[2]["fits_amount"] == Decimal("750.00")
    assert ranking.unscored == [unscored] and not ranking.final


@pytest.mark.django_db
def test_awards_are_approved_in_rank_order_only(ranked, manager):
    scheme, criterion = ranked
    high = _scored(scheme, criterion, 5, proposed=True)
    mid = _scored(scheme, criterion, 4, proposed=True)
    with pytest.raises(TransitionRefused, match=f"{high.reference} is ranked higher"):
        application_approve(application_id=mid.pk, actor=manager)
    application_approve(application_id=high.pk, actor=manager)
    application_approve(application_id=mid.pk, actor=manager)
    high.refresh_from_db()
    mid.refresh_from_db()
    assert (high.state, mid.state) == (ApplicationState.AWARDED, ApplicationState.AWARDED)


@pytest.mark.django_db
def test_a_rejection_may_be_approved_out_of_rank_order(ranked, manager):
    scheme, criterion = ranked
    _scored(scheme, criterion, 5, in_review=True)
    low = _scored(scheme, criterion, 1, proposed=True, proposed_outcome="reject", proposed_amount=None,
                  rejection_reason="insufficient_quality")
    application_approve(application_id=low.pk, actor=manager)
    low.refresh_from_db()
    assert low.state == ApplicationState.REJECTED


@pytest.mark.django_db
def test_no_award_before_the_closing_date(org_x, manager):
    scheme = SchemeFactory(organisation=org_x, distribution="ranking")
    case = _scored(scheme, CriterionFactory(scheme=scheme), 5, proposed=True)
    with pytest.raises(TransitionRefused, match="not final"):
        application_approve(application_id=case.pk, actor=manager)


@pytest.mark.django_db
def test_the_award_that_passes_the_ceiling_is_partial_and_the_next_refused(ranked, manager):
    scheme, criterion = ranked
    cases = [_scored(scheme, criterion, score, proposed=True) for score in (5, 4, 3, 2)]
    for case in cases:
        application_approve(application_id=case.pk, actor=manager)
    for case in cases:
        case.refresh_from_db()
    assert [(c.state, c.awarded_amount, c.rejection_reason) for c in cases] == [
        ("awarded", Decimal("1500.00"), ""), ("awarded", Decimal("1500.00"), ""),
        ("awarded", Decimal("750.00"), "ceiling_reached"), ("rejected", None, "ceiling_reached")]


@pytest.mark.django_db
def test_a_tie_blocks_awards_until_a_draw_orders_it(ranked, manager):
    scheme, criterion = ranked
    first, second = _scored(scheme, criterion, 4, proposed=True), _scored(scheme, criterion, 4, proposed=True)
    assert scheme_ranking(scheme).undrawn == sorted([first.reference, second.reference])
    with pytest.raises(TransitionRefused, match="draw is still needed"):
        application_approve(application_id=first.pk, actor=manager)
    draw = draw_perform(draw_id=draw_publish(scheme_id=scheme.pk, purpose="tie_break", actor=manager).pk,
                        actor=manager)
    ranking = scheme_ranking(scheme)
    assert ranking.final and [row["application"].reference for row in ranking.rows] == draw.result


# --- lottery --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_oversubscribed_opening_day_is_ordered_by_the_lottery_draw(org_x, manager):
    today = timezone.localdate()
    opening = today - datetime.timedelta(days=3)
    scheme = SchemeFactory(organisation=org_x, distribution="lottery", ceiling=Decimal("3000.00"), opens_on=opening)
    at = timezone.make_aware(datetime.datetime.combine(opening, datetime.time(9)))
    day_one = [ApplicationFactory(scheme=scheme, in_review=True, completed_at=at) for _ in range(3)]
    later = ApplicationFactory(scheme=scheme, in_review=True)
    assert scheme_ranking(scheme).undrawn == sorted(a.reference for a in day_one)
    draw = draw_publish(scheme_id=scheme.pk, purpose="lottery", actor=manager)
    assert draw.participants == sorted(a.reference for a in day_one)
    draw = draw_perform(draw_id=draw.pk, actor=manager)
    order = [row["application"].reference for row in scheme_ranking(scheme).rows]
    assert order == [*draw.result, later.reference]


@pytest.mark.django_db
def test_an_opening_day_within_the_ceiling_needs_no_draw(org_x):
    opening = timezone.localdate() - datetime.timedelta(days=3)
    scheme = SchemeFactory(organisation=org_x, distribution="lottery", ceiling=Decimal("9000.00"), opens_on=opening)
    at = timezone.make_aware(datetime.datetime.combine(opening, datetime.time(9)))
    [ApplicationFactory(scheme=scheme, in_review=True, completed_at=at) for _ in range(3)]
    assert scheme_ranking(scheme).final


# --- the ranking page -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_ranking_page_explains_the_rank_order_rule(client, ranked, manager, settings):
    scheme, criterion = ranked
    _scored(scheme, criterion, 3)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(manager)
    page = client.get(reverse("scheme_ranking", args=[scheme.pk])).content.decode()
    assert "an award cannot be approved while an application ranked higher is still undecided" in page


@pytest.mark.django_db
def test_another_municipality_cannot_see_the_ranking(client, ranked, org_y):
    client.force_login(make_staff(org_y, StaffRole.MANAGER))
    assert client.get(reverse("scheme_ranking", args=[ranked[0].pk])).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [1, 50])
def test_the_ranking_page_costs_the_same_queries_for_1_and_50_rows(client, ranked, manager, rows,
                                                                   django_assert_num_queries):
    scheme, criterion = ranked
    for score in range(rows):
        _scored(scheme, criterion, score % 6)
    client.force_login(manager)
    # session, user, the second-factor device, memberships (one query), scheme with budget and organisation, criteria,
    # applications with their weighted scores and companies (one query), draws, applications waiting for information;
    # the base template's unread inbox count.
    with django_assert_num_queries(10):
        response = client.get(reverse("scheme_ranking", args=[scheme.pk]))
    assert response.status_code == 200 and len(response.context["ranking"].rows) == rows


@pytest.mark.django_db
def test_the_demo_region_holds_scored_cases_both_bands_and_a_ranking_with_a_published_and_performed_draw():
    call_command("seed_demo", stdout=StringIO())
    ranked = Scheme.objects.get(code="circulaire-innovatie")
    assert ranked.closes_on < timezone.localdate() and ranked.criteria.count() == 3
    assert sorted(Draw.objects.filter(scheme=ranked).values_list("state", flat=True)) == ["performed", "published"]
    assert Application.objects.filter(scheme=ranked, scores__isnull=False).distinct().count() == 5
    bands = {approver_role(a) for a in Application.objects.filter(state="proposed", scheme__code="circulaire-scan")}
    assert bands == {"officer", "manager"}


@pytest.mark.django_db
def test_approving_out_of_rank_order_on_the_page_gives_a_clear_message(client, ranked, manager, settings):
    scheme, criterion = ranked
    high = _scored(scheme, criterion, 5, proposed=True)
    mid = _scored(scheme, criterion, 4, proposed=True)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(manager)
    response = client.post(reverse("case_approve", args=[mid.pk]), follow=True)
    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]] == [
        f"{high.reference} is ranked higher and has not been decided yet: awards follow the rank order."]
    mid.refresh_from_db()
    assert mid.state == ApplicationState.PROPOSED


@pytest.mark.django_db
def test_a_ranking_scheme_without_closing_date_is_not_final_and_its_page_explains_why(client, org_x, manager):
    scheme = SchemeFactory(organisation=org_x, distribution="ranking", closes_on=None)
    ranking = scheme_ranking(scheme)
    assert not ranking.final
    assert ranking.blockers == ["The scheme has no closing date yet; the ranking is set after it."]
    client.force_login(manager)
    assert client.get(reverse("scheme_ranking", args=[scheme.pk])).status_code == 200
