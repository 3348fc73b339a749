"""Property-based fuzzing of every POST form and of the key services (issue 12, item 7).

Every URL of the permission matrix (``tests/test_permission_matrix.py``) that some actor may POST to and
that handles its own form is fuzzed: one actor allowed to POST it sends hypothesis-generated bodies, made
of hostile values (unicode with RTL marks, emoji, NUL and control characters; huge, negative and
non-finite numbers such as ``1e309`` and ``NaN``; impossible dates like ``2026-02-30``; very long strings;
lists where one value is expected; missing fields) for the field names the page's own form declares (its
``name=`` attributes) and those of the matrix's valid body. Some bodies are the valid body with a few
fields replaced, so that the hostile value meets the deeper validation too.

Each example runs in a savepoint that is rolled back, against the matrix's ``world``. What must hold:

* never a 5xx (and never an exception out of the view);
* a form shown again (200 or 400) changed nothing and shows a message at a field (or a form's summary);
* a redirect either saved something or says why not (a message);
* a response that shows an error saved nothing: no partial save.

The services that stand behind staff forms are also called directly with hostile keyword values: they
raise ``TransitionRefused`` or ``ValidationError`` (never another exception) and write nothing.
"""

import datetime
import re
from decimal import Decimal
from html.parser import HTMLParser
from urllib.parse import urlparse

import pytest
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import test_permission_matrix as matrix
from tests.test_permission_matrix import PAGES, body_for, client_for, differences, snapshot, url_for
from workflows.exceptions import TransitionRefused

# The matrix's world and its media folder, shared as fixtures of this module too.
world, world_media, _media_root = matrix.world, matrix.world_media, matrix._media_root

# --- hostile values -----------------------------------------------------------------------------

NASTY = [
    "", " ", "\x00", "a\x00b", "\x1b[31m", "\r\n", "\t", "\u202eevil\u202c", "\u200f\u05e9\u05dc\u05d5\u05dd",
    "\u0645\u0631\u062d\u0628\u0627", "\U0001f600" * 20, "\ufeff", "Z\u0351\u0360\u0361a\u0352l\u0353go",
    "0", "-0", "-1", "-0.01", "0.001", "1e309", "-1e309", "1e-309", "NaN", "nan", "-NaN", "Infinity", "-Infinity",
    "inf", "1,5", "1.234,56", "\u0661\u0662\u0663", "\uff11\uff12", "99999999999999999999999999999999",
    "-99999999999999999999999999999999", "2147483648", "-2147483649", "9223372036854775808",
    "18446744073709551616", "1" * 400, "0x10", "1_000", " 12 ", "+5",
    "2026-02-30", "2026-13-01", "2026-00-10", "0000-00-00", "0001-01-01", "9999-12-31", "10000-01-01",
    "-2026-01-01", "2026-2-3", "30-02-2026", "31/12/2099", "24:00", "25:61", "2026-02-29T25:00",
    "on", "off", "true", "None", "null", "[]", "{}", "<script>alert(1)</script>", "' OR 1=1 --",
    "../../etc/passwd", "%00", "a" * 5000, "\u00e9" * 3000, "x" * 100_001,
]

SCALAR = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=40),  # every unicode category hypothesis has, control characters and NUL included
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
    st.decimals(allow_nan=True, allow_infinity=True, places=None).map(str),
    st.floats().map(repr),
    st.dates(min_value=datetime.date(1, 1, 1)).map(datetime.date.isoformat),
)
VALUE = st.one_of(SCALAR, SCALAR, st.lists(SCALAR, max_size=3))  # an empty list is a missing field


def bodies(fields, valid):
    """Wholly hostile bodies (any field may be missing), and the valid body with a few fields made hostile."""
    hostile = st.fixed_dictionaries({}, optional={name: VALUE for name in fields})
    if not valid:
        return hostile
    names = sorted(set(fields) | set(valid))
    mutated = st.lists(st.tuples(st.sampled_from(names), VALUE), min_size=1, max_size=3).map(
        lambda changes: {**valid, **dict(changes)})
    return st.one_of(hostile, mutated)


