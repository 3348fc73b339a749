"""Awb 4:15 and 4:5: an information request stops the decision clock; a lapsed repair period allows
"not considered"."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from grants.models import ApplicationState, DecisionOutcome
from tests.factories import ApplicantFactory, ApplicationFactory, SchemeFactory, make_staff
from workflows import services
from workflows.exceptions import TransitionRefused

AMS = datetime.timezone(datetime.timedelta(hours=1))


@pytest.fixture
def case(org_x):
    applicant = ApplicantFactory()
    application = ApplicationFactory(scheme=SchemeFactory(organisation=org_x), company=applicant.test_company,
                                     in_review=True, decision_due_on=datetime.date(2027, 3, 1))
    return application, applicant, make_staff(org_x)


@pytest.mark.django_db
def test_clock_stops_from_the_day_after_the_request_until_completion(case):
    application, applicant, officer = case
    with time_machine.travel(datetime.datetime(2027, 1, 11, 10, tzinfo=AMS)):  # a Monday
        services.application_request_info(application_id=application.pk, actor=officer, missing="Offerte")
    with time_machine.travel(datetime.datetime(2027, 1, 18, 10, tzinfo=AMS)):  # seven days later
        services.application_supply_info(application_id=application.pk, actor=applicant, comment="Bijgevoegd")
    application.refresh_from_db()
    assert application.paused_days == 7
    assert application.decision_due_on == datetime.date(2027, 3, 8)
    assert application.state == ApplicationState.SUBMITTED


@pytest.mark.django_db
def test_repair_deadline_defaults_to_the_scheme_period_on_a_working_day(case):
    application, _, officer = case
    with time_machine.travel(datetime.datetime(2027, 4, 13, 10, tzinfo=AMS)):
        services.application_request_info(application_id=application.pk, actor=officer, missing="Offerte")
    application.refresh_from_db()
    # 13 April + 14 days = 27 April, King's Day: moves to the 28th (Algemene termijnenwet)
    assert application.repair_due_on == datetime.date(2027, 4, 28)


@pytest.mark.django_db
def test_not_considered_is_refused_before_the_repair_period_lapses(case):
    application, _, officer = case
    with time_machine.travel(datetime.datetime(2027, 1, 11, 10, tzinfo=AMS)):
        services.application_request_info(application_id=application.pk, actor=officer, missing="Offerte")
        with pytest.raises(TransitionRefused):
            services.application_propose_not_considered(application_id=application.pk, actor=officer,
                                                        motivation="Niet aangevuld")


@pytest.mark.django_db
def test_not_considered_is_proposed_after_the_repair_period_lapsed(case):
    application, _, officer = case
    with time_machine.travel(datetime.datetime(2027, 1, 11, 10, tzinfo=AMS)):
        services.application_request_info(application_id=application.pk, actor=officer, missing="Offerte")
    with time_machine.travel(datetime.datetime(2027, 1, 26, 10, tzinfo=AMS)):
        services.application_propose_not_considered(application_id=application.pk, actor=officer,
                                                    motivation="Niet aangevuld")
    application.refresh_from_db()
    assert application.state == ApplicationState.PROPOSED
    assert application.proposed_outcome == DecisionOutcome.NOT_CONSIDERED


@pytest.mark.django_db
def test_applicant_never_sees_the_internal_proposal_or_send_back(client, case, org_x):
    application, applicant, officer = case
    services.application_propose(application_id=application.pk, actor=officer, outcome="reject", amount=None,
                                 motivation="INTERN: kwaliteit onvoldoende", rejection_reason="insufficient_quality")
    client.force_login(applicant)
    page = client.get(reverse("application_detail", args=[application.pk])).content.decode()
    assert "INTERN" not in page
    assert "In behandeling" in page  # the pending proposal shows as "in review"


@pytest.mark.django_db
def test_the_officer_sees_the_clock_is_suspended_only_while_the_request_is_open(client, case):
    application, applicant, officer = case
    client.force_login(officer)
    url = reverse("case_detail", args=[application.pk])
    suspended = "de beslistermijn is opgeschort tot de aanvrager aanvult of deze termijn ongebruikt verstrijkt"
    services.application_request_info(application_id=application.pk, actor=officer, missing="Offerte")
    assert suspended in client.get(url).content.decode()
    services.application_supply_info(application_id=application.pk, actor=applicant, comment="Bijgevoegd")
    assert suspended not in client.get(url).content.decode()
