"""Fill the database with a province-wide data set for the benchmark (make bench).

50 municipalities (the largest holds a fifth of the applications), 500 schemes, companies with their
owners, applications in every state in realistic proportions, with the ledger rows, transition log
rows, notifications, cost lines, planned results, attachments, messages and decision letters they would
have. Rows go in with COPY (PostgreSQL) through grants.scale; the budget totals are computed from the
same ledger rows, so ``budget_reconcile`` finds them equal.
"""

import random
import time
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from applicants.models import Company, CompanyMembership, User
from grants import state_counts
from grants.models import (
    Application,
    ApplicationState,
    ApplicationStateCount,
    Attachment,
    AttachmentKind,
    Award,
    AwardState,
    Budget,
    CostLine,
    DecisionLetter,
    DistributionMethod,
    Indicator,
    LedgerEntry,
    LedgerKind,
    LetterChannel,
    LetterKind,
    Message,
    Organisation,
    PlannedIndicator,
    Provider,
    Report,
    ReportIndicator,
    ReportingPlan,
    ReportKind,
    ReportState,
    Scheme,
    SchemeKind,
    StaffMembership,
    StaffRole,
    Voucher,
)
from grants.scale import Loader
from notifications.models import InboxItem, Outbox, OutboxStatus
from workflows.models import TransitionLog

S = ApplicationState
# Share of applications per state (sums to 1): most are decided, a tenth still open in the queue.
STATES = [
    (S.DRAFT, 0.08), (S.SUBMITTED, 0.07), (S.INFO_REQUESTED, 0.03), (S.IN_REVIEW, 0.06), (S.PROPOSED, 0.02),
    (S.AWARDED, 0.60), (S.REJECTED, 0.08), (S.NOT_CONSIDERED, 0.02), (S.WITHDRAWN, 0.04),
]
# The path each state took through the machine: its transition log rows.
PATHS = {
    S.DRAFT: [],
    S.SUBMITTED: [("submit", S.DRAFT, S.SUBMITTED)],
    S.INFO_REQUESTED: [("submit", S.DRAFT, S.SUBMITTED), ("request_info", S.SUBMITTED, S.INFO_REQUESTED)],
    S.IN_REVIEW: [("submit", S.DRAFT, S.SUBMITTED), ("start_review", S.SUBMITTED, S.IN_REVIEW)],
    S.PROPOSED: [("submit", S.DRAFT, S.SUBMITTED), ("start_review", S.SUBMITTED, S.IN_REVIEW),
                 ("propose", S.IN_REVIEW, S.PROPOSED)],
    S.AWARDED: [("submit", S.DRAFT, S.SUBMITTED), ("start_review", S.SUBMITTED, S.IN_REVIEW),
                ("propose", S.IN_REVIEW, S.PROPOSED), ("approve", S.PROPOSED, S.AWARDED)],
    S.REJECTED: [("submit", S.DRAFT, S.SUBMITTED), ("start_review", S.SUBMITTED, S.IN_REVIEW),
                 ("propose", S.IN_REVIEW, S.PROPOSED), ("approve", S.PROPOSED, S.REJECTED)],
    S.NOT_CONSIDERED: [("submit", S.DRAFT, S.SUBMITTED), ("request_info", S.SUBMITTED, S.INFO_REQUESTED),
                       ("propose_not_considered", S.INFO_REQUESTED, S.PROPOSED),
                       ("approve", S.PROPOSED, S.NOT_CONSIDERED)],
    S.WITHDRAWN: [("submit", S.DRAFT, S.SUBMITTED), ("withdraw", S.SUBMITTED, S.WITHDRAWN)],
}
WORDS = ("hout", "textiel", "bouw", "kunststof", "glas", "metaal", "gft", "papier", "meubel", "elektronica",
         "bouwstenen", "isolatie", "verpakking", "koffiedik", "tapijt")
PASSWORD = "scale-Circulair-2026"
MUNICIPALITIES = 50
SCHEMES_PER_MUNICIPALITY = 10


