"""Form widgets shared by the apps."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout
from django import forms
from django.forms.utils import flatatt
from django.utils.html import conditional_escape, escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _


class QuickSelect(forms.Select):
    """A single <select> rendered in Python rather than with a template per <option>.

    Django renders each option through the template engine (about 0.3 ms apiece): a third of a
    second for the 1,000 branches of a city, on every registry page. Same HTML, no optgroups.
    """

    def render(self, name, value, attrs=None, renderer=None):
        selected = {str(item) for item in self.format_value(value)}
        # Plain string joins, escaped as format_html would: format_html per option cost ~10 ms more.
        options = []
        for option_value, label in self.choices:
            option_value = str(option_value)
            ticked = " selected" if option_value in selected else ""
            options.append(f'<option value="{escape(option_value)}"{ticked}>{conditional_escape(label)}</option>')
        options = mark_safe("".join(options))  # noqa: S308 (every value and label escaped above)
        return format_html(
            '<select name="{}"{}>{}</select>', name, flatatt(self.build_attrs(self.attrs, attrs)), options
        )


class TimeInput(forms.TimeInput):
    """A browser time picker (hours and minutes)."""

    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


class UserChoiceField(forms.ModelChoiceField):
    """A user shown with their role, so that two people of the same name can be told apart."""

    def label_from_instance(self, obj):
        return f"{obj} · {obj.get_role_display()}"


def picker_options(name: str, chosen, found=(), *, label=str) -> str:
    """The options of a `SearchPicker`: the chosen items ticked, then the ones found unticked.

    `chosen` and `found` are model instances; `label(obj)` is an option's (safe) HTML label. The
    picker's search page renders its answer with this too, so both draw the same options.
    """
    return format_html_join(
        "",
        '<div class="form-check picker-option"><input class="form-check-input" type="checkbox" name="{}" '
        'value="{}" id="id_{}_{}"{}><label class="form-check-label" for="id_{}_{}">{}</label></div>',
        (
            (name, obj.pk, name, obj.pk, mark_safe(" checked") if ticked else "", name, obj.pk, label(obj))
            for objs, ticked in ((chosen, True), (found, False))
            for obj in objs
        ),
    )


class SearchPicker(forms.SelectMultiple):
    """Some of many (a city's retirees): a search box and the items chosen so far, as ticked boxes.

    Never renders the field's whole queryset: only the chosen items. Typing in the box asks
    `search_url` (htmx, with the box's text as `<name>_q` and the ticked items as `<name>`), whose
    answer (`picker_options`) replaces the options: the ticked ones, then the matches. The form
    posts the ticked boxes, which the field checks against its queryset as for any multiple choice.
    """

    def __init__(self, *, search_url, attrs=None):
        super().__init__(attrs)
        self.search_url = search_url

    def render(self, name, value, attrs=None, renderer=None):
        pks = [str(item) for item in (value or []) if str(item).isdigit()]
        field = getattr(self.choices, "field", None)
        chosen = list(self.choices.queryset.filter(pk__in=pks)) if field is not None and pks else []
        attrs = self.build_attrs(self.attrs, attrs)
        box = attrs.get("id") or f"id_{name}"
        return format_html(
            '<div class="search-picker" data-search-picker>'
            '<input type="search" id="{}" name="{}_q" class="form-control form-control-lg" autocomplete="off" '
            'placeholder="{}" hx-get="{}" hx-trigger="input changed delay:300ms, search" '
            'hx-target="#{}_options" hx-include="closest [data-search-picker]">'
            '<div id="{}_options" class="picker-options mt-2" aria-live="polite">{}</div></div>',
            box,
            name,
            _("Type a name, its pinyin or initials"),
            self.search_url,
            box,
            box,
            picker_options(name, chosen, label=field.label_from_instance if field else str),
        )


def form_helper(*layout):
    """A crispy-forms helper for a form rendered inside the page's own <form> tag."""
    helper = FormHelper()
    helper.form_tag = False
    if layout:
        helper.layout = Layout(*layout)
    return helper
