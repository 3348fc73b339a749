"""First come, first served: reservations in order of completeness, partial when the ceiling runs out
(Awb 4:25), the applicant's place in line shown."""

from decimal import Decimal

import pytest
from django.urls import reverse

from grants.models import StaffRole
from grants.selectors import first_come_place
from grants.services import reserved_for
from tests.factories import ApplicantFactory, CompleteApplicationFactory, SchemeFactory, make_staff
from workflows.services import (
    application_approve,
    application_propose,
    application_start_review,
    application_submit,
    application_withdraw,
)


@pytest.fixture
def scheme(org_x):
    # Room for two full requests of EUR 1,500 and half of a third.
    return SchemeFactory(organisation=org_x, ceiling=Decimal("3750.00"), max_awards_per_company=5)


def _submitted(scheme, n):
    result = []
    for _ in range(n):
        applicant = ApplicantFactory()
        draft = CompleteApplicationFactory(scheme=scheme, company=applicant.test_company, created_by=applicant)
        result.append((application_submit(application_id=draft.pk, actor=applicant), applicant))
    return result


@pytest.mark.django_db
def test_reservations_follow_the_order_of_completeness_and_the_last_is_partial(scheme):
    (first, _), (second, _), (third, _), (fourth, _) = _submitted(scheme, 4)
    assert [reserved_for(a) for a in (first, second, third, fourth)] == [
        Decimal("1500.00"), Decimal("1500.00"), Decimal("750.00"), Decimal("0.00"),
    ]
    assert first.completed_at < second.completed_at < third.completed_at < fourth.completed_at


@pytest.mark.django_db
def test_place_in_line_counts_the_undecided_applications_before_it(scheme):
    submitted = _submitted(scheme, 3)
    place = first_come_place(submitted[2][0])
    assert (place["position"], place["total"], place["short"]) == (3, 3, Decimal("750.00"))


@pytest.mark.django_db
def test_withdrawal_moves_the_later_applications_up(scheme):
    submitted = _submitted(scheme, 3)
    application_withdraw(application_id=submitted[0][0].pk, actor=submitted[0][1])
    submitted[2][0].refresh_from_db()
    assert first_come_place(submitted[2][0])["position"] == 2


@pytest.mark.django_db
def test_applicant_sees_the_receipt_and_the_place_in_line(client, scheme):
    (application, applicant), = _submitted(scheme, 1)
    client.force_login(applicant)
    page = client.get(reverse("application_detail", args=[application.pk])).content.decode()
    assert application.reference in page
    assert "EUR 1.500,00" in page  # the reservation, the Dutch way


@pytest.mark.django_db
def test_a_withdrawal_flows_to_the_next_applications_in_line(scheme):
    (first, first_applicant), _, (third, _), (fourth, _) = _submitted(scheme, 4)
    application_withdraw(application_id=first.pk, actor=first_applicant)
    # The 1,500 released tops up the third (750 short) and gives the fourth the remaining 750.
    assert (reserved_for(third), reserved_for(fourth)) == (Decimal("1500.00"), Decimal("750.00"))
    scheme.budget.refresh_from_db()
    assert scheme.budget.reserved == scheme.budget.ceiling


@pytest.mark.django_db
def test_a_lower_award_releases_the_rest_to_the_next_in_line(scheme, org_x):
    (first, _), _, (third, _) = _submitted(scheme, 3)
    officer, manager = make_staff(org_x), make_staff(org_x, role=StaffRole.MANAGER)
    application_start_review(application_id=first.pk, actor=officer)
    application_propose(application_id=first.pk, actor=officer, outcome="award", amount=Decimal("1000.00"),
                        motivation="Een deel van de kosten is niet subsidiabel.")
    application_approve(application_id=first.pk, actor=manager)
    assert reserved_for(third) == Decimal("1250.00")
    scheme.budget.refresh_from_db()
    assert (scheme.budget.committed, scheme.budget.reserved) == (Decimal("1000.00"), Decimal("2750.00"))
