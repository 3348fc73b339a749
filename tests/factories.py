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
        # Decided: the decision's date is the day it was sent (the objection period runs from it).
        awarded = factory.Trait(
            proposed=True,
            state=ApplicationState.AWARDED,
            decided_by=factory.SubFactory(UserFactory),
            decided_at=factory.LazyFunction(timezone.now),
            awarded_amount=Decimal("1500.00"),
        )
        rejected = factory.Trait(
            proposed=True,
            state=ApplicationState.REJECTED,
            proposed_outcome=DecisionOutcome.REJECT,
            proposed_amount=None,
            decided_by=factory.SubFactory(UserFactory),
            decided_at=factory.LazyFunction(timezone.now),
        )

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        state = kwargs.pop("state", ApplicationState.DRAFT)
        obj = model_class(*args, **kwargs)
        # Test setup only: place the row directly in a state (protected FSM fields refuse assignment).
        obj.__dict__["state"] = state
        obj.save()
        return obj


# A minimal file that passes the attachment checks (grants/attachments.py sniffs the "%PDF-" header).
PDF_BYTES = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


class AttachmentFactory(factory.django.DjangoModelFactory):
    """A PDF attachment stored under MEDIA_ROOT: AttachmentFactory(application=a, uploaded_by=u)."""

    class Meta:
        model = "grants.Attachment"

    application = factory.SubFactory(ApplicationFactory)
    kind = "quote"
    file = factory.django.FileField(data=PDF_BYTES, filename="offerte.pdf")
    original_name = "offerte.pdf"
    content_type = "application/pdf"
    size = len(PDF_BYTES)
    uploaded_by = factory.SelfAttribute("application.created_by")


# --- complete applications: everything grants.eligibility.application_problems asks for ------------


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "grants.Partner"

    application = factory.SubFactory(ApplicationFactory)
    kvk_number = factory.Sequence(lambda n: f"{80000000 + n:08d}")
    name = factory.Sequence(lambda n: f"Ketenpartner {n} B.V.")
    legal_form = LegalForm.PRIVATE_LIMITED
    is_business = True
    cost_share = Decimal("5000.00")


def complete_application(application):
    """Fill in a draft so that it may be submitted: the company located in one of the scheme's
    municipalities, dates, R-ladder rungs, a planned result, one cost line (after today) that yields the
    requested amount, the scheme's partners, answers and attachments, and the declarations."""
    from grants.eligibility import computed_amount
    from grants.models import Answer, CostLine, Indicator, PlannedIndicator
    from grants.models.circular import rung_number

    scheme, company, today = application.scheme, application.company, timezone.localdate()
    if company.municipality_id not in scheme.municipality_ids:
        company.municipality = scheme.organisation
        company.save(update_fields=["municipality"])
    application.starts_on = today + datetime.timedelta(days=14)
    application.ends_on = today + datetime.timedelta(days=120)
    target = scheme.required_rung if scheme.required_rung and rung_number(scheme.required_rung) < 3 else "R3"
    application.current_rung, application.target_rung = "R8", target
    application.de_minimis_none = application.declared_truthful = application.consented_processing = True
    PlannedIndicator.objects.create(application=application, indicator=Indicator.WASTE_AVOIDED, planned=1000)
    costs = (application.requested_amount * 100 / scheme.cofunding_percentage).quantize(Decimal("0.01"))
    CostLine.objects.create(application=application, description="Circulaire scan door erkend adviseur",
                            amount_excl_vat=costs, incurred_on=today + datetime.timedelta(days=30))
    if scheme.kind == "chain":
        for _ in range((scheme.min_business_partners or 1) - 1):
            PartnerFactory(application=application, is_business=True)
        while 1 + application.partners.count() < (scheme.min_partners or 1):
            PartnerFactory(application=application, is_business=False)
    for question in scheme.questions.filter(required=True):
        Answer.objects.create(application=application, question=question, value="Ja")
    for kind in scheme.required_attachments:
        AttachmentFactory(application=application, kind=kind)
    application.requested_amount = computed_amount(application)
    application.save()
    return application


