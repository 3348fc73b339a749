from . import access


def navigation(request):
    """Role-aware navigation and the inbox's unread count (two queries, only when logged in: the memberships and
    the count)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from notifications.selectors import unread_count

    return {
        "nav_is_applicant": access.is_applicant(user),
        "nav_is_officer": access.is_staff(user, access.OFFICER),
        "nav_is_manager": access.is_staff(user, access.MANAGER),
        "nav_is_administrator": access.is_staff(user, access.ADMINISTRATOR),
        "nav_is_staff": access.is_staff(user),
        "nav_handles_cases": access.is_staff(user, *access.CASE_ROLES),
        "inbox_unread": unread_count(user),
        "nav_is_provider": bool(access.provider_ids(user)),
    }
