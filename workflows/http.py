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


def form_refused(request, form):
    """A POST-only action whose small form lives on another page: its errors become messages there,
    each naming its field, so a refused action is never silent."""
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)
