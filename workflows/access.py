"""Who may see or do what: the one place that answers it, by role and tenant.

Views declare a rule with ``@require(Rule.X)`` and fetch objects through the ``visible_*``
querysets (an object outside them is a 404, so tenants never learn of each other's data). The
django-fsm transitions name the case-level predicates below as their ``permission``, so the state
machines refuse what this module does not allow.

Roles: an applicant acts for the companies they are a member of; staff hold a role (officer,
manager, administrator) per municipality; superusers reach the Django admin only.
"""

from enum import StrEnum
from functools import cache, wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Q


class Rule(StrEnum):
    PUBLIC = "public"
    AUTHENTICATED = "authenticated"
    APPLICANT = "applicant"  # a member of at least one company
    STAFF = "staff"  # any role at any municipality
    OFFICER = "officer"
    MANAGER = "manager"
    ADMINISTRATOR = "administrator"
    PROVIDER = "provider"  # works for at least one voucher provider
    SUPERUSER = "superuser"


OFFICER, MANAGER, ADMINISTRATOR = "officer", "manager", "administrator"
CASE_ROLES = (OFFICER, MANAGER)


def staff_roles(user):
    """{organisation_id: {role, ...}} for this user, cached on the user object for the request."""
    return _memberships(user)[0]


def company_ids(user):
    return _memberships(user)[1]


def provider_ids(user):
    """The voucher providers the user works for (ProviderMembership), cached for the request."""
    return _memberships(user)[2]


def _memberships(user):
    """(staff roles, company ids, provider ids) of the user, read in one query and kept on the user object
    for the request: every logged-in page needs the first two (its navigation), so one round trip instead
    of two or three (~0.5 ms each). An anonymous visitor has none (no query)."""
    if not getattr(user, "is_authenticated", False):
        return {}, frozenset(), frozenset()
    cached = getattr(user, "_memberships", None)
    if cached is None:
        from django.db import connection

        roles, companies, providers = {}, set(), set()
        with connection.cursor() as cursor:
            cursor.execute(_memberships_sql(), [user.pk] * 3)
            for kind, target, role in cursor.fetchall():
                if kind == "staff":
                    roles.setdefault(target, set()).add(role)
                elif kind == "company":
                    companies.add(target)
                else:
                    providers.add(target)
        cached = user._memberships = (roles, frozenset(companies), frozenset(providers))
    return cached


@cache
def _memberships_sql():
    """The three membership tables in one UNION ALL, written once per process (tables and columns as the
    models name them)."""
    from django.db import connection

    from applicants.models import CompanyMembership
    from grants.models import ProviderMembership, StaffMembership

    name = connection.ops.quote_name

    def part(kind, model, target, role):
        meta = model._meta
        role_sql = name(meta.get_field(role).column) if role else "''"
        return (f"SELECT '{kind}', {name(meta.get_field(target).column)}, {role_sql} FROM {name(meta.db_table)} "
                f"WHERE {name(meta.get_field('user').column)} = %s")

    return " UNION ALL ".join([
        part("staff", StaffMembership, "organisation", "role"),
        part("company", CompanyMembership, "company", None),
        part("provider", ProviderMembership, "provider", None),
    ])


def forget(user):
    """Drop the per-request cache after memberships change."""
    user.__dict__.pop("_memberships", None)


def organisation_ids(user, *roles):
    """Municipalities where the user holds any of ``roles`` (any role when none given)."""
    return {org for org, held in staff_roles(user).items() if not roles or held & set(roles)}


def has_role(user, organisation_id, *roles):
    held = staff_roles(user).get(organisation_id, set())
    return bool(held & set(roles)) if roles else bool(held)


def is_applicant(user):
    return bool(company_ids(user))


def is_staff(user, *roles):
    return bool(organisation_ids(user, *roles))


def satisfies(user, rule):
    if rule == Rule.PUBLIC:
        return True
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    match rule:
        case Rule.AUTHENTICATED:
            return True
        case Rule.APPLICANT:
            return is_applicant(user)
        case Rule.STAFF:
            return is_staff(user)
        case Rule.OFFICER:
            return is_staff(user, OFFICER)
        case Rule.MANAGER:
            return is_staff(user, MANAGER)
        case Rule.ADMINISTRATOR:
            return is_staff(user, ADMINISTRATOR)
        case Rule.PROVIDER:
            return bool(provider_ids(user))
        case Rule.SUPERUSER:
            return user.is_superuser
    raise ValueError(rule)


