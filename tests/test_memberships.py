"""What a user is (staff roles per municipality, companies, voucher providers): read in one query per request."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext

from applicants.models import CompanyMembership, User
from grants.models import StaffMembership, StaffRole
from tests.factories import CompanyFactory, OrganisationFactory, ProviderFactory, UserFactory, make_provider_user
from workflows import access

pytestmark = pytest.mark.django_db


def test_roles_companies_and_providers_come_from_one_query():
    gouda, delft = OrganisationFactory(), OrganisationFactory()
    provider = ProviderFactory()
    user = make_provider_user(provider)
    StaffMembership.objects.create(user=user, organisation=gouda, role=StaffRole.OFFICER)
    StaffMembership.objects.create(user=user, organisation=gouda, role=StaffRole.MANAGER)
    StaffMembership.objects.create(user=user, organisation=delft, role=StaffRole.ADMINISTRATOR)
    company = CompanyFactory()
    CompanyMembership.objects.create(user=user, company=company)
    user = User.objects.get(pk=user.pk)  # nothing cached yet

    with CaptureQueriesContext(connection) as queries:
        assert access.staff_roles(user) == {gouda.pk: {"officer", "manager"}, delft.pk: {"administrator"}}
        assert access.company_ids(user) == {company.pk}
        assert access.provider_ids(user) == {provider.pk}
        assert access.organisation_ids(user, access.MANAGER) == {gouda.pk}
        assert access.has_role(user, delft.pk, access.ADMINISTRATOR) and not access.has_role(user, delft.pk, "officer")
    assert len(queries) == 1


def test_a_user_without_memberships_has_none_and_forget_reads_them_again():
    user = UserFactory()
    assert access.staff_roles(user) == {} and access.company_ids(user) == set() and access.provider_ids(user) == set()
    organisation = OrganisationFactory()
    StaffMembership.objects.create(user=user, organisation=organisation, role=StaffRole.OFFICER)
    assert access.staff_roles(user) == {}  # cached for the request
    access.forget(user)
    assert access.staff_roles(user) == {organisation.pk: {"officer"}}
    assert access.is_staff(user, access.OFFICER) and not access.is_applicant(user)


def test_anonymous_visitors_cost_no_query():
    with CaptureQueriesContext(connection) as queries:
        assert access.staff_roles(AnonymousUser()) == {}
        assert access.company_ids(AnonymousUser()) == frozenset()
        assert access.provider_ids(AnonymousUser()) == frozenset()
    assert len(queries) == 0
