"""Who may see or do what: the one place that answers it, by role and tenant.

Views declare a rule with ``@require(Rule.X)`` and fetch objects through the ``visible_*``
querysets (an object outside them is a 404, so tenants never learn of each other's data). The
django-fsm transitions name the case-level predicates below as their ``permission``, so the state
machines refuse what this module does not allow.

Roles: an applicant acts for the companies they are a member of; staff hold a role (officer,
manager, administrator) per municipality; superusers reach the Django admin only.
"""

from enum import StrEnum
from functools import wraps

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
    SUPERUSER = "superuser"


OFFICER, MANAGER, ADMINISTRATOR = "officer", "manager", "administrator"
CASE_ROLES = (OFFICER, MANAGER)


def staff_roles(user):
    """{organisation_id: {role, ...}} for this user, cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False):
        return {}
    cached = getattr(user, "_staff_roles", None)
    if cached is None:
        from grants.models import StaffMembership

        cached = {}
        for org_id, role in StaffMembership.objects.filter(user=user).values_list("organisation_id", "role"):
            cached.setdefault(org_id, set()).add(role)
        user._staff_roles = cached
    return cached


def company_ids(user):
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_company_ids", None)
    if cached is None:
        from applicants.models import CompanyMembership

        cached = frozenset(CompanyMembership.objects.filter(user=user).values_list("company_id", flat=True))
        user._company_ids = cached
    return cached


def forget(user):
    """Drop the per-request caches after memberships change."""
    for attr in ("_staff_roles", "_company_ids"):
        user.__dict__.pop(attr, None)


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


def approves_case(application, user):
    # Four-eyes: the person who proposed a decision can never approve it.
    return (
        has_role(user, application.scheme.organisation_id, MANAGER)
        and application.proposed_by_id != user.pk
        and not _conflict_of_interest(application, user)
    )


def sees_internal_notes(application, user):
    return has_role(user, application.scheme.organisation_id, *CASE_ROLES)


# --- configuration -----------------------------------------------------------------------------


def administered_schemes(user, queryset=None):
    """Schemes of the municipalities where the user is functional administrator (others are a 404)."""
    from grants.models import Scheme

    queryset = Scheme.objects.all() if queryset is None else queryset
    return queryset.filter(organisation_id__in=organisation_ids(user, ADMINISTRATOR))
