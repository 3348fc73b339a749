"""The permission matrix: every URL of the project, every kind of user, GET and POST.

How to read it: ``PAGES`` below is the rule book. For each URL name it says which rule the view must
declare (``@require(Rule.X)``), which object its path arguments point at, and who may GET or POST
it. Everyone not named is refused: a 403, a 404 (objects of another tenant do not exist for you) or,
for anonymous visitors, a redirect to the login page. A refused request must leave the database
exactly as it was.

How it works:

* ``walk()`` goes through ``get_resolver().url_patterns`` recursively. Every pattern outside the
  Django admin must be named, must carry the ``access_rule`` that ``require`` sets, and must have an
  entry in ``PAGES`` with the same rule: a new page without a declared rule fails here.
  The admin (namespace ``admin``) is one group, allowed to superusers only: every admin pattern must
  send anonymous visitors and municipal staff to the admin login, and the matrix visits its index,
  a changelist and a change page with every actor.
* ``world`` holds real objects of two municipalities, X (Alphen, the ``org_x`` of conftest.py)
  and Y (Gouda, ``org_y``), two companies and ten actors (``ACTORS``).
* ``test_matrix`` runs every (URL name, actor, method) and names the case in its id, e.g.
  ``test_matrix[case_approve-officer_x-POST]``.
* The ``test_*`` functions after the matrix spell out the tenant rules one by one.

Outcomes: allowed means no 403/404 and no redirect to the login page (a 200; a redirect elsewhere;
a 400 for a POST whose form is invalid; a 405 for the method a one-method URL does not accept). An
allowed POST with a real body must change the database (``changes``, ``after``). A POST that
reaches the view but is turned down by the state machine or a form (``no_effect``) may answer 200
or 302, but must change nothing either.
"""

import dataclasses
import datetime
import re
from types import SimpleNamespace
from urllib.parse import urlparse

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client, override_settings
from django.urls import URLResolver, get_resolver, reverse
from django.utils import timezone

from applicants.models import CompanyInvitation, CompanyMembership
from applicants.services import VERIFY_SALT, invitation_token
from grants import draws
from grants.models import Application, Draw, IbanChange, StaffMembership, StaffRole
from grants.models import ApplicationState as S
from notifications.models import InboxItem, Outbox, OutboxStatus
from tests import factories
from workflows.access import Rule

# --- the actors ---------------------------------------------------------------------------------

ACTORS = (
    "anonymous",
    "applicant_a",  # member of company A
    "applicant_b",  # member of company B
    "adviser_a",  # adviser of company A: acts on its applications like applicant A, manages no people
    "officer_x",
    "manager_x",
    "administrator_x",
    "officer_y",
    "manager_y",
    "superuser",  # Django admin only: no company, no municipal role
    "provider_x",  # works for the voucher provider of X's scheme: company A's vouchers are spent with it
    "provider_y",  # works for a provider of Y's scheme: sees none of X's vouchers
)

EVERYONE = frozenset(ACTORS)
NOBODY = frozenset()
SIGNED_IN = EVERYONE - {"anonymous"}
OWNER_A = frozenset({"applicant_a"})  # company A's owner; also the one person with a personal page (inbox item)
APPLICANT_A = OWNER_A | {"adviser_a"}  # who acts for company A: its owner and the adviser it authorised
APPLICANT_B = frozenset({"applicant_b"})
APPLICANTS = APPLICANT_A | APPLICANT_B
OFFICER_X = frozenset({"officer_x"})
MANAGER_X = frozenset({"manager_x"})
ADMINISTRATOR_X = frozenset({"administrator_x"})
CASE_HANDLERS_X = OFFICER_X | MANAGER_X  # officer and manager of X; X's administrator handles no cases
STAFF = frozenset({"officer_x", "manager_x", "administrator_x", "officer_y", "manager_y"})
SUPERUSER = frozenset({"superuser"})
PROVIDER_X = frozenset({"provider_x"})
PROVIDERS = PROVIDER_X | {"provider_y"}


# --- the rule book ------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Page:
    """``on`` maps each path argument to a world object (its pk is used) or a world value."""

    rule: Rule | None
    get: frozenset
    post: frozenset
    on: dict = dataclasses.field(default_factory=dict)
    body: object = dataclasses.field(default_factory=dict)  # a dict, or a function of the world
    only: str | None = None  # the one method the view accepts; the other is a 405 to whoever passes the rule
    no_effect: frozenset = NOBODY  # their POST reaches the view, which turns it down: nothing changes
    changes: bool = False  # an allowed POST must change the database ...
    after: str | None = None  # ... and move the application of ``on`` to this state
    login: str = "login"  # where anonymous visitors are sent


def Action(rule, *, by, on, body=None, no_effect=NOBODY, after=None):
    """A POST-only URL that changes something: ``by`` may do it."""
    return Page(rule, get=NOBODY, post=by, on=on, body=body or {}, only="POST", no_effect=no_effect,
                changes=True, after=after)


PROPOSAL = {"outcome": "award", "amount": "1500.00", "motivation": "Past binnen de regeling."}


def new_application_for_company_a(world):
    return {"company": world.company_a.pk, "title": "Nieuwe circulaire scan", "description": "Een tweede scan.",
            "location": "Alphen aan den Rijn", "starts_on": "2099-01-01", "ends_on": "2099-06-30"}


def edited_draft(world):
    return {"title": "Gewijzigde titel", "description": "Aangepast.", "location": "Alphen aan den Rijn",
            "starts_on": "2099-01-01", "ends_on": "2099-06-30"}


def company_details(world, **changes):
    return {"kvk_number": "69599084", "legal_form": "bv", "name": "Nieuw Bedrijf B.V.", "street": "Markt 1",
            "postcode": "2801 JG", "city": "Gouda", "sbi_code": "3832", "employees": "3",
            "iban": "NL91ABNA0417164300", "contact_email": "info@nieuw.example.nl", **changes}


def company_a_renamed(world):
    return company_details(world, kvk_number=world.company_a.kvk_number, name="Hernoemd Bedrijf A B.V.")


def attachment_upload(world):
    return {"kind": "quote", "file": SimpleUploadedFile("offerte.pdf", factories.PDF_BYTES)}


def scheme_settings(world, **changes):
    return {"organisation": world.org_x.pk, "kind": "voucher", "code": "nieuwe-regeling",
            "title_nl": "Nieuwe regeling", "title_en": "New scheme", "description_nl": "Een bijdrage.",
            "description_en": "A contribution.", "legal_basis": "Subsidieverordening 2026",
            "opens_on": "2026-01-01", "closes_on": "2026-12-31", "distribution": "first_come",
            "min_amount": "500.00", "max_amount": "2500.00", "cofunding_percentage": "50",
            "decision_term_weeks": "8", "repair_period_days": "14", "direct_determination_threshold": "5000.00",
            "advance_percentage": "0", "max_awards_per_company": "10", "budget_ceiling": "90000.00", **changes}


def scheme_x_edited(world):
    return scheme_settings(world, code=world.scheme_x.code, title_nl="Gewijzigde regeling")


def new_question(world):
    return {"questions-TOTAL_FORMS": "1", "questions-INITIAL_FORMS": "0", "questions-0-order": "1",
            "questions-0-kind": "short_text", "questions-0-label_nl": "Welke materialen?",
            "questions-0-label_en": "Which materials?", "questions-0-required": "on"}


def new_criterion(world):
    return {"criteria-TOTAL_FORMS": "1", "criteria-INITIAL_FORMS": "0", "criteria-0-order": "1",
            "criteria-0-name_nl": "Circulariteit", "criteria-0-name_en": "Circularity", "criteria-0-weight": "2",
            "criteria-0-max_score": "5"}


def scores_for_ranked_case(world):
    return {f"score_{world.criterion_x.pk}": "4", f"note_{world.criterion_x.pk}": "Sterk plan."}
def yesterday(world):
    return {"received_on": (timezone.localdate() - datetime.timedelta(days=1)).isoformat()}


def posted_today(world):
    return {"posted_on": timezone.localdate().isoformat()}


def letter_texts(world):
    from grants.letter_texts import DEFAULT_BODIES

    return {"body_nl": DEFAULT_BODIES["award"]["nl"] + "\n\nSucces!", "body_en": DEFAULT_BODIES["award"]["en"]}


def pilot_report_draft(world):
    return {"narrative": "De eerste partij hout is hergebruikt.", "rung_achieved": "R3", "lessons_learned": "",
            "costs_spent": "2500.00", "realised_co2_avoided": "1200", "realised_waste_avoided": ""}


def pilot_plan_adjusted(world):
    body = {"determination_request_due_on": "2099-06-30"}
    for report in world.pilot_a.reports.filter(state__in=["due", "returned"]):
        body[f"due_{report.pk}"] = "2099-01-15"
    return body


