"""The demo region: three Zuid-Holland municipalities, a scheme of each kind, demo users per role and
cases in several states. Idempotent: a second run changes nothing."""

import datetime
from decimal import Decimal

from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from applicants.models import Company, CompanyMembership, LegalForm, User
from applicants.second_factor import DEMO_TOTP_SECRET, demo_authenticator
from grants.demo_payments import seed_payments_demo
from grants.demo_pilots import seed_pilots
from grants.demo_vouchers import choose, seed_voucher_company, seed_voucher_providers, seed_vouchers
from grants.eligibility import computed_amount
from grants.models import (
    Application,
    AssessmentCriterion,
    Attachment,
    CostLine,
    DistributionMethod,
    Indicator,
    Organisation,
    Partner,
    PlannedIndicator,
    Scheme,
    SchemeKind,
    StaffMembership,
)
from grants.ranking import scheme_ranking
from grants.services import budget_open
from workflows import services

DEMO_PASSWORD = "demo-Circulair-2026"
# A minimal valid PDF for the demo's required quotes.
DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj "
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)

MUNICIPALITIES = [
    ("Gemeente Alphen aan den Rijn", "alphen", "ALP"),
    ("Gemeente Gouda", "gouda", "GOU"),
    ("Gemeente Leiden", "leiden", "LEI"),
]

# (email, name, municipality slug, roles)
STAFF = [
    ("behandelaar@alphen.demo", "Sanne de Vries", "alphen", ["officer"]),
    ("budgethouder@alphen.demo", "Pieter Jansen", "alphen", ["manager"]),
    # Decides objections: a manager who did not take the decisions objected to (four-eyes).
    ("jurist@alphen.demo", "Ahmed Bouzid", "alphen", ["manager"]),
    ("beheerder@alphen.demo", "Fatima El Amrani", "alphen", ["administrator"]),
    ("behandelaar@gouda.demo", "Joost Bakker", "gouda", ["officer"]),
    ("budgethouder@gouda.demo", "Ingrid Visser", "gouda", ["manager"]),
    ("behandelaar@leiden.demo", "Noor Hendriks", "leiden", ["officer", "manager"]),
]

COMPANIES = [
    # kvk, name, legal form, street, postcode, city, municipality, sbi, employees, iban, user
    ("68750110", "Houtwerk Hergebruik B.V.", LegalForm.PRIVATE_LIMITED, "Hooftstraat 12", "2406 GH",
     "Alphen aan den Rijn", "alphen", "1629", 14, "NL91ABNA0417164300", ("ondernemer@houtwerk.demo", "Kees Houtman")),
    ("69599084", "Reststroom Gouda V.O.F.", LegalForm.PARTNERSHIP, "Nieuwe Gouwe O.Z. 5", "2801 SB",
     "Gouda", "gouda", "3832", 6, "NL39RABO0300065264", ("ondernemer@reststroom.demo", "Lotte Smit")),
    ("70145636", "Textiel Terug Leiden B.V.", LegalForm.PRIVATE_LIMITED, "Haarlemmerstraat 80", "2312 GD",
     "Leiden", "leiden", "1392", 9, "NL36INGB0007654321", ("ondernemer@textielterug.demo", "Mehmet Yilmaz")),
    ("73456787", "Bouwkringloop Rijnwoude B.V.", LegalForm.PRIVATE_LIMITED, "Kerkstraat 3", "2391 CK",
     "Hazerswoude-Dorp", "alphen", "4399", 22, "NL69INGB0123456789", ("ondernemer@bouwkringloop.demo", "Eva de Groot")),
]


