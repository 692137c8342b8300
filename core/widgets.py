"""Form widgets shared by the apps."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout
from django import forms
from django.forms.utils import flatatt
from django.utils.html import conditional_escape, escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _


def _options_html(choices, selected: set[str]) -> str:
    """<option>s as one string, each value and label escaped (format_html per option cost ~10 ms
    more for a thousand)."""
    options = []
    for option_value, label in choices:
        option_value = str(option_value)
        ticked = " selected" if option_value in selected else ""
        options.append(f'<option value="{escape(option_value)}"{ticked}>{conditional_escape(label)}</option>')
    return mark_safe("".join(options))  # noqa: S308 (every value and label escaped above)


class QuickSelect(forms.Select):
    """A single <select> rendered in Python rather than with a template per <option>.

    Django renders each option through the template engine (about 0.3 ms apiece): a third of a
    second for the 1,000 branches of a city, on every registry page. Same HTML, no optgroups.
    """

    def render(self, name, value, attrs=None, renderer=None):
        selected = {str(item) for item in self.format_value(value)}
        return format_html(
            '<select name="{}"{}>{}</select>',
            name,
            flatatt(self.build_attrs(self.attrs, attrs)),
            _options_html(self.choices, selected),
        )


class SelectOrSearch(forms.Select):
    """A model choice as a <select> while the choices are few, as a search box when they are many.

    Ten thousand branches as <option>s cost ~0.3 s to build and ~0.5 MB to send on every page,
    and a phone's picker cannot be scrolled through them anyway. Past `limit` choices the field is
    a text box instead: the user types part of a name and the form field resolves it on the server
    (no JavaScript needed), e.g. `retirees.filters.BranchChoiceField`. A chosen id (a link such as
    `?branch=12`) is shown as the item's label. One query for the choices (at most `limit` + 1
    rows), one more for the label of a chosen id in a search box unless the field put it in
    `known_labels`.
    """

    def __init__(self, attrs=None, *, limit: int = 50, placeholder: str = "", suggest_url=None):
        super().__init__(attrs)
        self.limit = limit
        self.placeholder = placeholder
        # Where the box asks for suggestions as the user types (htmx, the text as the field's
        # name): <option>s for its <datalist>. Without JavaScript the box works as plain text.
        self.suggest_url = suggest_url
        # Labels of ids the form field has already read ({"12": "化学系第一支部"}): a chosen id is
        # then shown without reading it again.
        self.known_labels = {}

    def render(self, name, value, attrs=None, renderer=None):
        field = self.choices.field
        queryset = field.queryset
        few = list(queryset[: self.limit + 1])
        attrs = self.build_attrs(self.attrs, attrs)
        text = "" if value is None else str(value)
        if len(few) <= self.limit:
            choices = [("", field.empty_label)] if field.empty_label is not None else []
            choices += [(obj.pk, field.label_from_instance(obj)) for obj in few]
            return format_html('<select name="{}"{}>{}</select>', name, flatatt(attrs), _options_html(choices, {text}))
        if text.isdigit() and text in self.known_labels:
            text = self.known_labels[text]
        elif text.isdigit():
            chosen = queryset.filter(pk=text).first()
            text = field.label_from_instance(chosen) if chosen is not None else ""
        attrs["class"] = " ".join(
            "form-control" if css == "form-select" else css for css in attrs.get("class", "form-control").split()
        )
        if self.suggest_url:
            suggestions = f"{attrs.get('id') or f'id_{name}'}_suggestions"
            attrs.update(
                {
                    "list": suggestions,
                    "hx-get": str(self.suggest_url),
                    "hx-trigger": "input changed delay:300ms",
                    "hx-target": f"#{suggestions}",
                    "hx-swap": "innerHTML",
                }
            )
        box = format_html(
            '<input type="search" name="{}" value="{}" placeholder="{}" autocomplete="off"{}>',
            name,
            text,
            self.placeholder,
            flatatt(attrs),
        )
        if self.suggest_url:
            box += format_html('<datalist id="{}"></datalist>', attrs["list"])
        return box


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