# --- which forms: every URL some actor may POST to, with its own form -----------------------------

# One actor who may POST, preferring the one who does the work (anonymous for the public forms) ...
PREFERENCE = ("anonymous", "officer_x", "manager_x", "administrator_x", "applicant_a", "provider_x", "applicant_b")
# ... except where that one never sees the form: staff have a second factor already, so an applicant
# without one sets it up.
ACTOR = {"second_factor_enrol": "applicant_a"}
# POST-allowed pages without a form that posts to themselves: their forms post to the action URLs, which
# are fuzzed on their own; the test checks that each of these still has no form of its own.
NOT_FORMS = {
    "accessibility", "account_security", "applicant_home", "application_detail", "application_review",
    "award_detail", "budget_dashboard", "case_detail", "case_list", "case_pilot", "draw_detail", "draw_list",
    "healthz", "home", "inbox", "inbox_item", "manage_letter_templates", "manage_scheme_list", "my_data_export",
    "my_objection", "objection_detail", "objection_list", "payment_batch_detail", "payment_list",
    "privacy_statement", "provider_list", "scheme_detail", "scheme_list", "scheme_ranking", "voucher_list",
    "voucher_review",
    # Signed links: with the world's dummy token the page explains the link is not valid (no form).
    "password_reset_confirm", "verify_email",
    # Every actor of the world has a verified session or no authenticator: the code page sends them on.
    "second_factor_verify",
    # Ends the session whatever is posted; Django's language switch (a cookie, any value falls back).
    "logout", "set_language",
}
# Fields no form has, posted to every one of them: a model field a request must never set.
INTRUDERS = ("state", "decided_by", "organisation", "is_superuser", "amount", "id")
# Forms answered on their own page, saving nothing: a letter's preview, a provider's code lookup. A valid
# body gets 200 with the answer (the context key named here).
ANSWERS = {"manage_letter_template_edit": "preview", "provider_dashboard": "found"}
# "Submit" on a report saves the draft and then submits it (grants/views/pilots.py): a refused submission
# keeps the saved draft on purpose.
SAVE_THEN_ACT = {"pilot_report_edit"}
# Tables that any request may write, valid or not: sessions, the audit trail of who viewed a case, the
# failed-login log and the provider's code lookups (logged whether found or not).
LOGGED_ANYWAY = {"sessions.Session", "workflows.AuditEvent", "axes.AccessAttempt", "axes.AccessFailureLog",
                 "axes.AccessLog", "grants.VoucherLookup"}


def actor_for(name, page):
    return ACTOR.get(name) or next(actor for actor in PREFERENCE if actor in page.post)


class FormFields(HTMLParser):
    """The ``name``s of the fields of the page's POST forms that post to the page itself."""

    def __init__(self, path):
        super().__init__()
        self.path, self.inside, self.found, self.names = path, False, False, set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            action = urlparse(attrs.get("action") or "").path
            self.inside = (attrs.get("method") or "").lower() == "post" and action in ("", self.path)
            self.found |= self.inside
        elif self.inside and tag in ("input", "select", "textarea", "button") and attrs.get("name"):
            if attrs["name"] != "csrfmiddlewaretoken":
                self.names.add(attrs["name"])

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False


def form_fields(world, name, page, actor, url):
    """The field names to fuzz, or None for a page without a form of its own."""
    fields = set(body_for(world, page))
    if actor in page.get:
        parser, response = FormFields(url), client_for(world, actor).get(url)
        parser.feed(response.content.decode())
        if not (parser.found or fields):
            return None
        assert not shows_error(response), f"GET {url} shows an error before anything is posted"
        fields |= parser.names
    return fields


POSTED = sorted(name for name, page in PAGES.items() if page.post and name not in NOT_FORMS)


ERROR = re.compile(r'class="(?:[^"]* )?(?:error|error-summary|errorlist|field-error|message-error|message-warning)'
                   r'(?: [^"]*)?"|role="alert"')


def shows_error(response):
    return bool(ERROR.search(response.content.decode(errors="replace")))


