from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from workflows.access import Rule, require

from .forms import PreferencesForm, RetryForm
from .models import InboxItem
from .selectors import failed_rows, inbox_for, operated_outbox, outbox_health
from .services import outbox_retry, preferences_for, preferences_update


@require(Rule.AUTHENTICATED)
def inbox(request):
    page = Paginator(inbox_for(request.user), 25).get_page(request.GET.get("page"))
    return render(request, "notifications/inbox.html", {"page": page})


@require(Rule.AUTHENTICATED)
def inbox_item(request, item_id):
    item = get_object_or_404(InboxItem, pk=item_id, user=request.user)
    if item.read_at is None:
        InboxItem.objects.filter(pk=item.pk).update(read_at=timezone.now())
        item.read_at = timezone.now()
    if request.GET.get("open") and item.url and url_has_allowed_host_and_scheme(item.url, allowed_hosts=None):
        return redirect(item.url)
    return render(request, "notifications/inbox_item.html", {"item": item})


@require(Rule.AUTHENTICATED)
def notification_preferences(request):
    data = request.POST if request.method == "POST" else None
    form = PreferencesForm(data, initial_modes=preferences_for(request.user))
    if request.method == "POST" and form.is_valid():
        preferences_update(user=request.user, modes=form.cleaned_data)
        messages.success(request, _("Your notification preferences have been saved."))
        return redirect("notification_preferences")
    return render(request, "notifications/preferences.html", {"form": form}, status=400 if form.errors else 200)


@require(Rule.ADMINISTRATOR)
def notification_operations(request):
    scope = operated_outbox(request.user)
    form = RetryForm(request.POST if request.method == "POST" else None, failed=failed_rows(scope))
    if request.method == "POST" and form.is_valid():
        count = outbox_retry(ids=form.cleaned_data["ids"])
        messages.success(request, ngettext("%(count)d message queued again.", "%(count)d messages queued again.",
                                           count) % {"count": count})
        return redirect("notification_operations")
    health = outbox_health(scope)
    oldest = health["oldest_pending"]
    page = Paginator(failed_rows(scope), 25).get_page(request.GET.get("page"))
    return render(request, "notifications/operations.html", {
        "health": health, "oldest_pending_age": timezone.now() - oldest if oldest else None, "page": page,
        "form": form,
    }, status=400 if form.errors else 200)