class CompleteApplicationFactory(ApplicationFactory):
    """A draft that may be submitted: CompleteApplicationFactory(scheme=s, company=c, created_by=u)."""

    class Meta:
        skip_postgeneration_save = True

    @factory.post_generation
    def complete(obj, create, extracted, **kwargs):
        if create:
            complete_application(obj)


# --- the people who act for a company, and the message thread ------------------------------------


def make_member(company, role=CompanyMembership.Role.MEMBER, **kwargs):
    """A user who acts for ``company`` in ``role`` (owner, member or adviser)."""
    user = UserFactory(**kwargs)
    CompanyMembership.objects.create(user=user, company=company, role=role)
    return user


class MessageFactory(factory.django.DjangoModelFactory):
    """A message in an application's thread: MessageFactory(application=a, author=u, from_staff=False)."""

    class Meta:
        model = "grants.Message"

    application = factory.SubFactory(ApplicationFactory, submitted=True)
    author = factory.SelfAttribute("application.created_by")
    from_staff = False
    body = "Wanneer kunnen wij een besluit verwachten?"


# --- assessment -----------------------------------------------------------------------------------


class CriterionFactory(factory.django.DjangoModelFactory):
    """An assessment criterion of a scheme: CriterionFactory(scheme=s, weight=2, max_score=5)."""

    class Meta:
        model = "grants.AssessmentCriterion"

    scheme = factory.SubFactory(SchemeFactory)
    order = factory.Sequence(lambda n: n + 1)
    name_nl = factory.Sequence(lambda n: f"Circulariteit {n}")
    name_en = factory.Sequence(lambda n: f"Circularity {n}")
    weight = 1
    max_score = 5


class ScoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "grants.Score"

    application = factory.SubFactory(ApplicationFactory)
    criterion = factory.SubFactory(CriterionFactory)
    score = 3
    note = "Goed onderbouwd."
    scored_by = factory.SubFactory(UserFactory)
# --- decision letters --------------------------------------------------------------------------------


class DecisionLetterFactory(factory.django.DjangoModelFactory):
    """A letter as issued (a stored minimal PDF): DecisionLetterFactory(application=a), sent
    electronically today; ``by_post=True`` waits on the print-and-post list."""

    class Meta:
        model = "grants.DecisionLetter"

    application = factory.SubFactory(ApplicationFactory, submitted=True)
    kind = "award"
    language = "nl"
    subject = "Verlening subsidie"
    text = "Wij verlenen u een subsidie."
    pdf = factory.django.FileField(data=PDF_BYTES, filename="award.pdf")
    channel = "electronic"
    issued_by = factory.SubFactory(UserFactory)
    sent_on = factory.LazyFunction(timezone.localdate)

    class Params:
        by_post = factory.Trait(channel="post", sent_on=None)


def letter_pdf_text(letter):
    """The text of a letter's stored PDF (which must be a valid PDF), whitespace normalised."""
    import io

    from pypdf import PdfReader

    with letter.pdf.open("rb") as handle:
        data = handle.read()
    assert data.startswith(b"%PDF-")
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split())
# --- objections (bezwaar) -------------------------------------------------------------------------


class ObjectionFactory(factory.django.DjangoModelFactory):
    """An objection against an application's decision, placed directly in a state for test setup:
    ObjectionFactory(application=a), ObjectionFactory(pro_forma=True, grounds_requested=True),
    ObjectionFactory(heard=True), ObjectionFactory(proposed=True), ObjectionFactory(decided=True)."""

    class Meta:
        model = "grants.Objection"

    application = factory.SubFactory(ApplicationFactory, rejected=True)
    decision_kind = factory.LazyAttribute(lambda o: {
        ApplicationState.AWARDED: "award", ApplicationState.NOT_CONSIDERED: "not_considered",
    }.get(o.application.state, "rejection"))
    decision_sent_on = factory.LazyAttribute(lambda o: timezone.localdate(o.application.decided_at))
    lodged_by = factory.SelfAttribute("application.created_by")
    lodged_at = factory.LazyFunction(timezone.now)
    grounds = "Het besluit miskent dat onze scan wel circulair is."
    period_ends_on = factory.LazyAttribute(lambda o: o.decision_sent_on + datetime.timedelta(weeks=6))
    decision_due_on = factory.LazyAttribute(lambda o: o.period_ends_on + datetime.timedelta(weeks=6))
    state = "lodged"

    class Params:
        pro_forma = factory.Trait(grounds="")
        grounds_requested = factory.Trait(
            pro_forma=True, state="grounds_requested",
            grounds_due_on=factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(weeks=2)),
        )
        heard = factory.Trait(state="heard", hearing_minutes="De bezwaarde lichtte het bezwaar toe.")
        proposed = factory.Trait(heard=True, state="proposed", proposed_outcome="unfounded",
                                 proposal_motivation="Het besluit blijft.", proposed_by=factory.SubFactory(UserFactory))
        decided = factory.Trait(proposed=True, state="decided", outcome="unfounded", motivation="Het besluit blijft.",
                                decided_at=factory.LazyFunction(timezone.now))

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        state = kwargs.pop("state")
        obj = model_class(*args, **kwargs)
        obj.__dict__["state"] = state  # test setup only, as ApplicationFactory
        obj.save()
        return obj
