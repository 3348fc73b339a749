from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from workflows.access import Rule, require

from .models import InboxItem
from .selectors import inbox_for


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
