"""Assessment: scheme criteria edited by the administrator, scores with notes and the weighted total on
the case page, proposals that need complete scores, amounts within the caps and reasons for rejections."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from grants.models import ApplicationState, AssessmentCriterion, RejectionReason, Score, StaffRole
from tests.factories import (
    ApplicantFactory,
    ApplicationFactory,
    CompleteApplicationFactory,
    CriterionFactory,
    SchemeFactory,
    ScoreFactory,
    make_staff,
)
from workflows.exceptions import TransitionRefused
from workflows.services import application_propose, application_score, application_start_review, application_submit


@pytest.fixture(autouse=True)
def _english():
    """Service refusals are matched in English; pages keep their default language."""
    with translation.override("en"):
        yield


@pytest.fixture
def client(client, settings):
    """Pages in English (the language switch's cookie), so that texts are matched in one language."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def scheme(org_x):
    return SchemeFactory(organisation=org_x, max_amount=Decimal("2000.00"))


@pytest.fixture
def officer(org_x):
    return make_staff(org_x)


@pytest.fixture
def case(scheme):
    return ApplicationFactory(scheme=scheme, in_review=True)


@pytest.mark.django_db
def test_administrator_adds_weighted_criteria_on_the_scheme_pages(client, scheme, org_x):
    client.force_login(make_staff(org_x, StaffRole.ADMINISTRATOR))
    response = client.post(reverse("manage_scheme_criteria", args=[scheme.pk]), {
        "criteria-TOTAL_FORMS": "1", "criteria-INITIAL_FORMS": "0", "criteria-0-order": "1",
        "criteria-0-name_nl": "Circulariteit", "criteria-0-name_en": "Circularity", "criteria-0-weight": "3",
        "criteria-0-max_score": "5"})
    assert response.status_code == 302
    criterion = AssessmentCriterion.objects.get(scheme=scheme)
    assert (criterion.name_nl, criterion.weight, criterion.max_score) == ("Circulariteit", 3, 5)


@pytest.mark.django_db
def test_a_scored_criterion_cannot_be_removed(client, scheme, case, org_x):
    criterion = ScoreFactory(application=case, criterion=CriterionFactory(scheme=scheme)).criterion
    client.force_login(make_staff(org_x, StaffRole.ADMINISTRATOR))
    response = client.post(reverse("manage_scheme_criteria", args=[scheme.pk]), {
        "criteria-TOTAL_FORMS": "1", "criteria-INITIAL_FORMS": "1", "criteria-0-id": str(criterion.pk),
        "criteria-0-order": "1", "criteria-0-name_nl": criterion.name_nl, "criteria-0-name_en": criterion.name_en,
        "criteria-0-weight": "1", "criteria-0-max_score": "5", "criteria-0-DELETE": "on"})
    assert response.status_code == 200 and "already been scored" in response.content.decode()
    assert AssessmentCriterion.objects.filter(pk=criterion.pk).exists()


@pytest.mark.django_db
def test_officer_scores_each_criterion_and_sees_the_weighted_total(client, scheme, case, officer):
    quality, impact = CriterionFactory(scheme=scheme, weight=2, max_score=5), CriterionFactory(scheme=scheme)
    client.force_login(officer)
    response = client.post(reverse("case_score", args=[case.pk]), {
        f"score_{quality.pk}": "4", f"note_{quality.pk}": "Heldere aanpak.", f"score_{impact.pk}": "3"})
    assert response.status_code == 302
    assert Score.objects.get(criterion=quality).note == "Heldere aanpak."
    page = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert "11 / 15" in page  # 4 x 2 + 3 x 1 of at most 5 x 2 + 5 x 1


@pytest.mark.django_db
def test_a_score_above_the_maximum_is_refused_at_the_field_and_keeps_what_was_typed(client, scheme, case, officer):
    criterion = CriterionFactory(scheme=scheme, max_score=5)
    client.force_login(officer)
    response = client.post(reverse("case_score", args=[case.pk]),
                           {f"score_{criterion.pk}": "9", f"note_{criterion.pk}": "Uitzonderlijk goed."})
    assert response.status_code == 400
    assert response.context["score_form"].errors[f"score_{criterion.pk}"]
    assert "Uitzonderlijk goed." in response.content.decode()
    assert not Score.objects.exists()


@pytest.mark.django_db
def test_scoring_is_refused_outside_review_and_for_a_manager(scheme, officer, org_x):
    criterion = CriterionFactory(scheme=scheme)
    submitted = ApplicationFactory(scheme=scheme, submitted=True)
    with pytest.raises(TransitionRefused, match="in review"):
        application_score(application_id=submitted.pk, actor=officer, scores={criterion.pk: (3, "")})
    in_review = ApplicationFactory(scheme=scheme, in_review=True)
    with pytest.raises(TransitionRefused, match="not allowed"):
        application_score(application_id=in_review.pk, actor=make_staff(org_x, StaffRole.MANAGER),
                          scores={criterion.pk: (3, "")})
    assert not Score.objects.exists()


@pytest.mark.django_db
def test_proposal_is_refused_until_every_criterion_is_scored(scheme, case, officer):
    first, second = CriterionFactory(scheme=scheme), CriterionFactory(scheme=scheme)
    application_score(application_id=case.pk, actor=officer, scores={first.pk: (4, "")})
    with pytest.raises(TransitionRefused, match="Score every assessment criterion"):
        application_propose(application_id=case.pk, actor=officer, outcome="award", amount=Decimal("1500.00"),
                            motivation="Goed plan.")
    application_score(application_id=case.pk, actor=officer, scores={second.pk: (2, "Matig.")})
    application_propose(application_id=case.pk, actor=officer, outcome="award", amount=Decimal("1500.00"),
                        motivation="Goed plan.")
    case.refresh_from_db()
    assert case.state == ApplicationState.PROPOSED


@pytest.mark.django_db
def test_a_partial_award_below_the_request_is_proposed(case, officer):
    application_propose(application_id=case.pk, actor=officer, outcome="award", amount=Decimal("900.00"),
                        motivation="Een deel van de kosten is niet subsidiabel.")
    case.refresh_from_db()
    assert (case.proposed_outcome, case.proposed_amount, case.rejection_reason) == ("award", Decimal("900.00"), "")


@pytest.mark.django_db
@pytest.mark.parametrize("amount", ["0.00", "1500.01"])
def test_award_amount_must_be_above_zero_and_not_above_the_request(case, officer, amount):
    with pytest.raises(TransitionRefused, match="at most"):
        application_propose(application_id=case.pk, actor=officer, outcome="award", amount=Decimal(amount),
                            motivation="Te veel.")
    case.refresh_from_db()
    assert case.state == ApplicationState.IN_REVIEW


@pytest.mark.django_db
def test_award_may_not_exceed_the_scheme_maximum(scheme, officer):
    case = ApplicationFactory(scheme=scheme, in_review=True, requested_amount=Decimal("5000.00"))
    with pytest.raises(TransitionRefused, match="2000"):
        application_propose(application_id=case.pk, actor=officer, outcome="award", amount=Decimal("2500.00"),
                            motivation="Te veel.")


@pytest.mark.django_db
def test_award_may_not_exceed_the_cofunding_share_of_the_costs(scheme, officer):
    applicant = ApplicantFactory()
    draft = CompleteApplicationFactory(scheme=scheme, company=applicant.test_company, created_by=applicant)
    application_submit(application_id=draft.pk, actor=applicant)
    application_start_review(application_id=draft.pk, actor=officer)
    draft.refresh_from_db()
    # The costs yield exactly the request at 50%; raising the request does not raise the co-funding cap.
    type(draft).objects.filter(pk=draft.pk).update(requested_amount=draft.requested_amount + 100)
    with pytest.raises(TransitionRefused, match="at most"):
        application_propose(application_id=draft.pk, actor=officer, outcome="award",
                            amount=draft.requested_amount + 50, motivation="Boven het cofinancieringsdeel.")


@pytest.mark.django_db
def test_rejection_needs_a_reason_code(case, officer):
    with pytest.raises(TransitionRefused, match="reason"):
        application_propose(application_id=case.pk, actor=officer, outcome="reject", amount=None,
                            motivation="Niet circulair genoeg.")
    application_propose(application_id=case.pk, actor=officer, outcome="reject", amount=None,
                        motivation="Niet circulair genoeg.", rejection_reason=RejectionReason.INSUFFICIENT_QUALITY)
    case.refresh_from_db()
    assert (case.proposed_outcome, case.rejection_reason) == ("reject", "insufficient_quality")


@pytest.mark.django_db
def test_rejection_without_reason_is_refused_at_the_field_on_the_page(client, case, officer):
    client.force_login(officer)
    response = client.post(reverse("case_propose", args=[case.pk]),
                           {"outcome": "reject", "motivation": "Niet circulair genoeg."})
    assert response.status_code == 400
    assert "rejection_reason" in response.context["proposal_form"].errors
    assert "Niet circulair genoeg." in response.content.decode()


@pytest.mark.django_db
def test_the_rejection_reason_is_shown_on_the_case_page(client, case, officer):
    client.force_login(officer)
    client.post(reverse("case_propose", args=[case.pk]), {
        "outcome": "reject", "rejection_reason": "not_eligible", "motivation": "Buiten de doelgroep."})
    page = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert str(RejectionReason.NOT_ELIGIBLE.label) in page


@pytest.mark.django_db
def test_an_action_not_allowed_in_the_state_gives_a_message_not_an_error_page(client, case, org_x):
    client.force_login(make_staff(org_x, StaffRole.MANAGER))
    response = client.post(reverse("case_approve", args=[case.pk]), follow=True)
    assert response.status_code == 200
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    case.refresh_from_db()
    assert case.state == ApplicationState.IN_REVIEW
