"""factory-boy factories with one trait per state. No fixture files."""

import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from applicants.models import Company, CompanyMembership, LegalForm, User
from grants.models import (
    Application,
    ApplicationState,
    DecisionOutcome,
    DistributionMethod,
    Organisation,
    Scheme,
    SchemeKind,
    StaffMembership,
    StaffRole,
)
from grants.services import budget_open

PASSWORD = "correct-horse-battery-9"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.nl")
    full_name = factory.Faker("name", locale="nl_NL")
    email_verified_at = factory.LazyFunction(timezone.now)
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Gemeente {n}")
    slug = factory.Sequence(lambda n: f"gemeente-{n}")
    code = factory.Sequence(lambda n: f"G{n:03d}"[-5:])
    email = factory.LazyAttribute(lambda o: f"subsidies@{o.slug}.example.nl")


def make_staff(organisation, role=StaffRole.OFFICER, **kwargs):
    """A user with a staff role at ``organisation`` (add more roles with StaffMembership)."""
    user = UserFactory(**kwargs)
    StaffMembership.objects.create(user=user, organisation=organisation, role=role)
    return user


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company

    kvk_number = factory.Sequence(lambda n: f"{70000000 + n:08d}")
    legal_form = LegalForm.PRIVATE_LIMITED
    name = factory.Sequence(lambda n: f"Circulair Bedrijf {n} B.V.")
    street = "Breestraat 1"
    postcode = "2311 CS"
    city = "Leiden"
    sbi_code = "3832"
    employees = 12
    iban = "NL91ABNA0417164300"
    contact_email = factory.Sequence(lambda n: f"info{n}@bedrijf.example.nl")


class ApplicantFactory(UserFactory):
    """A user who is a member of a company: ApplicantFactory(company=c) or a new company."""

    @factory.post_generation
    def company(obj, create, extracted, **kwargs):
        if create:
            company = extracted or CompanyFactory()
            CompanyMembership.objects.create(user=obj, company=company, role=CompanyMembership.Role.OWNER)
            obj.test_company = company


class SchemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Scheme
        skip_postgeneration_save = True

    organisation = factory.SubFactory(OrganisationFactory)
    kind = SchemeKind.VOUCHER
    code = factory.Sequence(lambda n: f"regeling-{n}")
    title_nl = factory.Sequence(lambda n: f"Circulaire voucher {n}")
    title_en = factory.Sequence(lambda n: f"Circular voucher {n}")
    description_nl = "Een bijdrage in de kosten van een circulaire scan."
    description_en = "A contribution to the cost of a circular scan."
    legal_basis = "Algemene subsidieverordening 2024"
    opens_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=30))
    closes_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=300))
    distribution = DistributionMethod.FIRST_COME
    min_amount = Decimal("1000.00")
    max_amount = Decimal("2000.00")
    cofunding_percentage = 50

    @factory.post_generation
    def ceiling(obj, create, extracted, **kwargs):
        if create:
            budget_open(scheme=obj, ceiling=extracted if extracted is not None else Decimal("82740.00"))


class ApplicationFactory(factory.django.DjangoModelFactory):
    """ApplicationFactory(submitted=True) etc.; states beyond draft are set directly for test setup
    (bypassing the protected field), never in application code."""

    class Meta:
        model = Application

    scheme = factory.SubFactory(SchemeFactory)
    company = factory.SubFactory(CompanyFactory)
    created_by = factory.SubFactory(UserFactory)
    title = "Circulaire scan van ons productieproces"
    description = "We laten een erkend adviseur onze materiaalstromen in kaart brengen."
    requested_amount = Decimal("1500.00")

    class Params:
        submitted = factory.Trait(
            state=ApplicationState.SUBMITTED,
            reference=factory.Sequence(lambda n: f"TST-2026-{n:05d}"),
            submitted_at=factory.LazyFunction(timezone.now),
            completed_at=factory.LazyFunction(timezone.now),
            decision_due_on=factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(weeks=8)),
        )
        in_review = factory.Trait(submitted=True, state=ApplicationState.IN_REVIEW)
        info_requested = factory.Trait(submitted=True, state=ApplicationState.INFO_REQUESTED)
        proposed = factory.Trait(
            in_review=True,
            state=ApplicationState.PROPOSED,
            proposed_outcome=DecisionOutcome.AWARD,
            proposed_amount=Decimal("1500.00"),
            proposed_by=factory.SubFactory(UserFactory),
        )

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        state = kwargs.pop("state", ApplicationState.DRAFT)
        obj = model_class(*args, **kwargs)
        # Test setup only: place the row directly in a state (protected FSM fields refuse assignment).
        obj.__dict__["state"] = state
        obj.save()
        return obj