def _scheme_specs(today):
    year_start = datetime.date(today.year, 1, 1)
    year_end = datetime.date(today.year, 12, 31)
    return [
        dict(org="alphen", code="circulaire-scan", kind=SchemeKind.VOUCHER,
             title_nl="Voucher circulaire scan", title_en="Circular scan voucher",
             description_nl="Een voucher van 50% (EUR 1.000 tot 2.000) voor een circulaire scan door een erkend "
                            "regionaal adviseur. Wie het eerst komt, het eerst maalt.",
             description_en="A 50% voucher (EUR 1,000 to 2,000) for a circular scan by an approved regional "
                            "adviser. First come, first served.",
             legal_basis="Algemene subsidieverordening Alphen aan den Rijn 2024 en Regeling circulaire vouchers",
             opens_on=year_start, closes_on=year_end, distribution=DistributionMethod.FIRST_COME,
             min_amount="1000", max_amount="2000", cofunding_percentage=50, decision_term_weeks=13,
             max_employees=250, required_attachments=["quote"], excluded_sbi_codes="64,65,66",
             max_awards_per_company=6,
             ceiling="82740.00"),
        dict(org="gouda", code="circulaire-pilot", kind=SchemeKind.PILOT,
             title_nl="Microsubsidie circulaire pilot", title_en="Circular pilot micro-subsidy",
             description_nl="Tot EUR 10.000 voor een pilot die materialen hergebruikt of een gedeelde "
                            "reststromenhub opzet; voorschot van 80%.",
             description_en="Up to EUR 10,000 for a pilot that reuses materials or sets up a shared "
                            "residual-stream hub; 80% advance.",
             legal_basis="Algemene subsidieverordening Gouda 2023 en Subsidieregeling circulaire pilots",
             opens_on=year_start, closes_on=year_end, distribution=DistributionMethod.FIRST_COME,
             min_amount="2500", max_amount="10000", cofunding_percentage=50, advance_percentage=80,
             max_employees=50, require_rung_up=True, ceiling="150000.00"),
        dict(org="leiden", code="ketensamenwerking", kind=SchemeKind.CHAIN,
             title_nl="Ketensamenwerking circulair", title_en="Circular chain collaboration",
             description_nl="60% van de kosten, EUR 10.000 tot 75.000, voor ten minste drie partners waarvan "
                            "twee ondernemingen. Rangschikking na de sluitingsdatum.",
             description_en="60% of the costs, EUR 10,000 to 75,000, for at least three partners of which two "
                            "businesses. Ranked after the closing date.",
             legal_basis="Algemene subsidieverordening Leiden en Regeling ketensamenwerking circulaire economie",
             opens_on=year_start, closes_on=year_end, distribution=DistributionMethod.RANKING,
             min_amount="10000", max_amount="75000", cofunding_percentage=60, ceiling="300000.00",
             min_partners=3, max_partners=6, min_business_partners=2),
        dict(org="alphen", code="voucher-vorig-jaar", kind=SchemeKind.VOUCHER,
             title_nl="Voucher circulaire scan (vorige ronde)", title_en="Circular scan voucher (previous round)",
             description_nl="De gesloten ronde van vorig jaar.", description_en="Last year's closed round.",
             legal_basis="Algemene subsidieverordening Alphen aan den Rijn 2024",
             opens_on=datetime.date(today.year - 1, 1, 1), closes_on=datetime.date(today.year - 1, 12, 31),
             distribution=DistributionMethod.FIRST_COME, min_amount="1000", max_amount="2000",
             cofunding_percentage=50, ceiling="50000.00"),
    ]


