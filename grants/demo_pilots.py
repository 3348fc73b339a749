"""Demo content for pilot grants (called by seed_demo): in Gouda a running pilot with its plan, a
submitted progress report and a change request, and a finished pilot of a sole trader with an
accepted final report; both opted in to the showcase, the finished one featured. Everything goes
through the real services."""

import datetime
from decimal import Decimal

from applicants.models import Company, CompanyMembership, LegalForm
from grants.models import ReportKind, Scheme
from workflows import services

DEMO_COMPANIES = [
    # kvk, name, legal form, street, postcode, user (email, name)
    ("74512348", "Kratkring Gouda B.V.", LegalForm.PRIVATE_LIMITED, "Turfmarkt 40", "2801 HA",
     ("ondernemer@kratkring.demo", "Eva Mulder")),
    ("75623459", "Repair Café De Boer", LegalForm.SOLE_TRADER, "Lange Tiendeweg 9", "2801 KD",
     ("ondernemer@repaircafe.demo", "Johan de Boer")),
]


def seed_pilots(*, command, orgs, staff):
    """``command`` is the seed_demo Command (its ``_user`` and ``_complete`` helpers)."""
    scheme = Scheme.objects.get(organisation=orgs["gouda"], code="circulaire-pilot")
    # Gouda pays a quarter of the award at each accepted milestone.
    Scheme.objects.filter(pk=scheme.pk).update(milestone_tranche_percentage=25, progress_report_months=3)
    scheme.refresh_from_db()
    officer, manager = staff["behandelaar@gouda.demo"], staff["budgethouder@gouda.demo"]
    owners = []
    for kvk, name, form, street, postcode, (email, person) in DEMO_COMPANIES:
        company = Company.objects.create(
            kvk_number=kvk, name=name, legal_form=form, street=street, postcode=postcode, city="Gouda",
            municipality=orgs["gouda"], sbi_code="3832", employees=3, iban="NL39RABO0300065264", contact_email=email)
        user = command._user(email, person)
        CompanyMembership.objects.create(user=user, company=company, role=CompanyMembership.Role.OWNER)
        owners.append((user, company))

    running = _award(command, scheme, owners[0], officer, manager, "Statiegeldkratten voor de Goudse horeca",
                     "Herbruikbare kratten met statiegeld vervangen wegwerpverpakkingen bij twintig horecazaken.")
    finished = _award(command, scheme, owners[1], officer, manager, "Repair café voor kleine apparaten",
                      "Wekelijkse reparatie van kleine huishoudelijke apparaten in plaats van weggooien.")
    running_user, finished_user = owners[0][0], owners[1][0]

    progress = running.reports.filter(kind=ReportKind.PROGRESS).order_by("due_on").first()
    services.report_save(report_id=progress.pk, actor=running_user,
                         narrative="Twaalf horecazaken doen mee; 4.000 kratten in omloop.", rung_achieved="R3",
                         lessons_learned="Horeca wil een vaste ophaaldag; de statiegeldadministratie kost tijd.",
                         costs_spent=Decimal("3200.00"), realised={"co2_avoided": Decimal("2100"),
                                                                   "waste_avoided": Decimal("3800")})
    services.report_submit(report_id=progress.pk, actor=running_user)
    services.change_request_submit(application_id=running.application_id, actor=running_user, kind="extend_period",
                                   description="De levering van de kratten was twee maanden later.",
                                   new_end_on=running.application.ends_on + datetime.timedelta(days=61))
    services.showcase_set_consent(plan_id=running.pk, actor=running_user, consent=True,
                                  summary="Herbruikbare kratten met statiegeld in de Goudse horeca.")

    for report in finished.reports.order_by("due_on"):
        final = report.kind == ReportKind.FINAL
        services.report_save(
            report_id=report.pk, actor=finished_user,
            narrative="Tweehonderd apparaten gerepareerd." if final else "Eerste veertig apparaten gerepareerd.",
            rung_achieved="R4", costs_spent=Decimal("7600.00") if final else Decimal("2000.00"),
            lessons_learned="Vrijwilligers met technische kennis zijn schaars; een vaste werkplaats helpt."
            if final else "",
            realised={"co2_avoided": Decimal("5400") if final else Decimal("900"),
                      "waste_avoided": Decimal("6100") if final else Decimal("1200")})
        services.report_submit(report_id=report.pk, actor=finished_user)
        services.report_accept(report_id=report.pk, actor=officer, comment="Akkoord.")
    services.showcase_set_consent(plan_id=finished.pk, actor=finished_user, consent=True,
                                  summary="Een wekelijks repair café: repareren in plaats van weggooien.")
    services.pilot_feature(plan_id=finished.pk, actor=officer, featured=True)


def _award(command, scheme, owner, officer, manager, title, description):
    from grants.models import Application

    user, company = owner
    application = Application.objects.create(scheme=scheme, company=company, created_by=user, title=title,
                                             description=description)
    command._complete(application, Decimal("8000"), user)
    services.application_submit(application_id=application.pk, actor=user)
    services.application_start_review(application_id=application.pk, actor=officer)
    application.refresh_from_db()
    services.application_propose(application_id=application.pk, actor=officer, outcome="award",
                                 amount=application.requested_amount, motivation="Past binnen de regeling.")
    services.application_approve(application_id=application.pk, actor=manager)
    application.refresh_from_db()
    return application.reporting_plan