def require(rule):
    """Declare and enforce a view's rule: anonymous users go to the login page, others get a 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not satisfies(request.user, rule):
                if not request.user.is_authenticated:
                    return redirect_to_login(request.get_full_path())
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.access_rule = rule
        return wrapped

    return decorator


# --- cases -------------------------------------------------------------------------------------


def own_applications(user, queryset=None):
    """Applications of the companies the user acts for (owner, colleague or adviser), drafts included."""
    from grants.models import Application

    queryset = Application.objects.all() if queryset is None else queryset
    return queryset.filter(company_id__in=company_ids(user))


def visible_applications(user, queryset=None):
    """Applications the user may see: their companies' own, and their municipalities' (officer, manager)
    apart from drafts, which stay private to the company until submitted."""
    from grants.models import Application, ApplicationState

    queryset = Application.objects.all() if queryset is None else queryset
    if not getattr(user, "is_authenticated", False):
        return queryset.none()
    condition = Q(company_id__in=company_ids(user))
    orgs = organisation_ids(user, *CASE_ROLES)
    if orgs:
        condition |= Q(organisation_id__in=orgs) & ~Q(state=ApplicationState.DRAFT)
    return queryset.filter(condition)


def staff_cases(user, queryset=None):
    """Cases on the staff pages: submitted applications of the municipalities where the user is officer
    or manager. Never drafts, also not for staff who happen to be members of the company."""
    from grants.models import Application, ApplicationState

    queryset = Application.objects.all() if queryset is None else queryset
    orgs = organisation_ids(user, *CASE_ROLES)
    if not orgs:
        return queryset.none()
    return queryset.filter(organisation_id__in=orgs).exclude(state=ApplicationState.DRAFT)


def acts_for_applicant(application, user):
    return application.company_id in company_ids(user)


def _conflict_of_interest(application, user):
    # Staff never handle or decide the applications of a company they are a member of.
    return application.company_id in company_ids(user)


def handles_case(application, user):
    return has_role(user, application.scheme.organisation_id, OFFICER) and not _conflict_of_interest(application, user)


def approver_role(application):
    """Four-eyes band: a second officer approves proposals up to the scheme's officer_approval_limit,
    a manager above it (a manager may also approve within the officers' band)."""
    return OFFICER if application.approval_amount <= application.scheme.officer_approval_limit else MANAGER


def approves_case(application, user):
    # Four-eyes: the person who proposed a decision can never approve it.
    roles = (OFFICER, MANAGER) if approver_role(application) == OFFICER else (MANAGER,)
    return (
        has_role(user, application.scheme.organisation_id, *roles)
        and application.proposed_by_id != user.pk
        and not _conflict_of_interest(application, user)
    )


def performs_draw(draw, user):
    # A draw decides who gets public money: a manager of the scheme's municipality publishes and performs it.
    return has_role(user, draw.scheme.organisation_id, MANAGER)
def reconsiders_case(application, user):
    """A new decision after a (partly) founded objection: a manager who did not take the original
    decision (Awb 7:5 spirit: the objection is not reviewed by the one who decided)."""
    return (
        has_role(user, application.scheme.organisation_id, MANAGER)
        and application.decided_by_id != user.pk
        and not _conflict_of_interest(application, user)
    )


# --- objections (bezwaar) ------------------------------------------------------------------------


def own_objections(user, queryset=None):
    """Objections against decisions on applications of the companies the user acts for."""
    from grants.models import Objection

    queryset = Objection.objects.all() if queryset is None else queryset
    return queryset.filter(application__company_id__in=company_ids(user))


def staff_objections(user, queryset=None):
    """Objections against decisions of the municipalities where the user is officer or manager."""
    from grants.models import Objection, ObjectionState

    queryset = Objection.objects.all() if queryset is None else queryset
    orgs = organisation_ids(user, *CASE_ROLES)
    if not orgs:
        return queryset.none()
    return queryset.filter(application__organisation_id__in=orgs).exclude(state=ObjectionState.NEW)


def acts_for_objector(objection, user):
    return acts_for_applicant(objection.application, user)


def handles_objection(objection, user):
    return handles_case(objection.application, user)


def decides_objection(objection, user):
    # Four-eyes: a manager decides, never the person who proposed this decision on the objection, nor the one
    # who took or proposed the decision objected to.
    application = objection.application
    return (
        reconsiders_case(application, user)
        and application.proposed_by_id != user.pk
        and objection.proposed_by_id != user.pk
    )


def sees_internal_notes(application, user):
    return has_role(user, application.scheme.organisation_id, *CASE_ROLES)


# --- configuration -----------------------------------------------------------------------------


def administered_schemes(user, queryset=None):
    """Schemes of the municipalities where the user is functional administrator (others are a 404)."""
    from grants.models import Scheme

    queryset = Scheme.objects.all() if queryset is None else queryset
    return queryset.filter(organisation_id__in=organisation_ids(user, ADMINISTRATOR))


# --- awards, payments and IBAN changes ---------------------------------------------------------


def staff_awards(user, queryset=None):
    """Awards of the municipalities where the user is officer or manager (others are a 404)."""
    from grants.models import Award

    queryset = Award.objects.all() if queryset is None else queryset
    return queryset.filter(application__organisation_id__in=organisation_ids(user, *CASE_ROLES))


def staff_batches(user, queryset=None):
    from grants.models import PaymentBatch

    queryset = PaymentBatch.objects.all() if queryset is None else queryset
    return queryset.filter(organisation_id__in=organisation_ids(user, *CASE_ROLES))


def managed_organisation_ids(user):
    """Municipalities whose budgets and pilot results the user answers for (manager)."""
    return organisation_ids(user, MANAGER)


def handles_award(award, user):
    return handles_case(award.application, user)


def approves_revocation(award, user):
    # Four-eyes: the officer who proposed the revocation never approves it.
    application = award.application
    return (
        has_role(user, application.scheme.organisation_id, MANAGER)
        and award.revocation_proposed_by_id != user.pk
        and not _conflict_of_interest(application, user)
    )


def handles_recovery(recovery, user):
    return handles_award(recovery.award, user)


def handles_batch(batch, user):
    return has_role(user, batch.organisation_id, *CASE_ROLES)


def approves_batch(batch, user):
    # Four-eyes: the preparer of a batch never approves it.
    return has_role(user, batch.organisation_id, MANAGER) and batch.prepared_by_id != user.pk


def owns_company(company_id, user):
    from applicants.models import CompanyMembership

    return CompanyMembership.objects.filter(
        company_id=company_id, user=user, role=CompanyMembership.Role.OWNER
    ).exists()


def confirms_iban_change(change, user):
    """A second person: another owner of the company, or an officer of a municipality that awarded it."""
    if change.requested_by_id == user.pk:
        return False
    if owns_company(change.company_id, user):
        return True
    from grants.models import Award

    orgs = organisation_ids(user, OFFICER)
    return bool(orgs) and change.company_id not in company_ids(user) and Award.objects.filter(
        application__company_id=change.company_id, application__organisation_id__in=orgs
    ).exists()


def cancels_iban_change(change, user):
    return change.requested_by_id == user.pk or owns_company(change.company_id, user)
def audited_cases(user, queryset=None):
    """Cases whose audit trail the user may export (Woo requests): those of the municipalities where
    they are manager. Other cases are a 404."""
    from grants.models import Application, ApplicationState

    queryset = Application.objects.all() if queryset is None else queryset
    orgs = organisation_ids(user, MANAGER)
    if not orgs:
        return queryset.none()
    return queryset.filter(organisation_id__in=orgs).exclude(state=ApplicationState.DRAFT)


# --- pilots after the award (grants.models.pilots) -----------------------------------------------


def acts_for_grantee(obj, user):
    """A report or change request of an award to a company the user acts for."""
    return obj.application.company_id in company_ids(user)


def handles_grant(obj, user):
    """An officer of the awarding municipality, never for a company they are a member of."""
    application = obj.application
    return has_role(user, application.scheme.organisation_id, OFFICER) and not _conflict_of_interest(application, user)


def own_pilots(user, queryset=None):
    """Reporting plans of awards to the companies the user acts for."""
    from grants.models import ReportingPlan

    queryset = ReportingPlan.objects.all() if queryset is None else queryset
    return queryset.filter(application__company_id__in=company_ids(user))


def staff_pilots(user, queryset=None):
    """Reporting plans of the municipalities where the user is officer or manager."""
    from grants.models import ReportingPlan

    queryset = ReportingPlan.objects.all() if queryset is None else queryset
    return queryset.filter(application__organisation_id__in=organisation_ids(user, *CASE_ROLES))


def may_feature_pilots(user, organisation_id):
    return has_role(user, organisation_id, *CASE_ROLES)
# --- vouchers ----------------------------------------------------------------------------------


def own_vouchers(user, queryset=None):
    """Vouchers of the companies the user acts for."""
    from grants.models import Voucher

    queryset = Voucher.objects.all() if queryset is None else queryset
    return queryset.filter(application__company_id__in=company_ids(user))


def provider_vouchers(user, queryset=None):
    """Vouchers to be spent with the providers the user works for: a provider sees no other voucher."""
    from grants.models import Voucher

    queryset = Voucher.objects.all() if queryset is None else queryset
    return queryset.filter(provider_id__in=provider_ids(user))


def staff_vouchers(user, queryset=None):
    """Vouchers of the municipalities where the user is officer or manager."""
    from grants.models import Voucher

    queryset = Voucher.objects.all() if queryset is None else queryset
    return queryset.filter(application__organisation_id__in=organisation_ids(user, *CASE_ROLES))


def staff_providers(user, queryset=None):
    """Providers of the schemes of the municipalities where the user is officer (approves proposals)."""
    from grants.models import Provider

    queryset = Provider.objects.all() if queryset is None else queryset
    return queryset.filter(scheme__organisation_id__in=organisation_ids(user, OFFICER, ADMINISTRATOR))


def administered_providers(user, queryset=None):
    """Providers of the schemes the user administers (provider admin)."""
    from grants.models import Provider

    queryset = Provider.objects.all() if queryset is None else queryset
    return queryset.filter(scheme__organisation_id__in=organisation_ids(user, ADMINISTRATOR))


def redeems_voucher(voucher, user):
    # The company redeems its voucher; the provider's people may submit on the applicant's behalf.
    return voucher.application.company_id in company_ids(user) or voucher.provider_id in provider_ids(user)


def handles_voucher(voucher, user):
    return handles_case(voucher.application, user)


def pays_voucher(voucher, user):
    # Only batch_mark_paid pays a voucher (it follows its payment instruction), so whoever may mark the
    # municipality's batch paid (handles_batch) marks the voucher paid with it.
    return has_role(user, voucher.application.scheme.organisation_id, *CASE_ROLES)