def refused(response):
    return any(message.level_tag == "error" for message in get_messages(response.wsgi_request))


def told_why(response):
    return any(message.level_tag in ("error", "warning", "info", "success")
               for message in get_messages(response.wsgi_request))


def check(world, name, page, actor, url, body):
    with transaction.atomic():
        cache.clear()  # the rate limits count in the cache, which no savepoint rolls back
        before = snapshot()
        # A browser always sends the CSRF token (the test client does not check it): no POST is empty.
        response = client_for(world, actor).post(url, {**body, "csrfmiddlewaretoken": "token"})
        changes = [line for line in differences(before, snapshot())
                   if line.split(" ")[0].rstrip(":") not in LOGGED_ANYWAY]
        transaction.set_rollback(True)
    said = f"POST {url} as {actor} with {body!r}: {response.status_code}"
    assert response.status_code < 500, said
    if response.status_code in (200, 400):
        if changes:
            assert not shows_error(response), f"{said}: shows an error but saved: " + "; ".join(changes)
        elif not (name in ANSWERS and response.context.get(ANSWERS[name])):
            assert shows_error(response), f"{said}: nothing saved and no message at a field"
    elif 300 <= response.status_code < 400:
        assert changes or told_why(response), f"{said} -> {response.url}: nothing saved and no message"
        if changes and name not in SAVE_THEN_ACT:
            assert not refused(response), f"{said}: refused with a message but saved: " + "; ".join(changes)
    else:
        assert response.status_code in (403, 404, 405, 429), said
        assert not changes, f"{said}, but saved: " + "; ".join(changes)


@pytest.mark.parametrize("name", POSTED)
def test_form_survives_hostile_input(world, db, name):
    page = PAGES[name]
    actor = actor_for(name, page)
    url = url_for(world, name, page)
    fields = form_fields(world, name, page, actor, url)
    assert fields is not None, f"{name}: no form found for {actor}; add it to NOT_FORMS"
    valid = {key: value for key, value in body_for(world, page).items() if isinstance(value, str | int | list)}

    # A button without fields (approve, decide) gets only intruders: a few examples say enough.
    @settings(max_examples=15 if fields else 5, deadline=None, database=None, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(body=bodies(sorted(fields | set(INTRUDERS)), valid))
    def fuzz(body):
        check(world, name, page, actor, url, body)

    fuzz()


@pytest.mark.parametrize("name", sorted(NOT_FORMS))
def test_pages_left_out_have_no_form_of_their_own(world, db, name):
    page = PAGES[name]
    actor = actor_for(name, page)
    url = url_for(world, name, page)
    assert page.post, f"{name} takes no POST: take it out of NOT_FORMS"
    assert form_fields(world, name, page, actor, url) is None, f"{name} has a form of its own now: fuzz it"


# --- the services behind the staff forms, called directly --------------------------------------

PYTHON_VALUES = st.one_of(
    VALUE,
    st.sampled_from([None, True, -1, 0, 10**30, -(10**30), 1.5, float("nan"), float("inf"), Decimal("NaN"),
                     Decimal("sNaN"), Decimal("Infinity"), Decimal("-0.001"), Decimal("1E+40"), Decimal("0.005"),
                     datetime.date(2026, 2, 28), datetime.datetime(2026, 3, 1, 12, 0), [], {}, b"\x00", object()]),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.dates(),
    st.integers(),
)


def staff_service_calls(world):
    """Per case "service:keyword": the service, its other keyword values, and the keyword that is fuzzed."""
    officer = world.officer_x
    in_review = {"application_id": world.a_in_review.pk, "actor": officer}
    return {
        "application_propose:amount": ("application_propose", {**in_review, "outcome": "award", "motivation": "Past."}),
        "application_propose:outcome": ("application_propose", {**in_review, "amount": "1500", "motivation": "Past."}),
        "award_determine:amount": ("award_determine", {"award_id": world.award_granted.pk, "actor": officer,
                                                       "motivation": "Deels."}),
        "award_propose_revocation:amount": ("award_propose_revocation", {
            "award_id": world.award_granted.pk, "actor": officer, "reason": "Niet uitgevoerd."}),
        "application_request_info:deadline": ("application_request_info", {**in_review, "missing": "De offerte."}),
        "application_register_default_notice:received_on": ("application_register_default_notice", in_review),
        "application_extend:weeks": ("application_extend", {**in_review, "reason": "Advies nodig."}),
        "letter_mark_posted:posted_on": ("letter_mark_posted", {"letter_id": world.letter_a_post.pk, "actor": officer}),
        "batch_mark_paid:paid_on": ("batch_mark_paid", {"batch_id": world.batch_approved.pk, "actor": officer}),
        "voucher_extend:until": ("voucher_extend", {"voucher_id": world.voucher_a.pk, "actor": officer,
                                                    "reason": "Ziek."}),
        "voucher_approve_redemption:eligible_amount": ("voucher_approve_redemption", {
            "voucher_id": world.voucher_a_submitted.pk, "actor": officer}),
    }


SERVICE_CASES = ["application_propose:amount", "application_propose:outcome", "award_determine:amount",
                 "award_propose_revocation:amount", "application_request_info:deadline",
                 "application_register_default_notice:received_on", "application_extend:weeks",
                 "letter_mark_posted:posted_on", "batch_mark_paid:paid_on", "voucher_extend:until",
                 "voucher_approve_redemption:eligible_amount"]


@pytest.mark.parametrize("case", SERVICE_CASES)
def test_service_refuses_hostile_values_without_writing(world, db, case):
    from workflows import services

    calls = staff_service_calls(world)
    assert set(calls) == set(SERVICE_CASES)
    (name, fixed), fuzzed = calls[case], case.split(":")[1]
    service = getattr(services, name)

    @settings(max_examples=25, deadline=None, database=None, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow])
    @given(value=PYTHON_VALUES)
    def fuzz(value):
        with transaction.atomic():
            before = snapshot()
            try:
                service(**fixed, **{fuzzed: value})
            except (TransitionRefused, ValidationError):
                changes = [line for line in differences(before, snapshot())
                           if line.split(" ")[0].rstrip(":") not in LOGGED_ANYWAY]
                assert not changes, f"{name}({fuzzed}={value!r}) was refused but wrote: " + "; ".join(changes)
            transaction.set_rollback(True)

    fuzz()


