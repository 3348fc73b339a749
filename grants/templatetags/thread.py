"""The message thread include works on any page showing an application, whether or not its view
passed the thread and the form."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def message_thread(context, application):
    """The ``thread`` the view passed, or read here in one query (authors joined) when it did not."""
    from ..messaging import thread_of

    thread = context.get("thread")
    return thread if thread is not None else list(thread_of(application))


@register.simple_tag(takes_context=True)
def message_form(context):
    """The ``thread_form`` the view passed (bound, with its errors), or an empty one."""
    from ..views.messages import MessageForm

    return context.get("thread_form") or MessageForm()
