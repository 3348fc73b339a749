"""Widgets for long lists."""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join


class LongSelect(forms.Select):
    """A select rendered in Python rather than one template per option: the queue's scheme filter lists
    every scheme of a region (500 in the province-wide data set), which Django's template-per-option
    rendering made the slowest part of the page. Same markup and attributes (id, aria-describedby,
    aria-invalid), no option groups."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        options = format_html_join(
            "", '<option value="{}"{}>{}</option>',
            ((option["value"], " selected" if option["selected"] else "", option["label"])
             for _group, group_options, _index in widget["optgroups"] for option in group_options),
        )
        return format_html('<select name="{}"{}>{}</select>', widget["name"], flatatt(widget["attrs"]), options)