@pytest.mark.parametrize("value", ["abc", "NaN", "1e309", "-Infinity", 1.5, "1.005", "10000000000", True, None, []])
def test_a_service_amount_that_is_not_euros_is_refused(value):
    from workflows.services.values import amount_value

    with pytest.raises(TransitionRefused):
        amount_value(value)


def test_a_service_amount_in_euros_is_a_decimal():
    from workflows.services.values import amount_value

    assert amount_value(" 1234.5 ") == Decimal("1234.50") and amount_value(-3) == Decimal("-3")
    assert amount_value(Decimal("0.01")) == Decimal("0.01") and amount_value("", optional=True) is None


@pytest.mark.parametrize("value", ["2026-02-30", "2026-13-01", "30-01-2026", "", None, 20260101, [], "2026-01-01x"])
def test_a_service_date_that_is_not_one_is_refused(value):
    from workflows.services.values import date_value

    with pytest.raises(TransitionRefused):
        date_value(value)


def test_a_service_date_is_a_date():
    from workflows.services.values import date_value

    assert date_value("2026-02-28") == datetime.date(2026, 2, 28)
    assert date_value(datetime.datetime(2026, 3, 1, 9, 0)) == datetime.date(2026, 3, 1)
    assert date_value(None, optional=True) is None


def test_a_municipality_id_too_large_for_the_database_is_a_field_error(world, db):
    # Found by the fuzzer: 2**63 reached SQLite and raised OverflowError (a 500).
    url = url_for(world, "manage_scheme_edit", PAGES["manage_scheme_edit"])
    body = {**matrix.scheme_x_edited(world), "eligible_municipalities": [str(2**63)]}
    response = client_for(world, "administrator_x").post(url, body)
    assert response.status_code == 200 and response.context["form"].has_error("eligible_municipalities")