class Command(BaseCommand):
    help = "Load the demo region (idempotent)."

    def handle(self, *args, **options):
        if Organisation.objects.filter(slug="alphen").exists():
            self.stdout.write("Demo region already loaded.")
            return
        with transaction.atomic():
            self._load()
        self.stdout.write(self.style.SUCCESS("Demo region loaded."))

    def _user(self, email, name, **extra):
        user = User.objects.create_user(email=email, password=DEMO_PASSWORD, full_name=name,
                                        email_verified_at=timezone.now(), **extra)
        return user

    def _load(self):
        today = timezone.localdate()
        orgs = {}
        for name, slug, code in MUNICIPALITIES:
            orgs[slug] = Organisation.objects.create(
                name=name, slug=slug, code=code, email=f"subsidies@{slug}.demo",
                website=f"https://www.{slug}.nl", postal_address=f"Postbus 1\n{name}",
            )
        staff = {}
        for email, name, slug, roles in STAFF:
            user = self._user(email, name)
            for role in roles:
                StaffMembership.objects.create(user=user, organisation=orgs[slug], role=role)
            staff[email] = user
            demo_authenticator(user=user, secret=DEMO_TOTP_SECRET)
        admin = self._user("admin@grantdesk.demo", "Platform Beheer", is_staff=True, is_superuser=True)
        demo_authenticator(user=admin, secret=DEMO_TOTP_SECRET)
        schemes = {}
        for spec in _scheme_specs(today):
            ceiling = Decimal(spec.pop("ceiling"))
            org = orgs[spec.pop("org")]
            for key in ("min_amount", "max_amount"):
                spec[key] = Decimal(spec[key])
            scheme = Scheme.objects.create(organisation=org, **spec)
            budget_open(scheme=scheme, ceiling=ceiling)
            schemes[scheme.code] = scheme
        applicants = {}
        for kvk, name, form, street, postcode, city, slug, sbi, employees, iban, (email, person) in COMPANIES:
            company = Company.objects.create(
                kvk_number=kvk, name=name, legal_form=form, street=street, postcode=postcode, city=city,
                municipality=orgs[slug], sbi_code=sbi, employees=employees, iban=iban, contact_email=email,
            )
            user = self._user(email, person)
            CompanyMembership.objects.create(user=user, company=company, role=CompanyMembership.Role.OWNER)
            applicants.setdefault(slug, (user, company))
            applicants[kvk] = (user, company)
        self._cases(schemes, applicants, staff)
        self._assessment(orgs, schemes, applicants, staff)
        self._letters(schemes, applicants, staff)
        seed_pilots(command=self, orgs=orgs, staff=staff)

    def _cases(self, schemes, applicants, staff):
        """Cases in every state so far, all through the real transition services: Alphen's voucher
        (draft, submitted, information requested, proposed, awarded), a Gouda pilot and a Leiden
        chain collaboration with its consortium partners."""
        user, company = applicants["alphen"]
        officer, manager = staff["behandelaar@alphen.demo"], staff["budgethouder@alphen.demo"]
        voucher = schemes["circulaire-scan"]
        provider, adviser = seed_voucher_providers(voucher, proposer=user, password=DEMO_PASSWORD)

        def new(title, amount, *, scheme=voucher, owner=(user, company), complete=True):
            """A draft of ``owner`` requesting ``amount`` (the costs follow from the co-funding share)."""
            application = Application.objects.create(
                scheme=scheme, company=owner[1], created_by=owner[0], title=title,
                description="Een erkend adviseur brengt onze houtreststromen in kaart en adviseert over "
                            "hergebruik in nieuwe meubels (R3 hergebruik).",
            )
            if complete:
                self._complete(application, Decimal(amount), owner[0])
            return application

        new("Circulaire scan werkplaats (concept)", "1500", complete=False)
        submitted = new("Circulaire scan houtopslag", "1200")
        services.application_submit(application_id=submitted.pk, actor=user)
        other = applicants["73456787"]
        info = new("Circulaire scan sloophout", "1800", owner=other)
        services.application_submit(application_id=info.pk, actor=other[0])
        services.application_start_review(application_id=info.pk, actor=officer)
        services.application_request_info(application_id=info.pk, actor=officer,
                                          missing="Stuur de offerte van de adviseur mee.")
        proposed = new("Circulaire scan bouwmaterialen", "2000", owner=other)
        choose(proposed, provider)
        services.application_submit(application_id=proposed.pk, actor=other[0])
        services.application_start_review(application_id=proposed.pk, actor=officer)
        services.application_propose(application_id=proposed.pk, actor=officer, outcome="award",
                                     amount=proposed.requested_amount, motivation="Voldoet aan alle voorwaarden.")
        awarded = new("Circulaire scan showroom", "1000")
        choose(awarded, provider)
        services.application_submit(application_id=awarded.pk, actor=user)
        services.application_start_review(application_id=awarded.pk, actor=officer)
        services.application_propose(application_id=awarded.pk, actor=officer, outcome="award",
                                     amount=awarded.requested_amount, motivation="Voldoet aan alle voorwaarden.")
        services.application_approve(application_id=awarded.pk, actor=manager)

        owners = {"houtwerk": (user, company), "bouwkringloop": other,
                  "tweedeleven": seed_voucher_company(voucher.organisation, password=DEMO_PASSWORD)}

        def award(title, amount, owner):
            owner = owners[owner]
            application = new(title, amount, owner=owner)
            choose(application, provider)
            services.application_submit(application_id=application.pk, actor=owner[0])
            services.application_start_review(application_id=application.pk, actor=officer)
            services.application_propose(application_id=application.pk, actor=officer, outcome="award",
                                         amount=application.requested_amount, motivation="Voldoet.")
            return services.application_approve(application_id=application.pk, actor=manager)

        seed_vouchers(award=award, provider=provider, adviser=adviser, officer=officer, manager=manager, pdf=DEMO_PDF)

        pilot = new("Gedeelde reststromenhub Goudse binnenstad", "8500", scheme=schemes["circulaire-pilot"],
                    owner=applicants["gouda"])
        services.application_submit(application_id=pilot.pk, actor=applicants["gouda"][0])

        chain = new("Textielketen Leiden: van afgedankt naar nieuw garen", "54000",
                    scheme=schemes["ketensamenwerking"], owner=applicants["leiden"])
        for kvk, name, form, business, share in [
            ("71234565", "Garenspinnerij Rijnland B.V.", LegalForm.PRIVATE_LIMITED, True, "30000"),
            ("72345676", "Kringloop Leiden Stichting", LegalForm.FOUNDATION, False, "20000"),
        ]:
            Partner.objects.create(application=chain, kvk_number=kvk, name=name, legal_form=form,
                                   is_business=business, cost_share=Decimal(share))
        services.application_submit(application_id=chain.pk, actor=applicants["leiden"][0])
        self._objections(new, awarded, staff, owners=((user, company), other))
        seed_payments_demo(new=new, schemes=schemes, applicants=applicants, staff=staff)

    def _objections(self, new, awarded, staff, *, owners):
        """Objections in every state, through the real services: lodged with a hearing scheduled, pro
        forma with the grounds requested, heard (against the showroom award), a proposed decision awaiting
        a manager, and decided founded: a rejection replaced by an award committed in the budget."""
        officer, manager = staff["behandelaar@alphen.demo"], staff["budgethouder@alphen.demo"]
        jurist = staff["jurist@alphen.demo"]
        houtwerk, bouwkringloop = owners

        def rejected(title, amount, owner):
            application = new(title, amount, owner=owner)
            services.application_submit(application_id=application.pk, actor=owner[0])
            services.application_start_review(application_id=application.pk, actor=officer)
            services.application_propose(application_id=application.pk, actor=officer, outcome="reject", amount=None,
                                         motivation="De scan richt zich niet op hergebruik van materialen.",
                                         rejection_reason="insufficient_quality")
            return services.application_approve(application_id=application.pk, actor=manager)

        lodged = services.objection_lodge(
            application_id=rejected("Circulaire scan oude loods", "1500", houtwerk).pk, actor=houtwerk[0],
            grounds="De scan richt zich juist op hergebruik van het hout uit de loods (R3).")
        hearing = timezone.localtime().replace(hour=14, minute=0, second=0, microsecond=0) + datetime.timedelta(days=14)
        services.objection_schedule_hearing(objection_id=lodged.pk, actor=officer, at=hearing,
                                            place="Stadhuis Alphen, Stadhuisplein 1, zaal 3")
        pro_forma = services.objection_lodge(
            application_id=rejected("Circulaire scan puinstromen", "1600", bouwkringloop).pk,
            actor=bouwkringloop[0])
        services.objection_request_grounds(objection_id=pro_forma.pk, actor=officer)
        heard = services.objection_lodge(application_id=awarded.pk, actor=houtwerk[0],
                                         grounds="De verplichting om binnen drie maanden te rapporteren is te kort.")
        services.objection_hear(objection_id=heard.pk, actor=officer,
                                minutes="Bezwaarde licht toe dat de adviseur pas na vier maanden beschikbaar is.")
        proposed = services.objection_lodge(
            application_id=rejected("Circulaire scan kantoorinventaris", "1100", bouwkringloop).pk,
            actor=bouwkringloop[0], grounds="Hergebruik van kantoormeubilair is wel degelijk circulair (R3).")
        services.objection_hear(objection_id=proposed.pk, actor=officer, waived=True)
        services.objection_propose(objection_id=proposed.pk, actor=officer, outcome="unfounded",
                                   motivation="De scan betreft geen productieproces, zoals de regeling vereist.")
        founded = services.objection_lodge(
            application_id=rejected("Circulaire scan werkplaatsafval", "2000", houtwerk).pk, actor=houtwerk[0],
            grounds="Het afval wordt hergebruikt in nieuwe meubels; dat is wel circulair.")
        services.objection_hear(objection_id=founded.pk, actor=officer, waived=True)
        services.objection_propose(objection_id=founded.pk, actor=officer, outcome="founded", new_outcome="award",
                                   new_amount=Decimal("2000.00"),
                                   motivation="Bij heroverweging past de scan binnen de regeling (R3 hergebruik).")
        services.objection_decide(objection_id=founded.pk, actor=jurist)

    def _letters(self, schemes, applicants, staff):
        """Decision letters: every decided case already has its letter (issued at approval). Add one
        extended decision term with its letter, and an award for an applicant without electronic consent
        whose letter waits on Alphen's print-and-post list (Awb 2:14)."""
        officer, manager = staff["behandelaar@alphen.demo"], staff["budgethouder@alphen.demo"]
        extended = Application.objects.get(title="Circulaire scan houtopslag")
        services.application_extend(application_id=extended.pk, actor=officer, weeks=6,
                                    reason="Wij vragen advies aan de Omgevingsdienst over de opslag van hout.")
        user, company = applicants["73456787"]
        on_paper = Application.objects.create(
            scheme=schemes["circulaire-scan"], company=company, created_by=user, electronic_consent=False,
            title="Circulaire scan kantoorinrichting",
            description="Een erkend adviseur onderzoekt hergebruik van kantoormeubilair (R3 hergebruik).",
        )
        self._complete(on_paper, Decimal("1500"), user)
        services.application_submit(application_id=on_paper.pk, actor=user)
        services.application_start_review(application_id=on_paper.pk, actor=officer)
        services.application_propose(application_id=on_paper.pk, actor=officer, outcome="award",
                                     amount=Decimal("1500.00"), motivation="Voldoet aan alle voorwaarden.")
        services.application_approve(application_id=on_paper.pk, actor=manager)

    def _complete(self, application, amount, user):
        """Fill every part a complete application needs: dates, R-ladder, results, costs yielding
        ``amount``, declarations, the scheme's required attachments."""
        today = timezone.localdate()
        costs = (amount * 100 / application.scheme.cofunding_percentage).quantize(Decimal("0.01"))
        application.location = application.company.city
        application.starts_on = today + datetime.timedelta(days=14)
        application.ends_on = today + datetime.timedelta(days=120)
        application.current_rung, application.target_rung = "R8", "R3"
        application.de_minimis_none = True
        application.declared_truthful = application.consented_processing = True
        CostLine.objects.create(application=application, description="Advies en uitvoering door erkend adviseur",
                                amount_excl_vat=costs, vat=(costs * Decimal("0.21")).quantize(Decimal("0.01")),
                                incurred_on=today + datetime.timedelta(days=30))
        PlannedIndicator.objects.create(application=application, indicator=Indicator.WASTE_AVOIDED,
                                        planned=Decimal("12000"))
        PlannedIndicator.objects.create(application=application, indicator=Indicator.CO2_AVOIDED,
                                        planned=Decimal("8500"))
        scheme = application.scheme
        application.requested_amount = computed_amount(application)
        application.save()
        for kind in scheme.required_attachments:
            Attachment.objects.create(
                application=application, kind=kind, file=ContentFile(DEMO_PDF, name="offerte.pdf"),
                original_name="offerte.pdf", content_type="application/pdf", size=len(DEMO_PDF), uploaded_by=user,
            )
        # A voucher scheme with approved providers needs the applicant's choice of one.
        provider = scheme.providers.filter(approved_at__isnull=False, active=True).order_by("pk").first()
        if provider is not None:
            choose(application, provider)

    def _assessment(self, orgs, schemes, applicants, staff):
        """Four-eyes bands on Alphen's voucher (a second officer approves up to EUR 1,500: a proposal in each
        band), and Leiden's closed ranking scheme with weighted criteria, scored cases, a performed
        tie-break draw and a published one for a tie that appeared later."""
        voucher = schemes["circulaire-scan"]
        Scheme.objects.filter(pk=voucher.pk).update(officer_approval_limit=Decimal("1500.00"))
        second = self._user("collega@alphen.demo", "Ruben Mulder")
        StaffMembership.objects.create(user=second, organisation=orgs["alphen"], role="officer")
        demo_authenticator(user=second, secret=DEMO_TOTP_SECRET)
        officer = staff["behandelaar@alphen.demo"]
        user, company = applicants["73456787"]
        small = Application.objects.create(scheme=voucher, company=company, created_by=user,
                                           title="Circulaire scan kantoorinrichting",
                                           description="Een erkend adviseur onderzoekt hergebruik van ons "
                                                       "kantoormeubilair (R3 hergebruik).")
        self._complete(small, Decimal("1200"), user)
        services.application_submit(application_id=small.pk, actor=user)
        services.application_start_review(application_id=small.pk, actor=officer)
        services.application_propose(application_id=small.pk, actor=officer, outcome="award",
                                     amount=Decimal("1200.00"), motivation="Binnen de mandaatgrens van de "
                                     "behandelaars: een tweede behandelaar keurt goed.")

        today = timezone.localdate()
        ranked = Scheme.objects.create(
            organisation=orgs["leiden"], kind=SchemeKind.VOUCHER, code="circulaire-innovatie",
            title_nl="Circulaire innovatieprijs (tender)", title_en="Circular innovation award (tender)",
            description_nl="Tot EUR 5.000 (50%) voor de beste circulaire innovaties, gerangschikt na de "
                           "sluitingsdatum op circulariteit, haalbaarheid en regionale impact.",
            description_en="Up to EUR 5,000 (50%) for the best circular innovations, ranked after the closing "
                           "date on circularity, feasibility and regional impact.",
            legal_basis="Algemene subsidieverordening Leiden en Tenderregeling circulaire innovatie",
            opens_on=datetime.date(today.year, 1, 1), closes_on=today + datetime.timedelta(days=30),
            distribution=DistributionMethod.RANKING, min_amount=Decimal("1000"), max_amount=Decimal("5000"),
            cofunding_percentage=50, max_awards_per_company=10,
        )
        budget_open(scheme=ranked, ceiling=Decimal("10000.00"))
        criteria = [AssessmentCriterion.objects.create(scheme=ranked, order=order, name_nl=nl, name_en=en,
                                                       weight=weight, max_score=5)
                    for order, (nl, en, weight) in enumerate([
                        ("Circulariteit (R-ladder)", "Circularity (R-ladder)", 3),
                        ("Haalbaarheid", "Feasibility", 2),
                        ("Regionale impact", "Regional impact", 1)], start=1)]
        leiden_user, leiden_company = applicants["leiden"]
        cases = []
        for title in ("Garen uit afgedankte werkkleding", "Reparatiewerkplaats voor textiel",
                      "Sorteerlijn voor gemengd textiel", "Verhuur van evenemententextiel",
                      "Isolatiemateriaal uit textielresten"):
            application = Application.objects.create(
                scheme=ranked, company=leiden_company, created_by=leiden_user, title=title,
                description="Een circulaire innovatie in de Leidse textielketen (R3 hergebruik).")
            self._complete(application, Decimal("3000"), leiden_user)
            services.application_submit(application_id=application.pk, actor=leiden_user)
            cases.append(application)
        # The tender closed yesterday: from today the ranking is set (demo data; the dates are moved after
        # the applications were received in time).
        Scheme.objects.filter(pk=ranked.pk).update(closes_on=today - datetime.timedelta(days=1))
        ranked.refresh_from_db()
        handler = staff["behandelaar@leiden.demo"]  # officer and manager of Leiden
        for application, points in zip(cases[:3], (5, 4, 4), strict=True):
            services.application_start_review(application_id=application.pk, actor=handler)
            services.application_score(application_id=application.pk, actor=handler, scores={
                c.pk: (points, "Beoordeeld volgens het beoordelingskader.") for c in criteria})
        first = services.draw_publish(scheme_id=ranked.pk, purpose="tie_break", actor=handler)
        services.draw_perform(draw_id=first.pk, actor=handler)
        for application in cases[3:]:
            services.application_start_review(application_id=application.pk, actor=handler)
            services.application_score(application_id=application.pk, actor=handler, scores={
                c.pk: (2, "Beperkt onderbouwd.") for c in criteria})
        services.draw_publish(scheme_id=ranked.pk, purpose="tie_break", actor=handler)
        assert len(scheme_ranking(ranked).rows) == len(cases)