class Command(BaseCommand):
    help = "Fill the database with N applications across 50 municipalities and 500 schemes (benchmark data)."

    def add_arguments(self, parser):
        parser.add_argument("--applications", type=int, default=100_000)
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, applications, seed, **options):
        if Organisation.objects.filter(code="S01").exists():
            raise CommandError("This database already holds the scale data set; use an empty database.")
        started = time.monotonic()
        self.rng = random.Random(seed)
        self.load = Loader()
        self.today = timezone.localdate()
        self.password = make_password(PASSWORD)
        # One transaction: foreign keys are checked at commit, so batches may land in any order.
        with transaction.atomic():
            for step, args in ((self.organisations, ()), (self.schemes, ()),
                               (self.companies, (max(applications // 3, 100),)), (self.applications, (applications,))):
                step(*args)
                self.stdout.write(f"  {step.__name__}: {time.monotonic() - started:.0f} s")
            self.load.finish()
        # The rows just loaded each wrote a per-state delta row (migration 0014): fold them up, as beat does.
        state_counts.compact()
        self.load.vacuum(ApplicationStateCount)  # the folding left as many dead rows as applications
        counts = ", ".join(f"{model._meta.verbose_name_plural}: {n}" for model, n in self.load.counts.items())
        self.stdout.write(f"Seeded in {time.monotonic() - started:.0f} s. {counts}")

    # --- municipalities, staff and schemes ----------------------------------------------------

    def organisations(self):
        self.orgs, self.staff = [], {}
        for number in range(1, MUNICIPALITIES + 1):
            org = self.load.add(Organisation, name=f"Gemeente Schaalstad {number:02d}", slug=f"schaalstad-{number:02d}",
                                code=f"S{number:02d}", email=f"subsidies@schaalstad{number:02d}.example",
                                postal_address=f"Postbus {1000 + number}\n2400 AA Schaalstad",
                                objection_body="het college van burgemeester en wethouders")
            self.orgs.append(org)
            for role, count in ((StaffRole.OFFICER, 4), (StaffRole.MANAGER, 2), (StaffRole.ADMINISTRATOR, 1)):
                for index in range(count):
                    user = self._user(f"{role}{index}@schaalstad{number:02d}.example", f"{role.label} {index}")
                    self.load.add(StaffMembership, user_id=user, organisation_id=org, role=role)
                    self.staff.setdefault((org, role), []).append(user)
        # A regional officer with a role at every municipality: the region-wide staff view.
        regional = self._user("regio@schaalstad.example", "Regionaal behandelaar")
        for org in self.orgs:
            self.load.add(StaffMembership, user_id=regional, organisation_id=org, role=StaffRole.OFFICER)
        self.load.flush()

    def schemes(self):
        self.schemes_of = {}
        self.scheme_info = {}
        self.providers = {}
        kinds = [SchemeKind.VOUCHER, SchemeKind.PILOT, SchemeKind.CHAIN]
        for org in self.orgs:
            for index in range(SCHEMES_PER_MUNICIPALITY):
                kind = kinds[index % 3]
                maximum = {SchemeKind.VOUCHER: 2000, SchemeKind.PILOT: 10000, SchemeKind.CHAIN: 50000}[kind]
                scheme = self.load.add(
                    Scheme, organisation_id=org, kind=kind, code=f"regeling-{index:02d}",
                    title_nl=f"{kind.label} {self.rng.choice(WORDS)} {index:02d}",
                    title_en=f"{kind} {index:02d}", description_nl="Regeling voor circulaire ondernemers.",
                    description_en="Scheme for circular entrepreneurs.",
                    legal_basis="Algemene subsidieverordening Schaalstad 2026",
                    opens_on=self.today - timedelta(days=400), closes_on=self.today + timedelta(days=400),
                    distribution=DistributionMethod.FIRST_COME, min_amount=Decimal("500.00"),
                    max_amount=Decimal(maximum), cofunding_percentage=50, required_attachments=[],
                    allowed_legal_forms=[],
                )
                self.schemes_of.setdefault(org, []).append(scheme)
                self.scheme_info[scheme] = (org, Decimal(maximum), kind)
                if kind == SchemeKind.VOUCHER:
                    self.providers[scheme] = self.load.add(
                        Provider, scheme_id=scheme, name=f"Scanbureau {org}-{index}",
                        kvk_number=f"{70_000_000 + scheme:08d}",
                        contact_email=f"scan{scheme}@adviseur.example", iban="NL91ABNA0417164300",
                        services="Circulaire scan", region="Schaalstad", active=True, approved_at=timezone.now())
        self.load.flush()

    def _user(self, email, name):
        return self.load.add(User, email=email, full_name=name, password=self.password, language="nl",
                             is_active=True, email_verified_at=timezone.now(), date_joined=timezone.now())

    # --- companies ----------------------------------------------------------------------------

    def companies(self, count):
        self.companies_of = {}
        for number in range(count):
            org = self._pick_org()
            owner = self._user(f"ondernemer{number}@bedrijf.example", f"Ondernemer {number}")
            company = self.load.add(
                Company, kvk_number=f"{50_000_000 + number:08d}", legal_form="bv",
                name=f"{self.rng.choice(WORDS).title()} Circulair {number} B.V.",
                street=f"Werfstraat {number % 300 + 1}",
                postcode="2405 AB", city="Schaalstad", municipality_id=org, sbi_code="3832", employees=8,
                iban="NL91ABNA0417164300", contact_email=f"info{number}@bedrijf.example",
            )
            self.load.add(CompanyMembership, user_id=owner, company_id=company, role=CompanyMembership.Role.OWNER)
            self.companies_of.setdefault(org, []).append((company, owner))
        self.load.flush()

    def _pick_org(self):
        # The largest municipality holds a fifth; the others share the rest evenly.
        return self.orgs[0] if self.rng.random() < 0.2 else self.rng.choice(self.orgs[1:])

    # --- applications with their log, ledger and notifications -------------------------------

    def applications(self, count):
        application_type = ContentType.objects.get_for_model(Application).pk
        states, weights = zip(*STATES, strict=True)
        budgets = {scheme: {"reserved": Decimal(0), "committed": Decimal(0), "paid": Decimal(0),
                            "released": Decimal(0), "entries": []} for scheme in self.scheme_info}
        numbers = {}
        for _ in range(count):
            org = self._pick_org()
            scheme = self.rng.choice(self.schemes_of[org])
            # A small data set may leave a municipality without companies: its applicants come from the largest.
            company, owner = self.rng.choice(self.companies_of.get(org) or self.companies_of[self.orgs[0]])
            state = self.rng.choices(states, weights)[0]
            maximum = self.scheme_info[scheme][1]
            amount = Decimal(self.rng.randrange(500, int(maximum) + 1, 50))
            created = timezone.now() - timedelta(days=self.rng.randint(1, 700), minutes=self.rng.randint(0, 1440))
            submitted = None if state == S.DRAFT else created + timedelta(hours=self.rng.randint(1, 72))
            reference = ""
            if submitted:
                numbers[org] = numbers.get(org, 0) + 1
                reference = f"S{self.orgs.index(org) + 1:02d}-{submitted.year}-{numbers[org]:06d}"
            officer = self.rng.choice(self.staff[(org, StaffRole.OFFICER)])
            manager = self.rng.choice(self.staff[(org, StaffRole.MANAGER)])
            decided = state in (S.AWARDED, S.REJECTED, S.NOT_CONSIDERED)
            app = self.load.add(
                Application, scheme_id=scheme, organisation_id=org, company_id=company, created_by_id=owner,
                state=state,
                reference=reference, title=f"Circulair {self.rng.choice(WORDS)}project {reference or 'concept'}",
                description="Wij hergebruiken reststromen in nieuwe producten.", requested_amount=amount,
                location="Schaalstad", submitted_at=submitted, completed_at=submitted,
                decision_due_on=(submitted + timedelta(weeks=8)).date() if submitted else None,
                assigned_to_id=officer if state not in (S.DRAFT, S.SUBMITTED) else None,
                proposed_outcome="award" if state in (S.PROPOSED, S.AWARDED) else "",
                proposed_amount=amount if state in (S.PROPOSED, S.AWARDED) else None,
                proposed_by_id=officer if state in (S.PROPOSED, S.AWARDED, S.REJECTED, S.NOT_CONSIDERED) else None,
                decided_by_id=manager if decided else None,
                decided_at=submitted + timedelta(weeks=6) if decided else None,
                awarded_amount=amount if state == S.AWARDED else None,
                created_at=created, updated_at=submitted or created,
                declared_truthful=True, consented_processing=True, de_minimis_none=True,
            )
            at = submitted or created
            for transition, source, target in PATHS[state]:
                actor = {"submit": owner, "withdraw": owner, "approve": manager}.get(transition, officer)
                self.load.add(TransitionLog, content_type_id=application_type, object_id=app, transition=transition,
                              source_state=source, target_state=target, actor_id=actor, created_at=at)
                at += timedelta(days=self.rng.randint(1, 10))
            self._money(budgets[scheme], scheme, app, state, amount, officer)
            if state == S.AWARDED:
                self._award(app, scheme, company, owner, officer, amount, submitted + timedelta(weeks=6))
            if submitted:
                self._notifications(owner, officer, reference, state, at)
                self._case_file(app, state, owner, officer, manager, amount, submitted)
        for scheme, totals in budgets.items():
            ceiling = max(Decimal("1000000.00"), totals["reserved"] + totals["committed"])
            budget = self.load.add(Budget, scheme_id=scheme, ceiling=ceiling, reserved=totals["reserved"],
                                   committed=totals["committed"], paid=totals["paid"], released=totals["released"])
            self.load.add(LedgerEntry, budget_id=budget, kind=LedgerKind.CEILING_CHANGE, amount=ceiling,
                          idempotency_key=f"scale:ceiling:{scheme}", note="Subsidieplafond")
            for kind, amount, app, key in totals["entries"]:
                self.load.add(LedgerEntry, budget_id=budget, kind=kind, amount=amount, application_id=app,
                              idempotency_key=key)

    def _award(self, app, scheme, company, owner, officer, amount, decided):
        """The award of an awarded application; vouchers with their code, pilots with a reporting plan and
        a final report with typed results (most accepted)."""
        kind = self.scheme_info[scheme][2]
        paid = self.rng.random() < 0.7
        self.load.add(Award, application_id=app, state=AwardState.SETTLED if paid else AwardState.GRANTED,
                      amount=amount, determined_amount=amount if paid else None, granted_on=decided.date(),
                      determined_on=decided.date() if paid else None)
        if kind == SchemeKind.VOUCHER:
            self.load.add(Voucher, application_id=app, provider_id=self.providers[scheme], code=f"CV-{app:08d}"[:12],
                          state="paid" if paid else "issued", cofunding_percentage=50, cap=amount, payee="provider",
                          issued_on=decided.date(), valid_until=decided.date() + timedelta(days=182),
                          determined_amount=amount if paid else None)
            return
        plan = self.load.add(ReportingPlan, application_id=app,
                             determination_request_due_on=decided.date() + timedelta(days=300),
                             showcase_consent=self.rng.random() < 0.3, featured=self.rng.random() < 0.02,
                             showcase_summary="Hergebruik van reststromen in nieuwe producten.")
        report = self.load.add(
            Report, plan_id=plan, application_id=app, kind=ReportKind.FINAL,
            state=ReportState.ACCEPTED if paid else ReportState.DUE, due_on=decided.date() + timedelta(days=240),
            narrative="Pilot uitgevoerd." if paid else "",
            rung_achieved=self.rng.choice(["R3", "R4", "R8"]) if paid else "",
            lessons_learned="Ketenpartners vroeg betrekken." if paid else "", costs_spent=amount * 2 if paid else None,
            submitted_at=decided + timedelta(days=230) if paid else None, submitted_by_id=owner if paid else None,
            decided_at=decided + timedelta(days=240) if paid else None, decided_by_id=officer if paid else None)
        for indicator, unit, planned in (("waste_avoided", "kg", 12000), ("co2_avoided", "kg", 8000)):
            self.load.add(ReportIndicator, report_id=report, indicator=indicator, unit=unit, planned=Decimal(planned),
                          realised=Decimal(self.rng.randint(planned // 2, planned * 2)) if paid else None)

    def _case_file(self, app, state, owner, officer, manager, amount, submitted):
        """What a submitted application's case holds besides its own row: cost lines, planned results and a
        project plan (the form asks for them), a short exchange of messages on a third of the cases and the
        decision letter of a decided one. The files themselves are not written: their rows are what the pages
        list."""
        half = (amount / 2).quantize(Decimal("0.01"))
        for description, share in (("Advies circulaire scan", half), ("Materiaal en proefopstelling", amount - half)):
            self.load.add(CostLine, application_id=app, description=description, amount_excl_vat=share,
                          vat=(share * Decimal("0.21")).quantize(Decimal("0.01")), incurred_on=submitted.date())
        for indicator, planned in ((Indicator.WASTE_AVOIDED, 12000), (Indicator.CO2_AVOIDED, 8000)):
            self.load.add(PlannedIndicator, application_id=app, indicator=indicator, planned=Decimal(planned))
        self.load.add(Attachment, application_id=app, kind=AttachmentKind.PROJECT_PLAN,
                      file=f"applications/{app}/scale", original_name="projectplan.pdf", content_type="application/pdf",
                      size=self.rng.randint(80_000, 900_000), uploaded_by_id=owner, uploaded_at=submitted)
        if self.rng.random() < 0.3:
            self.load.add(Message, application_id=app, author_id=owner, body="Is er al meer bekend over de planning?",
                          created_at=submitted + timedelta(days=10))
            self.load.add(Message, application_id=app, author_id=officer, from_staff=True,
                          body="Wij verwachten binnen drie weken een besluit.",
                          created_at=submitted + timedelta(days=11))
        kind = {S.AWARDED: LetterKind.AWARD, S.REJECTED: LetterKind.REJECTION,
                S.NOT_CONSIDERED: LetterKind.NOT_CONSIDERED}.get(state)
        if kind:
            decided = submitted + timedelta(weeks=6)
            self.load.add(DecisionLetter, application_id=app, kind=kind, language="nl",
                          subject="Besluit op uw aanvraag",
                          text="Geachte heer, mevrouw, hierbij ontvangt u ons besluit op uw aanvraag.",
                          pdf=f"letters/{app}/scale.pdf", channel=LetterChannel.ELECTRONIC, issued_at=decided,
                          issued_by_id=manager, sent_on=decided.date())

    def _money(self, totals, scheme, app, state, amount, officer):
        entries = totals["entries"]
        if state in (S.SUBMITTED, S.INFO_REQUESTED, S.IN_REVIEW, S.PROPOSED):
            entries.append((LedgerKind.RESERVATION, amount, app, f"application:{app}:reservation"))
            totals["reserved"] += amount
        elif state in (S.AWARDED, S.REJECTED, S.NOT_CONSIDERED, S.WITHDRAWN):
            entries.append((LedgerKind.RESERVATION, amount, app, f"application:{app}:reservation"))
            entries.append((LedgerKind.RESERVATION_RELEASE, amount, app, f"application:{app}:reservation-release"))
            totals["released"] += amount
            if state == S.AWARDED:
                entries.append((LedgerKind.COMMITMENT, amount, app, f"application:{app}:commitment"))
                totals["committed"] += amount
                if self.rng.random() < 0.7:
                    entries.append((LedgerKind.PAYMENT, amount, app, f"application:{app}:payment"))
                    totals["paid"] += amount

    def _notifications(self, owner, officer, reference, state, at):
        events = [("application_submitted", owner), ("application_received", officer)]
        if state == S.INFO_REQUESTED:
            events.append(("info_requested", owner))
        if state in (S.AWARDED, S.REJECTED, S.NOT_CONSIDERED):
            events += [("proposal_awaiting_approval", officer), ("decision_made", owner)]
        for event, user in events:
            row = self.load.add(Outbox, event=event, recipient_id=user, language="nl",
                                context={"reference": reference}, status=OutboxStatus.SENT, attempts=1,
                                email_sent_at=at, sent_at=at, created_at=at)
            # Most messages have been read; the last weeks' are waiting.
            read = at if at < timezone.now() - timedelta(days=21) else None
            self.load.add(InboxItem, user_id=user, outbox_id=row, subject=f"{reference}: {event}",
                          body=f"Over uw aanvraag {reference}.", created_at=at, read_at=read)
