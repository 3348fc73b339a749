"""The public showcase: only pilots whose company opted in, never a sole trader's name, filterable by
municipality and strategy, featured pilots first, constant query count."""

from decimal import Decimal

import pytest
from django.urls import reverse

from applicants.models import LegalForm
from grants.models import ReportingPlan, SchemeKind, StaffRole
from tests import factories
from workflows import services
from workflows.exceptions import TransitionRefused

pytestmark = pytest.mark.django_db


@pytest.fixture
def scheme(org_x):
    return factories.SchemeFactory(organisation=org_x, kind=SchemeKind.PILOT, max_amount=Decimal("50000"))


def opted_in(scheme, **kwargs):
    plan = factories.awarded_pilot(scheme=scheme, **kwargs)
    ReportingPlan.objects.filter(pk=plan.pk).update(showcase_consent=True,
                                                    showcase_summary="Hout krijgt een tweede leven.")
    plan.refresh_from_db()
    return plan


def listed(client, **params):
    return [plan.pk for plan in client.get(reverse("showcase_list"), params).context["pilots"]]


def test_showcase_shows_only_pilots_whose_company_opted_in(client, scheme):
    shown = opted_in(scheme)
    hidden = factories.awarded_pilot(scheme=scheme)
    assert listed(client) == [shown.pk]
    assert client.get(reverse("showcase_detail", args=[hidden.pk])).status_code == 404
    response = client.get(reverse("showcase_detail", args=[shown.pk]))
    assert response.status_code == 200 and "Hout krijgt een tweede leven." in response.content.decode()


def test_the_grantee_opts_in_and_out(scheme):
    grantee = factories.ApplicantFactory()
    plan = factories.awarded_pilot(scheme=scheme, company=grantee.test_company, created_by=grantee)
    services.showcase_set_consent(plan_id=plan.pk, actor=grantee, consent=True, summary="Statiegeld op kratten.")
    plan.refresh_from_db()
    assert plan.showcase_consent and plan.showcase_summary == "Statiegeld op kratten."
    with pytest.raises(TransitionRefused):
        services.showcase_set_consent(plan_id=plan.pk, actor=factories.ApplicantFactory(), consent=False, summary="")


def test_a_sole_traders_name_is_never_shown(client, scheme):
    sole_trader = factories.CompanyFactory(name="Jan Jansen Meubelmakerij", legal_form=LegalForm.SOLE_TRADER)
    plan = opted_in(scheme, company=sole_trader)
    for url in (reverse("showcase_list"), reverse("showcase_detail", args=[plan.pk])):
        content = client.get(url).content.decode()
        assert "Jan Jansen" not in content
    company = factories.CompanyFactory(name="Houtwerk Hergebruik B.V.")
    opted_in(scheme, company=company)
    assert "Houtwerk Hergebruik B.V." in client.get(reverse("showcase_list")).content.decode()


def test_showcase_filters_by_municipality_and_strategy(client, scheme, org_y):
    in_x = opted_in(scheme)
    in_y = opted_in(factories.SchemeFactory(organisation=org_y, kind=SchemeKind.PILOT, max_amount=Decimal("50000")))
    factories.accepted_report(in_y, kind="progress", realised={"co2_avoided": Decimal("10")}, rung="R8")
    assert listed(client, municipality="gouda") == [in_y.pk]
    # The strategy is the latest accepted report's (R8 for Y), else the application's target rung (R3).
    assert listed(client, strategy="R8") == [in_y.pk]
    assert listed(client, strategy="R3") == [in_x.pk]
    # An unknown filter value is shown at the field, not a 500.
    response = client.get(reverse("showcase_list"), {"municipality": "atlantis"})
    assert response.status_code == 200 and response.context["form"].errors["municipality"]


def test_municipality_features_an_opted_in_pilot_first(client, org_x, scheme):
    first = opted_in(scheme)
    featured = opted_in(scheme)
    officer = factories.make_staff(org_x, StaffRole.OFFICER)
    client.force_login(officer)
    client.post(reverse("case_pilot_feature", args=[featured.application_id]), {"featured": "on"})
    featured.refresh_from_db()
    assert featured.featured
    client.logout()
    assert listed(client) == [featured.pk, first.pk]


def test_a_pilot_without_consent_cannot_be_featured(org_x, scheme):
    plan = factories.awarded_pilot(scheme=scheme)
    with pytest.raises(TransitionRefused):
        services.pilot_feature(plan_id=plan.pk, actor=factories.make_staff(org_x, StaffRole.OFFICER), featured=True)
    with pytest.raises(TransitionRefused):
        services.pilot_feature(plan_id=plan.pk, actor=factories.make_staff(factories.OrganisationFactory(),
                                                                          StaffRole.OFFICER), featured=False)


def test_showcase_query_count_is_the_same_for_1_and_50_pilots(client, scheme, django_assert_num_queries):
    opted_in(scheme)

    def count():
        # the page's pilots (with the latest report's strategy as a subquery) and the paginator's count;
        # the municipalities of the filter.
        with django_assert_num_queries(3) as captured:
            assert client.get(reverse("showcase_list")).status_code == 200
        return len(captured.captured_queries)

    one = count()
    for _ in range(49):
        opted_in(scheme)
    assert count() == one
