"""The demo region's vouchers (seed_demo): Alphen's voucher scheme works with approved providers, a
provider login, and vouchers in every state, all made through the real services."""

import datetime
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

from applicants.models import User

from .models import Provider, ProviderChoice, ProviderMembership, VoucherTerms

PROVIDER_LOGIN = "adviseur@scanpartners.demo"


def seed_voucher_providers(scheme, *, proposer, password):
    """Terms, two approved providers, one proposed by an applicant, and the provider's demo login."""
    now = timezone.now()
    VoucherTerms.objects.get_or_create(scheme=scheme, defaults={"validity_months": 6, "payee": "provider"})
    scan = Provider.objects.create(
        scheme=scheme, name="Scan Partners Rijnland B.V.", kvk_number="61234560", contact_name="Ruud Verhoeven",
        contact_email="info@scanpartners.demo", services="Circulaire scan, materiaalstroomanalyse",
        region="Rijnland", iban="NL44RABO0123456789", approved_at=now)
    Provider.objects.create(
        scheme=scheme, name="CirculairWerkt Advies", kvk_number="62345671", contact_email="hallo@circulairwerkt.demo",
        services="R-ladder-advies, hergebruik van bouwmaterialen", region="Zuid-Holland",
        iban="NL12TRIO0198765432", approved_at=now)
    Provider.objects.create(
        scheme=scheme, name="Groene Draad Advies", kvk_number="63456782", contact_email="post@groenedraad.demo",
        services="Circulaire scan voor textiel en hout", region="Leiden", proposed_by=proposer)
    adviser = User.objects.create_user(email=PROVIDER_LOGIN, password=password, full_name="Ruud Verhoeven",
                                       email_verified_at=now)
    ProviderMembership.objects.create(user=adviser, provider=scan)
    return scan, adviser


def seed_voucher_company(municipality, *, password):
    """A third Alphen company that holds the redeemed and the expired voucher."""
    from applicants.models import Company, CompanyMembership, LegalForm

    company = Company.objects.create(
        kvk_number="76890124", name="Meubelmakerij Tweede Leven B.V.", legal_form=LegalForm.PRIVATE_LIMITED,
        street="Prins Bernhardlaan 40", postcode="2405 VT", city="Alphen aan den Rijn", municipality=municipality,
        sbi_code="3101", employees=8, iban="NL91ABNA0417164300", contact_email="ondernemer@tweedeleven.demo")
    user = User.objects.create_user(email="ondernemer@tweedeleven.demo", password=password, full_name="Anouk Bos",
                                    email_verified_at=timezone.now())
    CompanyMembership.objects.create(user=user, company=company, role=CompanyMembership.Role.OWNER)
    return user, company


def choose(application, provider):
    ProviderChoice.objects.update_or_create(application=application, defaults={"provider": provider})


def seed_vouchers(*, award, provider, adviser, officer, manager, pdf):
    """Vouchers of Alphen's scheme in every state: one returned once and resubmitted by the provider, one
    redeemed (its payment instruction recorded), one paid, one returned, one expired (and the showroom
    voucher, issued by seed_demo itself). ``award(title, amount, owner)`` makes an awarded
    application through the services (its voucher issued by application_approve)."""
    from workflows import services

    def redeem(voucher, number, excl):
        services.voucher_submit_redemption(voucher_id=voucher.pk, actor=adviser, **invoice(voucher, number, excl))

    def invoice(voucher, number, excl):
        return {"invoice_number": number, "invoice_date": voucher.issued_on,
                "invoice_provider_kvk": provider.kvk_number, "amount_excl_vat": Decimal(excl),
                "amount_incl_vat": (Decimal(excl) * Decimal("1.21")).quantize(Decimal("0.01")),
                "invoice_file": ContentFile(pdf, name="factuur.pdf"),
                "deliverable_file": ContentFile(pdf, name="scanrapport.pdf")}

    returned = award("Circulaire scan werkplaats en opslag", "1800", "houtwerk").voucher
    redeem(returned, "SP-2026-014", "3600")
    services.voucher_return_redemption(voucher_id=returned.pk, actor=officer,
                                       reasons="Het scanrapport ontbreekt; u stuurde de offerte twee keer mee.")
    redeem(returned, "SP-2026-014", "3600")

    redeemed = award("Circulaire scan meubelproductie", "2000", "tweedeleven").voucher
    redeem(redeemed, "SP-2026-009", "3100")
    services.voucher_approve_redemption(voucher_id=redeemed.pk, actor=officer)

    paid = award("Circulaire scan houtafval", "1500", "tweedeleven").voucher
    redeem(paid, "SP-2026-004", "2600")
    services.voucher_approve_redemption(voucher_id=paid.pk, actor=officer)
    # Paid as every payment is: in a batch an officer prepares and a manager approves.
    instruction = paid.application.award.payment_instructions.get(state="open")
    batch = services.batch_prepare(organisation_id=paid.application.scheme.organisation_id,
                                   instruction_ids=[instruction.pk], actor=officer)
    services.batch_approve(batch_id=batch.pk, actor=manager)
    services.batch_mark_paid(batch_id=batch.pk, actor=manager, paid_on=timezone.localdate())
    paid.refresh_from_db()

    returned_now = award("Circulaire scan puinstromen", "1200", "bouwkringloop").voucher
    redeem(returned_now, "CW-88", "2500")
    services.voucher_return_redemption(voucher_id=returned_now.pk, actor=officer,
                                       reasons="De factuur is gericht aan een ander bedrijf; vraag een gecorrigeerde "
                                               "factuur aan.")

    expired = award("Circulaire scan showroominrichting", "1000", "tweedeleven").voucher
    # Demo only: the validity is moved into the past so that the real expiry job expires it.
    type(expired).objects.filter(pk=expired.pk).update(valid_until=timezone.localdate() - datetime.timedelta(days=1))
    services.vouchers_expire_due()
    return returned, redeemed, paid, returned_now, expired