# --- awards and payments ----------------------------------------------------------------------------


def make_award(scheme, amount, *, company=None, manager=None, **application_fields):
    """An application of ``scheme`` approved for ``amount`` through application_approve, so that its
    Award, commitment, advance or direct determination and de minimis shares are real. Returns the Award."""
    from workflows.services import application_approve

    amount = Decimal(amount)
    application = ApplicationFactory(scheme=scheme, company=company or CompanyFactory(), proposed=True,
                                     requested_amount=amount, proposed_amount=amount, **application_fields)
    manager = manager or make_staff(scheme.organisation, StaffRole.MANAGER)
    application_approve(application_id=application.pk, actor=manager)
    return application.award.__class__.objects.get(application=application)


class PilotSchemeFactory(SchemeFactory):
    """Large awards, determined after the activities, with a 80% advance."""

    kind = SchemeKind.PILOT
    min_amount = Decimal("5000.00")
    max_amount = Decimal("100000.00")
    direct_determination_threshold = Decimal("25000.00")
    advance_percentage = 80
# --- pilot grants after the award ----------------------------------------------------------------


def awarded_pilot(*, scheme=None, company=None, created_by=None, amount=Decimal("20000.00"), indicators=None,
                  starts_on=None, ends_on=None, decided_at=None, **scheme_kwargs):
    """An awarded pilot application with its reporting plan (workflows.services.pilots), as the award
    would leave it: test setup places the application in ``awarded`` directly."""
    from grants.models import PlannedIndicator
    from workflows.services.pilots import reporting_plan_create

    today = timezone.localdate()
    scheme = scheme or SchemeFactory(kind=SchemeKind.PILOT, min_amount=Decimal("5000.00"),
                                     max_amount=Decimal("50000.00"), **scheme_kwargs)
    application = ApplicationFactory(
        scheme=scheme, submitted=True, state=ApplicationState.AWARDED, requested_amount=amount,
        awarded_amount=amount, proposed_outcome=DecisionOutcome.AWARD, decided_at=decided_at or timezone.now(),
        starts_on=starts_on or today, ends_on=ends_on or today + datetime.timedelta(days=365),
        target_rung="R3", current_rung="R8", location="Bedrijventerrein Noord",
        **({"company": company} if company else {}), **({"created_by": created_by} if created_by else {}))
    indicators = indicators or {"co2_avoided": Decimal("10000"), "waste_avoided": Decimal("5000")}
    for indicator, planned in indicators.items():
        PlannedIndicator.objects.create(application=application, indicator=indicator, planned=planned)
    return reporting_plan_create(application=application)


def set_report_state(report, state, **fields):
    """Test setup only: place a report in a state (the protected FSM field refuses assignment)."""
    from grants.models import Report

    Report.objects.filter(pk=report.pk).update(state=state, **fields)
    report.refresh_from_db()
    return report


