from django.contrib import messages

from .exceptions import TransitionRefused


def perform(request, service, *, success, **kwargs):
    """Call a transition service for the current user; a refusal becomes a message, never a 500.
    Returns the changed object, or None when refused."""
    try:
        result = service(actor=request.user, **kwargs)
    except TransitionRefused as refusal:
        messages.error(request, refusal.message)
        return None
    messages.success(request, success)
    return result