PILOT_A = {"application_id": "pilot_a_application"}
def redemption_upload(world):
    today = timezone.localdate().isoformat()
    return {"invoice_number": "F-2026-0099", "invoice_date": today,
            "invoice_provider_kvk": world.provider_px.kvk_number, "amount_excl_vat": "2000.00",
            "amount_incl_vat": "2420.00",
            "invoice_file": SimpleUploadedFile("factuur.pdf", factories.PDF_BYTES),
            "deliverable_file": SimpleUploadedFile("scanrapport.pdf", factories.PDF_BYTES)}


def provider_details(world, **changes):
    return {"scheme": world.scheme_x.pk, "name": "Circulair Advies B.V.", "kvk_number": "68750110",
            "contact_email": "info@circulairadvies.example.nl", "services": "Circulaire scan", "region": "Rijnland",
            "active": "on", **changes}


def provider_px_edited(world):
    return provider_details(world, name="Scan Partners Hernoemd B.V.", kvk_number=world.provider_px.kvk_number)


PAGES = {
    # Public pages: anyone, signed in or not. Signed-in users are redirected away from the
    # register and login pages; empty POSTs re-show the forms.
    "home": Page(Rule.PUBLIC, get=EVERYONE, post=EVERYONE),
    "healthz": Page(Rule.PUBLIC, get=EVERYONE, post=EVERYONE),
    "accessibility": Page(Rule.PUBLIC, get=EVERYONE, post=EVERYONE),
    "scheme_list": Page(Rule.PUBLIC, get=EVERYONE, post=EVERYONE),
    "scheme_detail": Page(Rule.PUBLIC, get=EVERYONE, post=EVERYONE, on={"scheme_id": "scheme_x"}),
    # The eligibility check answers GET requests only, so that its answer is a link one can share.
    "eligibility_check": Page(Rule.PUBLIC, get=EVERYONE, post=NOBODY, only="GET"),
    "set_language": Page(Rule.PUBLIC, get=EVERYONE, post=EVERYONE),
    "register": Page(Rule.PUBLIC, get=EVERYONE, post=EVERYONE),
    "verify_email": Page(Rule.PUBLIC, get=EVERYONE, post=EVERYONE, on={"token": "verify_token_a"}),
    "login": Page(Rule.PUBLIC, get=EVERYONE, post=EVERYONE),
    "logout": Page(Rule.PUBLIC, get=EVERYONE, post=EVERYONE),
    "password_reset": Page(Rule.PUBLIC, get=EVERYONE, post=EVERYONE),
    "password_reset_done": Page(Rule.PUBLIC, get=EVERYONE, post=NOBODY, only="GET"),
    "password_reset_confirm": Page(Rule.PUBLIC, get=EVERYONE, post=EVERYONE,
                                   on={"uidb64": "dummy_uidb64", "token": "dummy_reset_token"}),
    "password_reset_complete": Page(Rule.PUBLIC, get=EVERYONE, post=NOBODY, only="GET"),
    # Anyone signed in: their own start page (staff are sent on to the case list), inbox and new company.
    # The account's security: every signed-in user for themselves. The code page sends a verified session
    # on; the set-up page sends a user with an authenticator to the security page; empty POSTs re-show forms.
    # A case's audit trail (Woo export): managers of the case's municipality only; GET only.
    "case_audit_export": Page(Rule.STAFF, get=MANAGER_X, post=NOBODY, on={"application_id": "a_submitted"},
                              only="GET"),
    # Privacy: the statement is public; everyone signed in downloads their own data (GET only by use).
    "privacy_statement": Page(Rule.PUBLIC, get=EVERYONE, post=EVERYONE),
    "my_data_export": Page(Rule.AUTHENTICATED, get=SIGNED_IN, post=SIGNED_IN),
    # OpenID Connect login: off unless configured, so everyone is sent to the password login page here
    # (tests/test_security_oidc.py tests it on).
    "oidc_authentication_init": Page(Rule.PUBLIC, get=NOBODY, post=NOBODY),
    "oidc_authentication_callback": Page(Rule.PUBLIC, get=NOBODY, post=NOBODY),
    "second_factor_verify": Page(Rule.AUTHENTICATED, get=SIGNED_IN, post=SIGNED_IN),
    "second_factor_enrol": Page(Rule.AUTHENTICATED, get=SIGNED_IN, post=SIGNED_IN),
    "account_security": Page(Rule.AUTHENTICATED, get=SIGNED_IN, post=SIGNED_IN),
    "backup_codes_regenerate": Page(Rule.AUTHENTICATED, get=NOBODY, post=SIGNED_IN, only="POST"),
    "second_factor_disable": Page(Rule.AUTHENTICATED, get=NOBODY, post=SIGNED_IN, only="POST"),
    "applicant_home": Page(Rule.AUTHENTICATED, get=SIGNED_IN, post=SIGNED_IN),
    "inbox": Page(Rule.AUTHENTICATED, get=SIGNED_IN, post=SIGNED_IN),
    "company_create": Page(Rule.AUTHENTICATED, get=SIGNED_IN, post=SIGNED_IN, body=company_details,
                           changes=True),
    # One's own inbox item only: applicant A's item is a 404 for everyone else.
    "inbox_item": Page(Rule.AUTHENTICATED, get=OWNER_A, post=OWNER_A, on={"item_id": "inbox_item_a"}),
    # Company A's pages: those who act for it see it; its adviser may not change its details (403).
    # B gets a 404, staff and the superuser a 403.
    "company_edit": Page(Rule.APPLICANT, get=APPLICANT_A, post=OWNER_A, on={"company_id": "company_a"},
                         body=company_a_renamed, changes=True),
    # Owners (and colleagues) invite colleagues; only owners authorise advisers and remove people (never
    # the last owner). The adviser invites and removes nobody (403).
    "company_invite": Action(Rule.APPLICANT, by=OWNER_A, on={"company_id": "company_a"},
                             body={"email": "nieuwe.collega@example.nl", "role": "member"}),
    "company_member_remove": Action(Rule.APPLICANT, by=OWNER_A,
                                    on={"company_id": "company_a", "membership_id": "adviser_a_membership"}),
    # An invitation (applicant B, to become A's adviser) is accepted only by the invited address;
    # anyone else signed in gets a clear 403 page.
    "invitation_accept": Page(Rule.AUTHENTICATED, get=APPLICANT_B, post=APPLICANT_B,
                              on={"token": "invitation_token_b"}, changes=True),
    # The message thread: A writes on A's submitted application, X's officers and managers on X's case.
    "application_message_post": Action(Rule.APPLICANT, by=APPLICANT_A, on={"application_id": "a_submitted"},
                                       body={"body": "Wanneer volgt het besluit?"}),
    "case_message_post": Action(Rule.STAFF, by=CASE_HANDLERS_X, on={"application_id": "a_submitted"},
                                body={"body": "Het besluit volgt binnen twee weken."}),
    "application_detail": Page(Rule.APPLICANT, get=APPLICANT_A, post=APPLICANT_A,
                               on={"application_id": "a_submitted"}),
    # A's draft, step by step, and its review page (a submitted application's steps redirect to its page).
    "application_step": Page(Rule.APPLICANT, get=APPLICANT_A, post=APPLICANT_A,
                             on={"application_id": "a_draft", "step": "first_step"}, body=edited_draft, changes=True),
    "application_review": Page(Rule.APPLICANT, get=APPLICANT_A, post=APPLICANT_A, on={"application_id": "a_draft"}),
    "application_submit": Action(Rule.APPLICANT, by=APPLICANT_A, on={"application_id": "a_draft"},
                                 after=S.SUBMITTED),
    "application_withdraw": Action(Rule.APPLICANT, by=APPLICANT_A, on={"application_id": "a_submitted"},
                                   after=S.WITHDRAWN),
    "application_supply_info": Action(Rule.APPLICANT, by=APPLICANT_A, on={"application_id": "a_info_requested"},
                                      body={"comment": "Hier is de offerte."}, after=S.SUBMITTED),
    # Any applicant may apply to an open scheme, but only for a company they belong to: B posting
    # for company A gets the form back and nothing is created.
    "application_create": Page(Rule.APPLICANT, get=APPLICANTS, post=APPLICANT_A, on={"scheme_id": "scheme_x"},
                               body=new_application_for_company_a, no_effect=APPLICANT_B, changes=True),
    # Staff: the queue is open to every role (an administrator's is empty); a case of X exists only
    # for X's officers and managers (404 for Y, for X's administrator, and for drafts).
    "case_list": Page(Rule.STAFF, get=STAFF, post=STAFF),
    # The queue's bulk assign: officers only; Y's officer reaches it, but X's case is not among Y's cases.
    "case_bulk_assign": Page(Rule.OFFICER, get=frozenset({"officer_x", "officer_y"}),
                             post=OFFICER_X, no_effect=frozenset({"officer_y"}),
                             body=lambda w: {"cases": [w.a_submitted.pk], "assignee": w.officer_x.pk}, changes=True),
    "case_detail": Page(Rule.STAFF, get=CASE_HANDLERS_X, post=CASE_HANDLERS_X, on={"application_id": "a_submitted"}),
    # The officer handles the case; the manager's attempt is turned down by the state machine.
    "case_start_review": Action(Rule.STAFF, by=OFFICER_X, no_effect=MANAGER_X, on={"application_id": "a_submitted"},
                                after=S.IN_REVIEW),
    "case_request_info": Action(Rule.STAFF, by=OFFICER_X, no_effect=MANAGER_X, on={"application_id": "a_in_review"},
                                body={"missing": "De offerte van de adviseur."}, after=S.INFO_REQUESTED),
    "case_propose": Action(Rule.STAFF, by=OFFICER_X, no_effect=MANAGER_X, on={"application_id": "a_in_review"},
                           body=PROPOSAL, after=S.PROPOSED),
    "case_propose_not_considered": Action(Rule.STAFF, by=OFFICER_X, no_effect=MANAGER_X,
                                          on={"application_id": "a_repair_lapsed"},
                                          body={"motivation": "Niet aangevuld binnen de termijn."}, after=S.PROPOSED),
    # The manager decides on the officer's proposal; the officer's attempt is turned down.
    "case_send_back": Action(Rule.STAFF, by=MANAGER_X, no_effect=OFFICER_X, on={"application_id": "a_proposed"},
                             body={"comment": "Motivering aanvullen."}, after=S.IN_REVIEW),
    "case_approve": Action(Rule.STAFF, by=MANAGER_X, no_effect=OFFICER_X, on={"application_id": "a_proposed"},
                           after=S.AWARDED),
    # Assessment: the officer scores X's case on its scheme's criteria (the manager is turned down); the
    # ranking of X's ranking scheme is for X's officers and managers; a manager of X publishes and performs
    # its draws (the officer is turned down); every draw is public.
    "case_score": Action(Rule.STAFF, by=OFFICER_X, no_effect=MANAGER_X, on={"application_id": "a_ranked_in_review"},
                         body=scores_for_ranked_case),
    "scheme_ranking": Page(Rule.STAFF, get=CASE_HANDLERS_X, post=CASE_HANDLERS_X, on={"scheme_id": "scheme_ranked_x"}),
    "draw_publish": Action(Rule.STAFF, by=MANAGER_X, no_effect=OFFICER_X, on={"scheme_id": "scheme_ranked_x"},
                           body={"purpose": "tie_break"}),
    "draw_perform": Action(Rule.STAFF, by=MANAGER_X, no_effect=OFFICER_X, on={"draw_id": "draw_x"}),
    "draw_list": Page(Rule.PUBLIC, get=EVERYONE, post=EVERYONE),
    "draw_detail": Page(Rule.PUBLIC, get=EVERYONE, post=EVERYONE, on={"draw_id": "draw_x"}),
    # Objections (bezwaar): who acts for company A lodges against A's decided application and follows it
    # (B gets a 404, staff a 403); X's officer handles it, a manager of X who did not take the decision
    # decides it; each one's attempt at the other's step is turned down by the state machine.
    "objection_lodge": Page(Rule.APPLICANT, get=APPLICANT_A, post=APPLICANT_A, on={"application_id": "a_rejected"},
                            body={"grounds": "Onze scan is wel circulair."}, changes=True),
    "my_objection": Page(Rule.APPLICANT, get=APPLICANT_A, post=APPLICANT_A, on={"objection_id": "objection_lodged"}),
    "objection_supply_grounds": Action(Rule.APPLICANT, by=APPLICANT_A,
                                       on={"objection_id": "objection_grounds_requested"},
                                       body={"grounds": "Het besluit miskent onze offerte."}),
    "objection_list": Page(Rule.STAFF, get=STAFF, post=STAFF),
    "objection_detail": Page(Rule.STAFF, get=CASE_HANDLERS_X, post=CASE_HANDLERS_X,
                             on={"objection_id": "objection_lodged"}),
    "objection_request_grounds": Action(Rule.STAFF, by=OFFICER_X, no_effect=MANAGER_X,
                                        on={"objection_id": "objection_pro_forma"}),
    "objection_schedule_hearing": Action(Rule.STAFF, by=OFFICER_X, no_effect=MANAGER_X,
                                         on={"objection_id": "objection_lodged"},
                                         body={"date": "2099-01-06", "time": "14:30", "place": "Stadhuis, zaal 2"}),
    "objection_hear": Action(Rule.STAFF, by=OFFICER_X, no_effect=MANAGER_X, on={"objection_id": "objection_lodged"},
                             body={"minutes": "De bezwaarde lichtte het bezwaar toe."}),
    "objection_excuse_delay": Action(Rule.STAFF, by=OFFICER_X, no_effect=MANAGER_X,
                                     on={"objection_id": "objection_late"}, body={"reason": "Ziekenhuisopname."}),
    "objection_extend": Action(Rule.STAFF, by=OFFICER_X, no_effect=MANAGER_X, on={"objection_id": "objection_lodged"},
                               body={"reason": "Advies van de bezwaarcommissie nodig."}),
    "objection_declare_inadmissible": Action(Rule.STAFF, by=MANAGER_X, no_effect=OFFICER_X,
                                             on={"objection_id": "objection_late"},
                                             body={"motivation": "Te laat en niet verschoonbaar."}),
    "objection_propose": Action(Rule.STAFF, by=OFFICER_X, no_effect=MANAGER_X, on={"objection_id": "objection_heard"},
                                body={"outcome": "unfounded", "motivation": "Het besluit blijft in stand."}),
    "objection_send_back": Action(Rule.STAFF, by=MANAGER_X, no_effect=OFFICER_X,
                                  on={"objection_id": "objection_proposed"}, body={"comment": "Hoorverslag erbij."}),
    "objection_decide": Action(Rule.STAFF, by=MANAGER_X, no_effect=OFFICER_X,
                               on={"objection_id": "objection_proposed"}),
    # Attachments: company A's members upload to and remove from A's draft and download A's files
    # (B gets a 404, staff a 403); X's officers and managers download from X's submitted cases.
    "application_attachments": Page(Rule.APPLICANT, get=APPLICANT_A, post=APPLICANT_A,
                                    on={"application_id": "a_draft"}, body=attachment_upload, changes=True),
    "application_attachment_delete": Action(Rule.APPLICANT, by=APPLICANT_A,
                                            on={"application_id": "a_draft", "attachment_id": "attachment_a"}),
    "attachment_download": Page(Rule.APPLICANT, get=APPLICANT_A, post=NOBODY, only="GET",
                                on={"application_id": "a_draft", "attachment_id": "attachment_a"}),
    "case_attachment_download": Page(Rule.STAFF, get=CASE_HANDLERS_X, post=NOBODY, only="GET",
                                     on={"application_id": "a_submitted", "attachment_id": "attachment_a_submitted"}),
    # Scheme configuration: X's functional administrator only; other staff and applicants get a 403.
    "manage_scheme_list": Page(Rule.ADMINISTRATOR, get=ADMINISTRATOR_X, post=ADMINISTRATOR_X),
    "manage_scheme_create": Page(Rule.ADMINISTRATOR, get=ADMINISTRATOR_X, post=ADMINISTRATOR_X,
                                 body=scheme_settings, changes=True),
    "manage_scheme_edit": Page(Rule.ADMINISTRATOR, get=ADMINISTRATOR_X, post=ADMINISTRATOR_X,
                               on={"scheme_id": "scheme_x"}, body=scheme_x_edited, changes=True),
    "manage_scheme_questions": Page(Rule.ADMINISTRATOR, get=ADMINISTRATOR_X, post=ADMINISTRATOR_X,
                                    on={"scheme_id": "scheme_x"}, body=new_question, changes=True),
    # Everyone signed in chooses per category: immediately or in a daily digest.
    "notification_preferences": Page(Rule.AUTHENTICATED, get=SIGNED_IN, post=SIGNED_IN, changes=True,
                                     body={"case_progress": "digest", "messages": "immediate",
                                           "reminders": "digest", "news": "immediate"}),
    # Notification operations: X's administrator sees and retries X's notifications (other staff 403).
    "notification_operations": Page(Rule.ADMINISTRATOR, get=ADMINISTRATOR_X, post=ADMINISTRATOR_X,
                                    body=lambda w: {"ids": [w.failed_outbox_x.pk]}, changes=True),
    "manage_scheme_criteria": Page(Rule.ADMINISTRATOR, get=ADMINISTRATOR_X, post=ADMINISTRATOR_X,
                                   on={"scheme_id": "scheme_x"}, body=new_criterion, changes=True),
    # Decision letters: company A's members download A's sent letters (B a 404, staff a 403); X's officers
    # and managers download every letter of X's cases, and work through X's print-and-post list.
    "application_letter_download": Page(Rule.APPLICANT, get=APPLICANT_A, post=NOBODY, only="GET",
                                        on={"application_id": "a_submitted", "letter_id": "letter_a"}),
    "case_letter_download": Page(Rule.STAFF, get=CASE_HANDLERS_X, post=NOBODY, only="GET",
                                 on={"application_id": "a_submitted", "letter_id": "letter_a"}),
    "letter_post_list": Page(Rule.STAFF, get=STAFF, post=NOBODY, only="GET"),
    "letter_mark_posted": Action(Rule.STAFF, by=CASE_HANDLERS_X, on={"letter_id": "letter_a_post"},
                                 body=posted_today),
    # The officer extends the decision term and registers a notice of default; the manager is turned down.
    "case_extend": Action(Rule.STAFF, by=OFFICER_X, no_effect=MANAGER_X, on={"application_id": "a_in_review"},
                          body={"weeks": "4", "reason": "Extern advies nodig."}, after=S.IN_REVIEW),
    "case_register_default_notice": Action(Rule.STAFF, by=OFFICER_X, no_effect=MANAGER_X,
                                           on={"application_id": "a_in_review"}, body=yesterday,
                                           after=S.IN_REVIEW),
    # Letter texts: X's functional administrator only.
    "manage_letter_templates": Page(Rule.ADMINISTRATOR, get=ADMINISTRATOR_X, post=ADMINISTRATOR_X,
                                    on={"scheme_id": "scheme_x"}),
    "manage_letter_template_edit": Page(Rule.ADMINISTRATOR, get=ADMINISTRATOR_X, post=ADMINISTRATOR_X,
                                        on={"scheme_id": "scheme_x", "kind": "letter_kind"}, body=letter_texts,
                                        changes=True),
    "manage_letter_preview": Page(Rule.ADMINISTRATOR, get=ADMINISTRATOR_X, post=NOBODY, only="GET",
                                  on={"scheme_id": "scheme_x", "kind": "letter_kind"}),
    # Awards of X: X's officers and managers see them (404 for Y and X's administrator). The officer
    # determines and proposes a revocation, a manager (not the proposer) decides on it; the other's
    # attempt is turned down by the state machine.
    "award_detail": Page(Rule.STAFF, get=CASE_HANDLERS_X, post=CASE_HANDLERS_X, on={"award_id": "award_granted"}),
    "award_determine": Action(Rule.STAFF, by=OFFICER_X, no_effect=MANAGER_X, on={"award_id": "award_granted"},
                              body={"amount": "5000.00", "motivation": "Deels uitgevoerd."}),
    "award_revocation_propose": Action(Rule.STAFF, by=OFFICER_X, no_effect=MANAGER_X,
                                       on={"award_id": "award_granted"},
                                       body={"amount": "1000.00", "reason": "Niet alles uitgevoerd."}),
    "award_revocation_approve": Action(Rule.STAFF, by=MANAGER_X, no_effect=OFFICER_X,
                                       on={"award_id": "award_revocation"}),
    "award_revocation_reject": Action(Rule.STAFF, by=MANAGER_X, no_effect=OFFICER_X,
                                      on={"award_id": "award_revocation"}, body={"comment": "Eerst horen."}),
    "recovery_settle": Action(Rule.STAFF, by=OFFICER_X, no_effect=MANAGER_X, on={"award_id": "award_recovery"},
                              body=lambda w: {"recovery": w.recovery.pk, "method": "payment"}),
    # Payments: every staff member has the page (only their municipalities' rows); X's officer prepares a
    # batch (others' POSTs find nothing of theirs to choose, or are refused by the service); a manager of X
    # who did not prepare it approves; X's officers and managers cancel, mark paid and export.
    "payment_list": Page(Rule.STAFF, get=STAFF, post=STAFF),
    "payment_batch_prepare": Action(Rule.STAFF, by=OFFICER_X,
                                    no_effect=MANAGER_X | {"administrator_x", "officer_y", "manager_y"},
                                    on={}, body=lambda w: {"instructions": [w.open_instruction.pk],
                                                           "execution_date": "2099-01-01"}),
    "payment_batch_detail": Page(Rule.STAFF, get=CASE_HANDLERS_X, post=CASE_HANDLERS_X,
                                 on={"batch_id": "batch_prepared"}),
    "payment_batch_approve": Action(Rule.STAFF, by=MANAGER_X, no_effect=OFFICER_X, on={"batch_id": "batch_prepared"}),
    "payment_batch_cancel": Action(Rule.STAFF, by=CASE_HANDLERS_X, on={"batch_id": "batch_prepared"}),
    "payment_batch_paid": Action(Rule.STAFF, by=CASE_HANDLERS_X, on={"batch_id": "batch_approved"},
                                 body=lambda w: {"paid_on": timezone.localdate().isoformat()}),
    "payment_batch_export": Page(Rule.STAFF, get=CASE_HANDLERS_X, post=NOBODY, only="GET",
                                 on={"batch_id": "batch_approved", "fmt": "csv"}),
    # A company's new IBAN waits for a second person: an officer of a municipality that awarded company B (X
    # made B an award; Y's voucher belongs to a third company, so Y's officer has no say over B) ...
    "payment_iban_confirm": Action(Rule.STAFF, by=OFFICER_X, on={"change_id": "iban_change_b"}),
    # ... or another owner. A's page: its people see it, its owner asks for a change, its adviser may not.
    "company_iban": Page(Rule.APPLICANT, get=APPLICANT_A, post=OWNER_A, no_effect=frozenset({"adviser_a"}),
                         on={"company_id": "company_a"}, body={"iban": "NL20INGB0001234567"}, changes=True),
    "company_iban_decide": Action(Rule.APPLICANT, by=APPLICANT_B,
                                  on={"company_id": "company_b", "change_id": "iban_change_b"},
                                  body={"decision": "confirm"}),
    # Budgets: the managers, each of their own municipalities.
    "budget_dashboard": Page(Rule.MANAGER, get=MANAGER_X | {"manager_y"}, post=MANAGER_X | {"manager_y"}),
    "budget_export": Page(Rule.MANAGER, get=MANAGER_X | {"manager_y"}, post=NOBODY, only="GET",
                          on={"what": "ledger", "fmt": "csv"}),
    # Pilot grants after the award (company A's pilot in X). Those who act for A see its pilot page, draft
    # and submit its reports, download their files, request changes and set the showcase consent; B gets a
    # 404, staff a 403.
    "pilot_detail": Page(Rule.APPLICANT, get=APPLICANT_A, post=NOBODY, only="GET", on=PILOT_A),
    "pilot_report_edit": Page(Rule.APPLICANT, get=APPLICANT_A, post=APPLICANT_A,
                              on={**PILOT_A, "report_id": "pilot_report_due"}, body=pilot_report_draft, changes=True),
    "pilot_report_submit": Action(Rule.APPLICANT, by=APPLICANT_A, on={**PILOT_A, "report_id": "pilot_report_ready"}),
    "pilot_report_file": Page(Rule.APPLICANT, get=APPLICANT_A, post=NOBODY, only="GET",
                              on={**PILOT_A, "attachment_id": "pilot_report_file"}),
    "pilot_change_request": Action(Rule.APPLICANT, by=APPLICANT_A, on=PILOT_A,
                                   body={"kind": "change_activities", "description": "Een extra ketenpartner."}),
    "pilot_showcase_consent": Action(Rule.APPLICANT, by=APPLICANT_A, on=PILOT_A,
                                     body={"consent": "on", "summary": "Hout krijgt een tweede leven."}),
    # X's officers and managers see the pilot; the officer adjusts the plan and decides on reports and change
    # requests (the manager's attempt is turned down); both may feature it in the showcase.
    "case_pilot": Page(Rule.STAFF, get=CASE_HANDLERS_X, post=CASE_HANDLERS_X, on=PILOT_A),
    "case_pilot_plan": Action(Rule.STAFF, by=OFFICER_X, no_effect=MANAGER_X, on=PILOT_A, body=pilot_plan_adjusted),
    "case_pilot_report_decide": Action(Rule.STAFF, by=OFFICER_X, no_effect=MANAGER_X,
                                       on={**PILOT_A, "report_id": "pilot_report_submitted"},
                                       body=lambda w: {f"report-{w.pilot_report_submitted.pk}-decision": "accept"}),
    "case_pilot_report_file": Page(Rule.STAFF, get=CASE_HANDLERS_X, post=NOBODY, only="GET",
                                   on={**PILOT_A, "attachment_id": "pilot_report_file"}),
    "case_change_request_decide": Action(Rule.STAFF, by=OFFICER_X, no_effect=MANAGER_X,
                                         on={**PILOT_A, "change_id": "pilot_change_request"},
                                         body=lambda w: {f"change-{w.pilot_change_request.pk}-decision": "approve"}),
    "case_pilot_feature": Action(Rule.STAFF, by=CASE_HANDLERS_X, on=PILOT_A, body={"featured": "on"}),
    # The results dashboard and its export: every manager, each for their own municipalities.
    "results_dashboard": Page(Rule.MANAGER, get=MANAGER_X | {"manager_y"}, post=NOBODY, only="GET"),
    "results_export": Page(Rule.MANAGER, get=MANAGER_X | {"manager_y"}, post=NOBODY, only="GET"),
    # Public: the showcase (opted-in pilots only) and the open subsidy register with its downloads.
    "showcase_list": Page(Rule.PUBLIC, get=EVERYONE, post=NOBODY, only="GET"),
    "showcase_detail": Page(Rule.PUBLIC, get=EVERYONE, post=NOBODY, only="GET", on={"plan_id": "pilot_a"}),
    "subsidy_register": Page(Rule.PUBLIC, get=EVERYONE, post=NOBODY, only="GET"),
    "subsidy_register_csv": Page(Rule.PUBLIC, get=EVERYONE, post=NOBODY, only="GET"),
    "subsidy_register_json": Page(Rule.PUBLIC, get=EVERYONE, post=NOBODY, only="GET"),
    # Vouchers. Company A's voucher is seen (and redeemed) by those who act for A and by the people of its
    # provider (provider_x); everyone else gets a 404, including provider_y of Y's scheme and X's staff (who
    # review it on the staff page). Its files are also downloaded by X's officers and managers.
    "application_provider": Page(Rule.APPLICANT, get=APPLICANT_A, post=APPLICANT_A, on={"application_id": "a_draft"},
                                 body=lambda w: {"provider": w.provider_px.pk}, changes=True),
    "voucher_detail": Page(Rule.AUTHENTICATED, get=APPLICANT_A | PROVIDER_X, post=APPLICANT_A | PROVIDER_X,
                           on={"voucher_id": "voucher_a"}, body=redemption_upload, changes=True),
    "voucher_file": Page(Rule.AUTHENTICATED, get=APPLICANT_A | PROVIDER_X | CASE_HANDLERS_X, post=NOBODY, only="GET",
                         on={"voucher_id": "voucher_a_submitted", "redemption_id": "redemption_a",
                             "kind": "invoice_kind"}),
    # The provider's dashboard: every provider's people see their own vouchers; a lookup is logged, found or not.
    "provider_dashboard": Page(Rule.PROVIDER, get=PROVIDERS, post=PROVIDERS,
                               body=lambda w: {"code": w.voucher_a.code}, changes=True),
    # The officer's voucher pages: the list for all staff (an administrator's is empty), X's vouchers for X's
    # officers and managers; the officer reviews and extends, the manager books the payment.
    "voucher_list": Page(Rule.STAFF, get=STAFF, post=STAFF),
    "voucher_review": Page(Rule.STAFF, get=CASE_HANDLERS_X, post=CASE_HANDLERS_X,
                           on={"voucher_id": "voucher_a_submitted"}),
    "voucher_approve": Action(Rule.STAFF, by=OFFICER_X, no_effect=MANAGER_X, on={"voucher_id": "voucher_a_submitted"}),
    "voucher_return": Action(Rule.STAFF, by=OFFICER_X, no_effect=MANAGER_X, on={"voucher_id": "voucher_a_submitted"},
                             body={"reasons": "Het scanrapport ontbreekt."}),
    "voucher_extend": Action(Rule.STAFF, by=OFFICER_X, no_effect=MANAGER_X, on={"voucher_id": "voucher_a"},
                             body={"until": "2099-12-31", "reason": "De adviseur was ziek."}),
    # Providers: X's officers and administrator approve proposals of X's schemes (404 for the rest).
    "provider_list": Page(Rule.STAFF, get=STAFF, post=STAFF),
    "provider_approve": Action(Rule.STAFF, by=OFFICER_X | ADMINISTRATOR_X, on={"provider_id": "provider_proposed"}),
    "manage_provider_list": Page(Rule.ADMINISTRATOR, get=ADMINISTRATOR_X, post=ADMINISTRATOR_X, body=provider_details,
                                 changes=True),
    "manage_provider_edit": Page(Rule.ADMINISTRATOR, get=ADMINISTRATOR_X, post=ADMINISTRATOR_X,
                                 on={"provider_id": "provider_px"}, body=provider_px_edited, changes=True),
    "manage_voucher_terms": Page(Rule.ADMINISTRATOR, get=ADMINISTRATOR_X, post=ADMINISTRATOR_X,
                                 on={"scheme_id": "scheme_x"}, changes=True,
                                 body={"validity_months": "12", "payee": "company", "invoice_after_award": "on"}),
}

