"""The application journey through the pages: draft, submit, review, propose, approve."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse

from grants.models import Application, ApplicationState, StaffRole
from notifications.models import Outbox
from tests.factories import (
    ApplicantFactory,
    ApplicationFactory,
    CompanyFactory,
    PartnerFactory,
    SchemeFactory,
    complete_application,
    make_staff,
)


@pytest.fixture
def scheme(org_x):
    return SchemeFactory(organisation=org_x, ceiling=Decimal("3000.00"))


@pytest.fixture
def applicant(org_x):
    return ApplicantFactory(company=CompanyFactory(municipality=org_x))


def _draft(client, scheme, applicant, amount="1500.00", *, complete=True, title="Scan van onze houtstromen"):
    """A draft made on the create page, then (test set-up) completed with costs that yield ``amount``."""
    client.force_login(applicant)
    response = client.post(reverse("application_create", args=[scheme.pk]), {
        "company": applicant.test_company.pk, "title": title,
        "description": "Een adviseur brengt onze reststromen in kaart.", "location": "Alphen aan den Rijn",
        "starts_on": "2099-01-01", "ends_on": "2099-06-30",
    })
    if complete and response.status_code == 302:
        application = Application.objects.get()
        application.requested_amount = Decimal(amount)
        complete_application(application)
    return response


@pytest.mark.django_db
def test_draft_is_saved_and_can_be_resumed(client, scheme, applicant):
    response = _draft(client, scheme, applicant, complete=False)
    application = Application.objects.get()
    assert response.status_code == 302 and application.state == ApplicationState.DRAFT
    page = client.get(reverse("application_step", args=[application.pk, "project"]))
    assert "Scan van onze houtstromen" in page.content.decode()


@pytest.mark.django_db
def test_draft_without_a_title_is_refused_at_the_field(client, scheme, applicant):
    response = _draft(client, scheme, applicant, complete=False, title="")
    assert response.status_code == 200
    assert "title" in response.context["form"].errors
    assert 'value="Alphen aan den Rijn"' in response.content.decode()
    assert not Application.objects.exists()


@pytest.mark.django_db
def test_submit_gives_reference_reservation_and_receipt(client, scheme, applicant, django_capture_on_commit_callbacks):
    _draft(client, scheme, applicant)
    application = Application.objects.get()
    with django_capture_on_commit_callbacks():
        client.post(reverse("application_submit", args=[application.pk]))
    application.refresh_from_db()
    assert application.state == ApplicationState.SUBMITTED
    assert application.reference.startswith("ALP-")
    scheme.budget.refresh_from_db()
    assert scheme.budget.reserved == Decimal("1500.00")
    assert Outbox.objects.filter(event="application_submitted", recipient=applicant).count() == 1


@pytest.mark.django_db
def test_second_submit_post_is_refused_with_a_message_not_an_error(client, scheme, applicant):
    _draft(client, scheme, applicant)
    application = Application.objects.get()
    client.post(reverse("application_submit", args=[application.pk]))
    response = client.post(reverse("application_submit", args=[application.pk]), follow=True)
    assert response.status_code == 200
    assert any(m.level_tag == "error" for m in response.context["messages"])
    assert Outbox.objects.filter(event="application_submitted").count() == 1


@pytest.mark.django_db
def test_submit_to_closed_scheme_keeps_the_draft(client, scheme, applicant):
    _draft(client, scheme, applicant)
    scheme.closes_on = scheme.opens_on
    scheme.save()
    application = Application.objects.get()
    client.post(reverse("application_submit", args=[application.pk]))
    application.refresh_from_db()
    assert application.state == ApplicationState.DRAFT


@pytest.mark.django_db
def test_officer_proposes_and_another_manager_approves(client, scheme, org_x):
    application = ApplicationFactory(scheme=scheme, in_review=True)
    officer, manager = make_staff(org_x), make_staff(org_x, role=StaffRole.MANAGER)
    client.force_login(officer)
    client.post(reverse("case_propose", args=[application.pk]),
                {"outcome": "award", "amount": "1500.00", "motivation": "Voldoet."})
    client.force_login(manager)
    client.post(reverse("case_approve", args=[application.pk]))
    application.refresh_from_db()
    assert application.state == ApplicationState.AWARDED
    assert application.decided_by == manager and application.proposed_by == officer


@pytest.mark.django_db
def test_proposal_without_motivation_is_refused_at_the_field(client, scheme, org_x):
    application = ApplicationFactory(scheme=scheme, in_review=True)
    client.force_login(make_staff(org_x))
    response = client.post(reverse("case_propose", args=[application.pk]), {"outcome": "award", "amount": "10"})
    assert response.status_code == 400
    assert "motivation" in response.context["proposal_form"].errors
    application.refresh_from_db()
    assert application.state == ApplicationState.IN_REVIEW


@pytest.mark.django_db
def test_case_queue_costs_the_same_queries_for_1_and_50_rows(client, scheme, org_x, django_assert_num_queries):
    officer = make_staff(org_x)
    client.force_login(officer)
    ApplicationFactory(scheme=scheme, submitted=True)
    # session, user, the second factor's device, memberships (one query), the filter's schemes, state
    # counts (which also give the unfiltered queue's size), unread count, page of cases
    with django_assert_num_queries(8):
        client.get(reverse("case_list"))
    ApplicationFactory.create_batch(49, scheme=scheme, submitted=True)
    with django_assert_num_queries(8):
        response = client.get(reverse("case_list"))
    assert len(response.context["page"].object_list) == 50


@pytest.mark.django_db
def test_case_page_costs_a_fixed_number_of_queries(client, scheme, org_x, django_assert_num_queries):
    officer = make_staff(org_x)
    client.force_login(officer)
    application = ApplicationFactory(scheme=scheme, submitted=True)
    url = reverse("case_detail", args=[application.pk])
    client.get(url)  # the first request of a session saves it and fills the per-process caches
    # session, user, the second factor's device, memberships (one query), the case with its one-to-one parts
    # joined and a flag per optional list, cost lines, planned results, attachments, the "viewed" audit row,
    # timeline, message thread, letters, unread inbox count
    with django_assert_num_queries(13):
        response = client.get(url)
    assert response.context["application"] == application
    PartnerFactory.create_batch(3, application=application)
    # a list the case has is fetched (one query for all its rows); the others stay flags
    with django_assert_num_queries(14):
        response = client.get(url)
    assert len(response.context["application"].partners.all()) == 3


@pytest.fixture
def queue(scheme, org_x):
    officer = make_staff(org_x)
    mine = ApplicationFactory(scheme=scheme, in_review=True, assigned_to=officer, reference="ALP-2026-00011")
    late = ApplicationFactory(scheme=scheme, submitted=True, reference="ALP-2026-00012",
                              decision_due_on=datetime.date(2020, 1, 6))
    other = ApplicationFactory(scheme=SchemeFactory(organisation=org_x), submitted=True, reference="ALP-2026-00013",
                               company=CompanyFactory(name="Kringloop Koster", kvk_number="55544433"))
    return officer, mine, late, other


def _listed(client, **params):
    return [case.reference for case in client.get(reverse("case_list"), params).context["page"]]


@pytest.mark.django_db
@pytest.mark.parametrize(("params", "expected"), [
    ({"assignee": "me"}, ["ALP-2026-00011"]),
    ({"assignee": "unassigned"}, ["ALP-2026-00012", "ALP-2026-00013"]),
    ({"overdue": "on"}, ["ALP-2026-00012"]),
    ({"q": "koster"}, ["ALP-2026-00013"]),
    ({"q": "55544433"}, ["ALP-2026-00013"]),
    ({"q": "alp-2026-00011"}, ["ALP-2026-00011"]),
    ({"state": "in_review"}, ["ALP-2026-00011"]),
])
def test_queue_filters_and_search(client, queue, params, expected):
    client.force_login(queue[0])
    assert sorted(_listed(client, **params)) == expected


@pytest.mark.django_db
def test_the_search_follows_a_renamed_company_a_new_kvk_number_and_a_new_reference(client, queue):
    officer, _mine, late, other = queue
    client.force_login(officer)
    other.company.name = "Reparatiecafé Noord"
    other.company.save()
    type(other.company).objects.filter(pk=other.company.pk).update(kvk_number="66677788")
    late.reference = "ALP-2026-00999"
    late.save()

    assert _listed(client, q="REPARATIECAF") == ["ALP-2026-00013"]
    assert _listed(client, q="koster") == []
    assert _listed(client, q="66677788") == ["ALP-2026-00013"]
    assert _listed(client, q="55544433") == []
    # Whole references: a bare number could also be part of a factory company's KvK number (70000012).
    assert _listed(client, q="ALP-2026-00999") == ["ALP-2026-00999"]
    assert _listed(client, q="ALP-2026-00012") == []


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_search_is_planned_for_its_word_while_the_other_queue_queries_stay_prepared(client, queue):
    # A prepared search gets PostgreSQL's generic plan, which sorts every match of a common word (grants/db.py).
    client.force_login(queue[0])
    for _ in range(8):
        assert _listed(client, q="koster") == ["ALP-2026-00013"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert not [statement for statement in prepared if "search_text" in statement]
    assert [statement for statement in prepared if "grants_applicationstatecount" in statement]
    assert connection.connection.prepare_threshold == 5  # set back after the search


@pytest.mark.django_db
def test_queue_filter_by_scheme(client, queue, scheme):
    client.force_login(queue[0])
    assert sorted(_listed(client, scheme=scheme.pk)) == ["ALP-2026-00011", "ALP-2026-00012"]


@pytest.mark.django_db
def test_the_scheme_filter_lists_every_scheme_and_keeps_the_choice_and_its_error_at_the_field(client, queue, scheme):
    client.force_login(queue[0])
    html = client.get(reverse("case_list"), {"scheme": scheme.pk}).content.decode()
    assert f'<option value="{scheme.pk}" selected>{scheme.title}</option>' in html
    other = queue[3].scheme
    assert f'<option value="{other.pk}">{other.title}</option>' in html

    html = client.get(reverse("case_list"), {"scheme": "999999"}).content.decode()
    # The long select carries the same error wiring as Django's own (read by screen readers).
    assert 'aria-describedby="id_scheme_error" aria-invalid="true" id="id_scheme"' in html


@pytest.mark.django_db
def test_bad_filter_values_are_shown_at_the_field_and_the_queue_still_shows(client, queue):
    client.force_login(queue[0])
    response = client.get(reverse("case_list"), {"due_within": "abc", "scheme": "999999", "state": "nonsense"})
    assert response.status_code == 200
    assert {"due_within", "scheme", "state"} <= set(response.context["filter_form"].errors)
    assert len(response.context["page"].object_list) == 3


@pytest.mark.django_db
def test_case_queue_pages_filtered_and_unfiltered_queues_alike(client, scheme, org_x):
    officer = make_staff(org_x)
    client.force_login(officer)
    ApplicationFactory.create_batch(51, scheme=scheme, submitted=True)
    ApplicationFactory.create_batch(3, scheme=scheme, in_review=True)
    unfiltered = client.get(reverse("case_list")).context["page"]
    assert unfiltered.paginator.count == 54 and unfiltered.paginator.num_pages == 2
    in_review = client.get(reverse("case_list"), {"state": "in_review"}).context["page"]
    assert in_review.paginator.count == 3
    searched = client.get(reverse("case_list"), {"q": "TST"}).context["page"]
    assert searched.paginator.count == 54
