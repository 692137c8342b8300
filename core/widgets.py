"""Form widgets shared by the apps."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout
from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe


class QuickSelect(forms.Select):
    """A single <select> rendered in Python rather than with a template per <option>.

    Django renders each option through the template engine (about 0.3 ms apiece): a third of a
    second for the 1,000 branches of a city, on every registry page. Same HTML, no optgroups.
    """

    def render(self, name, value, attrs=None, renderer=None):
        selected = {str(item) for item in self.format_value(value)}
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (option_value, mark_safe(" selected") if str(option_value) in selected else "", label)
                for option_value, label in self.choices
            ),
        )
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


def form_helper(*layout):
    """A crispy-forms helper for a form rendered inside the page's own <form> tag."""
    helper = FormHelper()
    helper.form_tag = False
    if layout:
        helper.layout = Layout(*layout)
    return helper