# The Django admin is one group: superusers only (anyone else is sent to the admin's login page).
ADMIN_NAMESPACE = "admin"
ADMIN_PAGES = {
    "admin:index": Page(None, get=SUPERUSER, post=SUPERUSER, login="admin:login"),
    "admin:grants_application_changelist": Page(None, get=SUPERUSER, post=SUPERUSER, login="admin:login"),
    "admin:applicants_company_change": Page(None, get=SUPERUSER, post=SUPERUSER, on={"object_id": "company_a"},
                                            login="admin:login"),
}

TABLE = PAGES | ADMIN_PAGES


# --- the URL walker -----------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Route:
    route: str
    name: str | None  # namespaced: "admin:index"
    namespace: str | None
    callback: object


def walk(patterns=None, prefix="", namespace=None):
    """Every URL pattern of the project, through all includes."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            inner = ":".join(filter(None, [namespace, entry.namespace])) or None
            yield from walk(entry.url_patterns, prefix + str(entry.pattern), inner)
        else:
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            yield Route(prefix + str(entry.pattern), name, namespace, entry.callback)


ROUTES = list(walk())
APP_ROUTES = [r for r in ROUTES if r.namespace != ADMIN_NAMESPACE]
ADMIN_ROUTES = [r for r in ROUTES if r.namespace == ADMIN_NAMESPACE]


@pytest.mark.parametrize("route", APP_ROUTES, ids=lambda r: r.name or r.route)
def test_every_url_declares_its_rule_and_has_an_expectation(route):
    assert route.name, f"URL pattern {route.route!r} has no name, so it cannot be in the permission table"
    rule = getattr(route.callback, "access_rule", None)
    assert isinstance(rule, Rule), f"{route.name} ({route.route}) declares no rule: decorate it with @require(Rule.X)"
    assert route.name in PAGES, f"{route.name} ({route.route}) has no entry in PAGES: declare who may GET and POST it"
    expected = PAGES[route.name].rule
    assert rule == expected, f"{route.name} declares {rule!r}, the table expects {expected!r}"


def test_the_table_names_only_existing_urls():
    walked = {r.name for r in ROUTES}
    assert not set(TABLE) - walked, f"stale table entries: {sorted(set(TABLE) - walked)}"


def test_the_admin_group_is_seen_and_sampled():
    assert ADMIN_ROUTES, "the walker found no admin patterns"
    assert all(r.route.startswith("admin/") for r in ADMIN_ROUTES)
    assert set(ADMIN_PAGES) <= {r.name for r in ADMIN_ROUTES}


# --- the world ----------------------------------------------------------------------------------

STATES = ("draft", "submitted", "in_review", "proposed", "info_requested")


def build_world():
    w = SimpleNamespace()
    # The same municipalities as the org_x and org_y fixtures (OrganisationFactory gets them by slug).
    w.org_x = factories.OrganisationFactory(name="Gemeente Alphen", slug="alphen", code="ALP")
    w.org_y = factories.OrganisationFactory(name="Gemeente Gouda", slug="gouda", code="GOU")
    # Company A holds several pending applications in it and may still submit its draft.
    w.scheme_x = factories.SchemeFactory(organisation=w.org_x, max_awards_per_company=10)
    w.scheme_y = factories.SchemeFactory(organisation=w.org_y)
    w.company_a = factories.CompanyFactory(name="Bedrijf A B.V.")
    w.company_b = factories.CompanyFactory(name="Bedrijf B B.V.")

    w.applicant_a = factories.ApplicantFactory(company=w.company_a)
    w.applicant_b = factories.ApplicantFactory(company=w.company_b)
    w.adviser_a = factories.make_member(w.company_a, CompanyMembership.Role.ADVISER)
    w.adviser_a_membership = CompanyMembership.objects.get(user=w.adviser_a)
    w.officer_x = factories.make_staff(w.org_x, StaffRole.OFFICER)
    w.manager_x = factories.make_staff(w.org_x, StaffRole.MANAGER)
    w.administrator_x = factories.make_staff(w.org_x, StaffRole.ADMINISTRATOR)
    w.officer_y = factories.make_staff(w.org_y, StaffRole.OFFICER)
    w.manager_y = factories.make_staff(w.org_y, StaffRole.MANAGER)
    w.superuser = factories.UserFactory(is_superuser=True, is_staff=True)
    # Both officer and manager of X: proposes, and so may not approve (four-eyes).
    w.officer_manager_x = factories.make_staff(w.org_x, StaffRole.OFFICER)
    StaffMembership.objects.create(user=w.officer_manager_x, organisation=w.org_x, role=StaffRole.MANAGER)

    # Applications of A and B in X's scheme, one per state: a_draft, a_submitted, ..., b_info_requested.
    for key, company, applicant in (("a", w.company_a, w.applicant_a), ("b", w.company_b, w.applicant_b)):
        for state in STATES:
            extra = {state: True} if state != "draft" else {}
            if state == "proposed":
                extra["proposed_by"] = w.officer_x
            setattr(w, f"{key}_{state}", factories.ApplicationFactory(
                scheme=w.scheme_x, company=company, created_by=applicant, **extra))
    factories.complete_application(w.a_draft)  # so that its submit goes through (grants.eligibility)
    w.a_proposed_by_officer_manager = factories.ApplicationFactory(
        scheme=w.scheme_x, company=w.company_a, created_by=w.applicant_a, proposed=True,
        proposed_by=w.officer_manager_x)
    w.b_in_y = factories.ApplicationFactory(scheme=w.scheme_y, company=w.company_b, created_by=w.applicant_b,
                                            submitted=True)
    # Information requested three weeks ago, not supplied before the deadline: may be "not considered".
    today = timezone.localdate()
    w.a_repair_lapsed = factories.ApplicationFactory(
        scheme=w.scheme_x, company=w.company_a, created_by=w.applicant_a, info_requested=True,
        info_requested_on=today - datetime.timedelta(days=21), repair_due_on=today - datetime.timedelta(days=7))
    # A ranking scheme of X after its closing date, with one criterion: A's case in review is not scored
    # yet; two of B's are, equally, so their tie needs a draw. A published draw waits in X's voucher scheme.
    w.scheme_ranked_x = factories.SchemeFactory(
        organisation=w.org_x, distribution="ranking", opens_on=today - datetime.timedelta(days=60),
        closes_on=today - datetime.timedelta(days=1), max_awards_per_company=10)
    w.criterion_x = factories.CriterionFactory(scheme=w.scheme_ranked_x)
    w.a_ranked_in_review = factories.ApplicationFactory(
        scheme=w.scheme_ranked_x, company=w.company_a, created_by=w.applicant_a, in_review=True)
    for _ in range(2):
        tied = factories.ApplicationFactory(scheme=w.scheme_ranked_x, company=w.company_b,
                                            created_by=w.applicant_b, in_review=True)
        factories.ScoreFactory(application=tied, criterion=w.criterion_x, score=3, scored_by=w.officer_x)
    seed = draws.new_seed()
    w.draw_x = Draw.objects.create(scheme=w.scheme_x, purpose="lottery", seed=seed, seed_hash=draws.seed_hash(seed),
                                   participants=sorted([w.a_submitted.reference, w.b_submitted.reference]),
                                   published_by=w.manager_x)
    w.x_cases_of_a = [getattr(w, f"a_{state}") for state in STATES if state != "draft"]
    w.x_cases_of_a += [w.a_proposed_by_officer_manager, w.a_repair_lapsed, w.a_ranked_in_review]
    w.x_cases_of_a += [w.a_proposed_by_officer_manager, w.a_repair_lapsed]
    # Decided applications of A (by a manager outside the world) and objections against them, one per state.
    w.a_rejected = factories.ApplicationFactory(scheme=w.scheme_x, company=w.company_a, created_by=w.applicant_a,
                                                rejected=True)
    for key, traits in (("lodged", {}), ("pro_forma", {"pro_forma": True}),
                        ("grounds_requested", {"grounds_requested": True}), ("heard", {"heard": True}),
                        ("proposed", {"proposed": True}), ("late", {"late": True})):
        decided = factories.ApplicationFactory(scheme=w.scheme_x, company=w.company_a, created_by=w.applicant_a,
                                               rejected=True)
        setattr(w, f"objection_{key}", factories.ObjectionFactory(application=decided, **traits))
    w.attachment_a = factories.AttachmentFactory(application=w.a_draft, uploaded_by=w.applicant_a)
    w.attachment_a_submitted = factories.AttachmentFactory(application=w.a_submitted, uploaded_by=w.applicant_a)

    w.letter_a = factories.DecisionLetterFactory(application=w.a_submitted, issued_by=w.manager_x)
    w.letter_a_post = factories.DecisionLetterFactory(application=w.a_submitted, issued_by=w.manager_x, by_post=True)
    w.letter_kind = "award"

    outbox = Outbox.objects.create(event="application_submitted", recipient=w.applicant_a,
                                   email=w.applicant_a.email, status=OutboxStatus.SENT,
                                   url=reverse("application_detail", args=[w.a_submitted.pk]))
    w.inbox_item_a = InboxItem.objects.create(user=w.applicant_a, outbox=outbox, subject="Aanvraag ontvangen",
                                              body="Wij hebben uw aanvraag ontvangen.", url=outbox.url)

    w.failed_outbox_x = Outbox.objects.create(
        event="application_submitted", recipient=w.applicant_a, email=w.applicant_a.email, organisation=w.org_x,
        status=OutboxStatus.FAILED, attempts=5, last_error="451 4.3.0 Mail server temporarily rejected message")

    w.invitation_token_b = invitation_token(CompanyInvitation.objects.create(
        company=w.company_a, email=w.applicant_b.email, role="adviser", invited_by=w.applicant_a))
    w.verify_token_a = signing.dumps({"user": w.applicant_a.pk, "email": w.applicant_a.email}, salt=VERIFY_SALT)
    w.dummy_uidb64 = "MA"
    w.first_step = "project"
    w.dummy_reset_token = "abc-0123456789abcdef"
    build_payments_world(w)
    return w


def build_payments_world(w):
    """Awards of company C in X (granted, revocation proposed, with an open recovery), batches of X
    (prepared, approved), one open payment, and a pending IBAN change of company B (B has an award in X)."""
    from grants.models import Recovery
    from workflows.services import award_propose_revocation, batch_approve, batch_prepare

    # Company C holds X's awards, so that company A may still apply (the scheme's awards per company).
    w.company_c = factories.CompanyFactory(name="Bedrijf C B.V.")

    def award(amount, company=None):
        return factories.make_award(w.scheme_x, amount, company=company or w.company_c, manager=w.manager_x)

    w.award_granted = award("6000.00")  # at or above the direct determination threshold: to be determined
    w.award_revocation = award("7000.00")
    award_propose_revocation(award_id=w.award_revocation.pk, actor=w.officer_x, amount=0, reason="Niet uitgevoerd.")
    w.award_recovery = award("1100.00")
    w.recovery = Recovery.objects.create(award=w.award_recovery, amount="100.00", reason="Te veel betaald",
                                         idempotency_key="world:recovery")
    w.open_instruction = award("1300.00").payment_instructions.get()
    w.batch_prepared = batch_prepare(organisation_id=w.org_x.pk, actor=w.officer_x,
                                     instruction_ids=[award("1500.00").payment_instructions.get().pk])
    w.batch_approved = batch_prepare(organisation_id=w.org_x.pk, actor=w.officer_x,
                                     instruction_ids=[award("1400.00").payment_instructions.get().pk])
    batch_approve(batch_id=w.batch_approved.pk, actor=w.manager_x)
    award("1200.00", company=w.company_b)
    second_owner_b = factories.make_member(w.company_b, CompanyMembership.Role.OWNER)
    w.iban_change_b = IbanChange.objects.create(company=w.company_b, old_iban=w.company_b.iban,
                                                new_iban="NL69INGB0123456789", requested_by=second_owner_b)
    w.csv = "csv"
    w.ledger = "ledger"
    build_pilot(w)
    return w


def build_pilot(w):
    """Company A's awarded pilot in X, opted in to the showcase: a due report, one ready to submit, a
    submitted one with a file, and a change request awaiting the officer."""
    from grants.models import ReportAttachment, ReportingPlan, SchemeKind
    from workflows import services

    scheme = factories.SchemeFactory(organisation=w.org_x, kind=SchemeKind.PILOT, max_amount=50000,
                                     progress_report_months=3)
    w.pilot_a = factories.awarded_pilot(scheme=scheme, company=w.company_a, created_by=w.applicant_a)
    ReportingPlan.objects.filter(pk=w.pilot_a.pk).update(showcase_consent=True)
    w.pilot_a_application = w.pilot_a.application
    w.pilot_report_due, w.pilot_report_ready, w.pilot_report_submitted = w.pilot_a.reports.order_by("due_on")[:3]
    for report in (w.pilot_report_ready, w.pilot_report_submitted):
        services.report_save(report_id=report.pk, actor=w.applicant_a, narrative="Gedaan.", rung_achieved="R3",
                             lessons_learned="", costs_spent=None, realised={})
    services.report_submit(report_id=w.pilot_report_submitted.pk, actor=w.applicant_a)
    w.pilot_report_file = ReportAttachment.objects.create(
        report=w.pilot_report_submitted, original_name="foto.pdf", content_type="application/pdf",
        size=len(factories.PDF_BYTES), uploaded_by=w.applicant_a,
        file=SimpleUploadedFile("foto.pdf", factories.PDF_BYTES))
    w.pilot_change_request = services.change_request_submit(
        application_id=w.pilot_a_application.pk, actor=w.applicant_a, kind="change_budget",
        description="Meer budget voor materiaal.")
    build_vouchers(w)
    return w


def build_vouchers(w):
    """Voucher providers of X's and Y's schemes with a person each, company A's vouchers in X (issued, a
    redemption submitted, redeemed), one of a third company in Y and a proposal awaiting approval."""
    from grants.models import ProviderChoice, VoucherState

    w.provider_px = factories.ProviderFactory(scheme=w.scheme_x, name="Scan Partners X B.V.")
    w.provider_py = factories.ProviderFactory(scheme=w.scheme_y, name="Scan Partners Y B.V.")
    w.provider_proposed = factories.ProviderFactory(scheme=w.scheme_x, proposed=True, proposed_by=w.applicant_a)
    w.provider_x = factories.make_provider_user(w.provider_px)
    w.provider_y = factories.make_provider_user(w.provider_py)
    # X's scheme now works with providers: its proposed awards need a chosen provider to be approved.
    for application in (w.a_proposed, w.b_proposed, w.a_proposed_by_officer_manager):
        ProviderChoice.objects.create(application=application, provider=w.provider_px)
    w.voucher_a = factories.issued_voucher(w.scheme_x, provider=w.provider_px, company=w.company_a)
    w.voucher_a_submitted = factories.issued_voucher(w.scheme_x, provider=w.provider_px, company=w.company_a,
                                                     state=VoucherState.REDEMPTION_SUBMITTED)
    w.redemption_a = factories.RedemptionFactory(voucher=w.voucher_a_submitted, submitted_by=w.applicant_a)
    w.voucher_a_redeemed = factories.issued_voucher(w.scheme_x, provider=w.provider_px, company=w.company_a,
                                                    state=VoucherState.REDEEMED, determined_amount="1200.00")
    # A company of its own: an issued voucher is an award, and an award of company B in Y would make B's
    # IBAN change Y's business too (payment_iban_confirm).
    w.voucher_y = factories.issued_voucher(w.scheme_y, provider=w.provider_py,
                                           company=factories.CompanyFactory(name="Bedrijf C B.V."))
    w.invoice_kind = "invoice"


HANDLER = Client(enforce_csrf_checks=False).handler


@pytest.fixture(scope="module")
def world_media(tmp_path_factory):
    return tmp_path_factory.mktemp("world-files")


@pytest.fixture(autouse=True)
def _media_root(settings, world_media):
    """Overrides conftest's: the world's attachment files are written once, so every test reads them there."""
    settings.MEDIA_ROOT = world_media


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, world_media):
    """Built once for the module inside a transaction that is rolled back at its end; each test
    runs in a savepoint of its own (the ``db`` fixture), so what one test changes, the next never sees."""
    with django_db_blocker.unblock(), transaction.atomic():
        # The actors are logged in with force_login: their passwords need not cost a slow hash.
        with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
                               MEDIA_ROOT=world_media):
            built = build_world()
        # One session per actor, logged in once; a test that ends or changes it is rolled back.
        built.sessions = {}
        for actor in (*ACTORS[1:], "officer_manager_x"):
            client = Client()
            client.handler = HANDLER
            client.force_login(getattr(built, actor))
            built.sessions[actor] = client.cookies[settings.SESSION_COOKIE_NAME].value
        yield built
        transaction.set_rollback(True)


def test_world_is_built_on_the_conftest_municipalities(world, org_x, org_y):
    assert (org_x.pk, org_y.pk) == (world.org_x.pk, world.org_y.pk)


# --- helpers ------------------------------------------------------------------------------------


def client_for(world, actor):
    client = Client(enforce_csrf_checks=False)
    # One request handler for the module: its middleware (and WhiteNoise's scan of the static
    # files) is built once instead of once per test. It keeps no state between requests.
    client.handler = HANDLER
    if actor != "anonymous":
        client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[actor]
    return client


def url_for(world, name, page, **overrides):
    kwargs = {}
    for argument, key in page.on.items():
        value = overrides.get(argument, getattr(world, key))
        kwargs[argument] = getattr(value, "pk", value)
    return reverse(name, kwargs=kwargs)


def body_for(world, page):
    return page.body(world) if callable(page.body) else page.body


def snapshot():
    """Every row of every table, by model and pk: so the row counts, each application's state and
    the budget totals (and any edited title or company detail) are all in it. Sessions are only
    counted: SessionRefreshMiddleware renews their expiry now and then, refused or not.
    Raw SQL keeps it quick (no field conversion); values are compared as the database stores them."""
    rows = {}
    with connection.cursor() as cursor:
        for model in apps.get_models(include_auto_created=True):
            table, pk = connection.ops.quote_name(model._meta.db_table), model._meta.pk.column
            if model is Session:
                cursor.execute(f"SELECT COUNT(*) FROM {table}")
                rows[model._meta.label] = cursor.fetchone()[0]
                continue
            cursor.execute(f"SELECT * FROM {table}")
            columns = [column[0] for column in cursor.description]
            rows[model._meta.label] = {
                row[columns.index(pk)]: dict(zip(columns, row, strict=True)) for row in cursor.fetchall()
            }
    return rows


def differences(before, after):
    """Readable lines: "grants.Application #3: state 'proposed' -> 'awarded'", "notifications.Outbox: 2 -> 3 rows"."""
    lines = []
    for label, old in before.items():
        new = after[label]
        if old == new:
            continue
        if isinstance(old, int) or len(old) != len(new):
            lines.append(f"{label}: {old if isinstance(old, int) else len(old)} -> "
                         f"{new if isinstance(new, int) else len(new)} rows")
            continue
        for pk, row in old.items():
            changed = {k: (v, new[pk][k]) for k, v in row.items() if new[pk][k] != v}
            if changed:
                lines.append(f"{label} #{pk}: " + ", ".join(f"{k} {a!r} -> {b!r}" for k, (a, b) in changed.items()))
    return lines


def is_login_redirect(response, page):
    return response.status_code == 302 and urlparse(response.url).path == reverse(page.login)


def is_refusal(response, page):
    return response.status_code in (403, 404) or is_login_redirect(response, page)


def is_allowed(response, page, method):
    if is_refusal(response, page):
        return False
    if response.status_code == 400:
        return method == "POST"
    return response.status_code == 200 or 300 <= response.status_code < 400


def describe(response):
    where = f" -> {response.url}" if 300 <= response.status_code < 400 else ""
    return f"{response.status_code}{where}"


# --- the matrix ---------------------------------------------------------------------------------

ALLOWED, REFUSED, METHOD_NOT_ALLOWED, REFUSED_OR_405, NO_EFFECT = (
    "allowed", "refused", "405", "refused or 405", "no effect")


def expectation(page, actor, method):
    if page.only and method != page.only:
        # Who passes the rule hears 405 before any object is looked up; that reveals nothing.
        return METHOD_NOT_ALLOWED if actor in page.get | page.post | page.no_effect else REFUSED_OR_405
    if method == "GET":
        return ALLOWED if actor in page.get else REFUSED
    if actor in page.post:
        return ALLOWED
    return NO_EFFECT if actor in page.no_effect else REFUSED


MATRIX = [
    pytest.param(name, actor, method, id=f"{name}-{actor}-{method}")
    for name in TABLE
    for actor in ACTORS
    for method in ("GET", "POST")
]


@pytest.mark.parametrize(("name", "actor", "method"), MATRIX)
def test_matrix(world, db, name, actor, method):
    page = TABLE[name]
    client = client_for(world, actor)
    url = url_for(world, name, page)
    expected = expectation(page, actor, method)
    before = snapshot()

    response = client.get(url) if method == "GET" else client.post(url, body_for(world, page))

    changes = differences(before, snapshot())
    said = f"{method} {url} as {actor}: {describe(response)}, expected {expected}"
    if expected == ALLOWED:
        assert is_allowed(response, page, method), said
        if method == "POST" and page.changes:
            assert changes, f"{said}, but nothing changed"
        if method == "POST" and page.after:
            application = Application.objects.get(pk=getattr(world, page.on["application_id"]).pk)
            assert application.state == page.after, f"{said}, but the state is {application.state}"
    elif expected == METHOD_NOT_ALLOWED:
        assert response.status_code == 405, said
    elif expected == REFUSED_OR_405:
        assert is_refusal(response, page) or response.status_code == 405, said
    elif expected == REFUSED:
        assert is_refusal(response, page), said
        if actor == "anonymous":
            assert is_login_redirect(response, page), f"{said}: anonymous visitors go to the login page"
    else:  # NO_EFFECT
        assert response.status_code < 500 and not is_login_redirect(response, page), said
    if expected != ALLOWED:
        assert not changes, f"{said}, but the database changed: " + "; ".join(changes)


# --- the tenant rules, one by one ---------------------------------------------------------------

CASE_URLS = [name for name, page in PAGES.items() if name.startswith("case_") and "application_id" in page.on]
APPLICATION_URLS = [name for name, page in PAGES.items() if name.startswith("application_")
                    and "application_id" in page.on]


def request(client, method, url, body=None):
    return client.get(url) if method == "GET" else client.post(url, body or {})


@pytest.mark.parametrize("actor", ["officer_y", "manager_y"])
@pytest.mark.parametrize("name", CASE_URLS)
def test_other_municipality_gets_404_on_every_case_of_x(world, db, name, actor):
    client = client_for(world, actor)
    page = PAGES[name]
    before = snapshot()
    for case in world.x_cases_of_a + [getattr(world, f"b_{state}") for state in STATES if state != "draft"]:
        url = url_for(world, name, page, application_id=case)
        response = client.post(url, body_for(world, page))
        assert response.status_code == 404, f"POST {url} ({case.state}) as {actor}: {describe(response)}"
        if page.only != "POST":
            response = client.get(url)
            assert response.status_code == 404, f"GET {url} ({case.state}) as {actor}: {describe(response)}"
    assert not differences(before, snapshot())


@pytest.mark.parametrize("name", APPLICATION_URLS + ["company_edit", "company_invite", "company_member_remove"])
def test_applicant_b_gets_404_on_company_a_pages(world, db, name):
    client = client_for(world, "applicant_b")
    page = PAGES[name]
    targets = ([world.company_a] if name.startswith("company_")
               else [getattr(world, f"a_{state}") for state in STATES])
    before = snapshot()
    for target in targets:
        url = url_for(world, name, page, **{next(iter(page.on)): target})
        response = client.post(url, body_for(world, page))
        assert response.status_code == 404, f"POST {url} as applicant_b: {describe(response)}"
        if page.only != "POST":
            response = client.get(url)
            assert response.status_code == 404, f"GET {url} as applicant_b: {describe(response)}"
    assert not differences(before, snapshot())


PRIVATE_ROUTES = [r for r in APP_ROUTES if r.route.startswith(("mijn/", "behandeling/", "berichten/"))]


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("route", PRIVATE_ROUTES, ids=lambda r: r.route)
def test_anonymous_is_sent_to_login_for_private_pages(world, db, route, method):
    page = PAGES.get(route.name)
    assert page, f"{route.name} has no entry in PAGES"
    url = url_for(world, route.name, page)
    response = request(client_for(world, "anonymous"), method, url, body_for(world, page))
    assert response.status_code == 302, f"{method} {url}: {describe(response)}"
    assert response.url == f"{reverse('login')}?next={url}", f"{method} {url}: {describe(response)}"


def test_four_eyes_manager_cannot_approve_his_own_proposal(world, db):
    case = world.a_proposed_by_officer_manager
    client = client_for(world, "officer_manager_x")
    before = snapshot()
    response = client.post(reverse("case_approve", args=[case.pk]))
    assert response.status_code == 302 and response.url == reverse("case_detail", args=[case.pk])
    assert not differences(before, snapshot())
    case.refresh_from_db()
    assert case.state == S.PROPOSED and case.decided_by_id is None
    # Another manager of X may.
    client_for(world, "manager_x").post(reverse("case_approve", args=[case.pk]))
    case.refresh_from_db()
    assert case.state == S.AWARDED and case.decided_by_id == world.manager_x.pk


def test_four_eyes_holds_for_a_proposal_made_through_the_page(world, db):
    case = world.a_in_review
    client = client_for(world, "officer_manager_x")
    client.post(reverse("case_propose", args=[case.pk]), PROPOSAL)
    case.refresh_from_db()
    assert case.state == S.PROPOSED and case.proposed_by_id == world.officer_manager_x.pk
    before = snapshot()
    client.post(reverse("case_approve", args=[case.pk]))
    client.post(reverse("case_send_back", args=[case.pk]), {"comment": "Zelf terugsturen."})
    assert not differences(before, snapshot())
    case.refresh_from_db()
    assert case.state == S.PROPOSED


def test_officer_cannot_approve(world, db):
    case = world.a_proposed
    client = client_for(world, "officer_x")
    before = snapshot()
    response = client.post(reverse("case_approve", args=[case.pk]))
    assert response.status_code == 302
    assert not differences(before, snapshot())
    case.refresh_from_db()
    assert case.state == S.PROPOSED


@pytest.mark.parametrize("actor", sorted(CASE_HANDLERS_X))
def test_drafts_are_invisible_to_staff(world, db, actor):
    client = client_for(world, actor)
    before = snapshot()
    for draft in (world.a_draft, world.b_draft):
        url = reverse("case_detail", args=[draft.pk])
        assert client.get(url).status_code == 404, f"GET {url} as {actor}"
        for name in CASE_URLS:
            url = url_for(world, name, PAGES[name], application_id=draft)
            response = client.post(url, body_for(world, PAGES[name]))
            assert response.status_code == 404, f"POST {url} as {actor}: {describe(response)}"
    assert not differences(before, snapshot())
    listed = client.get(reverse("case_list")).context["page"].object_list
    assert world.a_draft not in listed and world.b_draft not in listed
    assert world.b_in_y not in listed and world.a_submitted in listed


def test_a_case_of_y_is_invisible_to_x(world, db):
    url = reverse("case_detail", args=[world.b_in_y.pk])
    for actor in ("officer_x", "manager_x"):
        assert client_for(world, actor).get(url).status_code == 404, actor
    assert client_for(world, "officer_y").get(url).status_code == 200


def test_drafts_are_invisible_to_staff_who_are_also_members_of_the_company(world, db):
    # An officer of X who is also a member of company A sees A's draft as an applicant, never as a case.
    CompanyMembership.objects.create(user=world.officer_x, company=world.company_a)
    client = client_for(world, "officer_x")
    assert client.get(reverse("application_detail", args=[world.a_draft.pk])).status_code == 200
    response = client.get(reverse("case_detail", args=[world.a_draft.pk]))
    assert response.status_code == 404, f"case_detail of a draft as officer_x (member of A): {describe(response)}"
    assert world.a_draft not in client.get(reverse("case_list")).context["page"].object_list


def test_staff_never_handle_their_own_companys_application(world, db):
    # Conflict of interest: an officer of X who is a member of company A may not start A's review.
    CompanyMembership.objects.create(user=world.officer_x, company=world.company_a)
    case = world.a_submitted
    client_for(world, "officer_x").post(reverse("case_start_review", args=[case.pk]))
    case.refresh_from_db()
    assert case.state == "submitted"


def test_admin_site_refuses_staff_flag_without_superuser(world, db):
    world.manager_x.is_staff = True
    world.manager_x.save()
    response = client_for(world, "manager_x").get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


# --- the admin group, pattern by pattern ---------------------------------------------------------

# The admin's own doors: its login page is open to all; its logout sends visitors to the index.
ADMIN_DOORS = {"admin:login", "admin:logout"}


def admin_url(route):
    """A URL for any admin pattern: path converters become 1, the regex ones get a fitting value."""
    if route.name == "admin:app_list":
        return reverse(route.name, kwargs={"app_label": "grants"})
    if "(?P<url>" in route.route:  # the catch-all
        return "/admin/no-such-page/"
    return "/" + re.sub(r"<[^>]+>", "1", route.route)


@pytest.mark.parametrize("route", [r for r in ADMIN_ROUTES if r.name not in ADMIN_DOORS],
                         ids=lambda r: r.name or r.route)
def test_every_admin_url_sends_all_but_superusers_to_the_admin_login(world, db, route):
    url = admin_url(route)
    for actor in ("anonymous", "administrator_x"):
        client = client_for(world, actor)
        before = snapshot()
        for method in ("GET", "POST"):
            response = request(client, method, url)
            assert is_login_redirect(response, ADMIN_PAGES["admin:index"]), (
                f"{method} {url} as {actor}: {describe(response)}, expected the admin login")
        assert not differences(before, snapshot())