def accepted_report(plan, *, kind="final", realised=None, costs=Decimal("10000.00"), rung="R3",
                    lessons="Samenwerken met de keten kost tijd."):
    """The plan's report of ``kind`` filled in and accepted, with ``realised`` {indicator: value}."""
    from grants.models import INDICATOR_UNITS, ReportIndicator

    report = plan.reports.filter(kind=kind).order_by("-due_on").first()
    for indicator, value in (realised or {}).items():
        ReportIndicator.objects.update_or_create(report=report, indicator=indicator,
                                                 defaults={"realised": value, "unit": INDICATOR_UNITS[indicator]})
    return set_report_state(report, "accepted", narrative="Gedaan.", costs_spent=costs, rung_achieved=rung,
                            lessons_learned=lessons, decided_at=timezone.now())
# --- vouchers: providers, their people, vouchers in every state ------------------------------------


class ProviderFactory(factory.django.DjangoModelFactory):
    """An approved, active provider of a scheme: ProviderFactory(scheme=s); ProviderFactory(proposed=True)."""

    class Meta:
        model = "grants.Provider"

    scheme = factory.SubFactory(SchemeFactory)
    name = factory.Sequence(lambda n: f"Scan Partners {n} B.V.")
    kvk_number = factory.Sequence(lambda n: f"{60000000 + n:08d}")
    iban = "NL91ABNA0417164300"
    contact_email = factory.Sequence(lambda n: f"adviseur{n}@scan.example.nl")
    services = "Circulaire scan"
    region = "Zuid-Holland"
    approved_at = factory.LazyFunction(timezone.now)

    class Params:
        proposed = factory.Trait(approved_at=None)


def make_provider_user(provider, **kwargs):
    """A user who works for ``provider`` (ProviderMembership)."""
    from grants.models import ProviderMembership

    user = UserFactory(**kwargs)
    ProviderMembership.objects.create(user=user, provider=provider)
    return user


def awarded_voucher_application(scheme, *, provider=None, amount=Decimal("1500.00"), company=None):
    """An awarded application of ``scheme`` with its commitment booked, its Award made and the provider
    chosen, ready for voucher_issue (the ledger and award as application_approve leave them)."""
    from grants.models import ProviderChoice
    from grants.services import budget_commit
    from workflows.services.awards import award_create

    provider = provider or ProviderFactory(scheme=scheme)
    application = ApplicationFactory(scheme=scheme, company=company or CompanyFactory(), proposed=True,
                                     proposed_amount=amount, requested_amount=amount)
    application.__dict__["state"] = ApplicationState.AWARDED
    application.awarded_amount = amount
    application.decided_at = timezone.now()
    application.save()
    ProviderChoice.objects.create(application=application, provider=provider)
    budget_commit(application=application, amount=amount)
    award_create(application=application, actor=None)
    return application


def issued_voucher(scheme=None, *, provider=None, amount=Decimal("1500.00"), company=None, state=None, **fields):
    """A voucher issued through the real service; ``state`` places it elsewhere for test setup only."""
    from workflows.services.vouchers import voucher_issue

    scheme = scheme or SchemeFactory()
    application = awarded_voucher_application(scheme, provider=provider, amount=amount, company=company)
    voucher = voucher_issue(application=application, actor=None)
    if state or fields:
        for name, value in fields.items():
            setattr(voucher, name, value)
        if state:
            voucher.__dict__["state"] = state
        voucher.save()
    return voucher


class RedemptionFactory(factory.django.DjangoModelFactory):
    """A pending redemption of a voucher: RedemptionFactory(voucher=v)."""

    class Meta:
        model = "grants.Redemption"

    invoice_number = factory.Sequence(lambda n: f"F-2026-{n:04d}")
    invoice_date = factory.LazyFunction(timezone.localdate)
    invoice_provider_kvk = factory.SelfAttribute("voucher.provider.kvk_number")
    amount_excl_vat = Decimal("3000.00")
    amount_incl_vat = Decimal("3630.00")
    invoice_file = factory.django.FileField(data=PDF_BYTES, filename="factuur.pdf")
    invoice_name = "factuur.pdf"
    invoice_content_type = "application/pdf"
    deliverable_file = factory.django.FileField(data=PDF_BYTES, filename="scan.pdf")
    deliverable_name = "scan.pdf"
    deliverable_content_type = "application/pdf"
    submitted_by = factory.SubFactory(UserFactory)
