"""The demo region's money after the decision (called by seed_demo): payment accounts, awards with an
advance, a determined and settled award, a paid batch and one awaiting approval, a recovery of an
overpaid advance and a pending IBAN change. Everything goes through the real services."""

from decimal import Decimal

from django.utils import timezone

from workflows import services

from .models import Application, Organisation, PaymentAccount

ACCOUNTS = {
    "alphen": ("Gemeente Alphen aan den Rijn", "NL20INGB0001234567", "INGBNL2A"),
    "gouda": ("Gemeente Gouda", "NL69INGB0123456789", "INGBNL2A"),
    "leiden": ("Gemeente Leiden", "NL91ABNA0417164300", "ABNANL2A"),
}


def _award(application, officer, manager, amount):
    services.application_start_review(application_id=application.pk, actor=officer)
    services.application_propose(application_id=application.pk, actor=officer, outcome="award",
                                 amount=Decimal(amount), motivation="Voldoet aan alle voorwaarden.")
    services.application_approve(application_id=application.pk, actor=manager)
    application.refresh_from_db()
    return application.award


def _pay(awards, officer, manager):
    """One batch with the awards' open instructions, prepared, approved and paid today."""
    batch = _batch(awards, officer)
    services.batch_approve(batch_id=batch.pk, actor=manager)
    return services.batch_mark_paid(batch_id=batch.pk, actor=manager, paid_on=timezone.localdate())


def _batch(awards, officer):
    ids = [i.pk for award in awards for i in award.payment_instructions.filter(state="open")]
    organisation_id = awards[0].application.scheme.organisation_id
    return services.batch_prepare(organisation_id=organisation_id, instruction_ids=ids, actor=officer)


def _company(municipality):
    from applicants.models import Company, CompanyMembership, LegalForm, User
    from grants.management.commands.seed_demo import DEMO_PASSWORD

    user = User.objects.create_user(email="ondernemer@kringloopgouda.demo", password=DEMO_PASSWORD,
                                    full_name="Sanne Kok", email_verified_at=timezone.now())
    company = Company.objects.create(
        kvk_number="74567898", name="Kringloop Gouda B.V.", legal_form=LegalForm.PRIVATE_LIMITED,
        street="Kleiweg 40", postcode="2801 GL", city="Gouda", municipality=municipality, sbi_code="4779",
        employees=7, iban="NL20INGB0001234567", contact_email="info@kringloopgouda.demo",
    )
    CompanyMembership.objects.create(user=user, company=company, role=CompanyMembership.Role.OWNER)
    return user, company


def seed_payments_demo(*, new, schemes, applicants, staff):
    """``new(title, amount, scheme=, owner=)`` makes a complete draft (seed_demo's helper)."""
    for slug, (name, iban, bic) in ACCOUNTS.items():
        PaymentAccount.objects.create(organisation=Organisation.objects.get(slug=slug), name=name, iban=iban, bic=bic)

    # Alphen: redeemed vouchers are paid in batches (seed_vouchers paid one); the other redeemed voucher
    # waits in a batch for the manager's approval.
    officer = staff["behandelaar@alphen.demo"]
    houtwerk = applicants["alphen"]
    waiting = Application.objects.filter(award__payment_instructions__state="open",
                                         scheme__organisation__slug="alphen").order_by("pk").first()
    if waiting is not None:
        _batch([waiting.award], officer)

    # Gouda: the pilot gets its 80% advance, paid; determined lower, so part of the advance is recovered.
    officer, manager = staff["behandelaar@gouda.demo"], staff["budgethouder@gouda.demo"]
    reststroom = applicants["gouda"]
    pilot = Application.objects.get(scheme=schemes["circulaire-pilot"], company=reststroom[1])  # submitted
    award = _award(pilot, officer, manager, pilot.requested_amount)
    _pay([award], officer, manager)
    services.award_determine(award_id=award.pk, actor=officer, amount=Decimal("6000.00"),
                             motivation="Een deel van de activiteiten is niet uitgevoerd.")
    # A second Gouda company whose pilot was just awarded: its advance waits for a batch.
    kringloop = _company(Organisation.objects.get(slug="gouda"))
    second = new("Reparatiecafe en onderdelenbank", "7500", scheme=schemes["circulaire-pilot"], owner=kringloop)
    services.application_submit(application_id=second.pk, actor=kringloop[0])
    _award(second, officer, manager, second.requested_amount)

    # Houtwerk asks for a new bank account: it waits for an officer of Alphen (or another owner).
    services.iban_change_request(company_id=houtwerk[1].pk, actor=houtwerk[0], iban="NL20INGB0001234567")
