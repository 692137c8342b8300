"""Filters of the ledger pages; the exports use the same ones (see views.ledger_list)."""

import datetime

import django_filters
from django import forms
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from core.dates import local_today
from retirees.choices import ResidenceArea, Status
from retirees.filters import STATUS_ALL, _visible_branches, search_retirees
from retirees.models import Retiree

from .choices import DOSE_LABELS, Condition, ExposureKind, ExposureStatus, Stance, TestResult
from .models import NucleicTest, VaccinationDose

DOSE_CHOICES = [(str(number), label) for number, label in DOSE_LABELS.items()]
ALL = "all"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def date_filter(label, field_name, lookup):
    return django_filters.DateFilter(label=label, field_name=field_name, lookup_expr=lookup, widget=DateInput())


class RetireeLedgerFilter(django_filters.FilterSet):
    """What every ledger filters on: search, branch, residence area, the retiree's status (active
    by default). `retiree_prefix` leads from the ledger's rows to their retiree ("retiree__")."""

    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_search",
        widget=forms.TextInput(attrs={"placeholder": _("Name, pinyin or initials, phone")}),
    )
    branch = django_filters.ModelChoiceFilter(
        label=_("Branch"), queryset=_visible_branches, method="filter_retiree_field", empty_label=_("All branches")
    )
    residence_area = django_filters.ChoiceFilter(
        label=_("Residence"),
        choices=ResidenceArea.choices,
        method="filter_retiree_field",
        empty_label=_("All residences"),
    )
    retiree_status = django_filters.ChoiceFilter(
        label=_("Retiree status"),
        choices=[*Status.choices, (STATUS_ALL, _("All statuses"))],
        method="filter_retiree_status",
        empty_label=_("Active (default)"),
    )

    retiree_prefix = ""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.form.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)

    def filter_search(self, queryset, name, value):
        if self.retiree_prefix:
            return queryset.filter(retiree__in=search_retirees(Retiree.objects.all(), value))
        return search_retirees(queryset, value)

    def filter_retiree_field(self, queryset, name, value):
        return queryset.filter(**{f"{self.retiree_prefix}{name}": value})

    def filter_retiree_status(self, queryset, name, value):
        return queryset  # applied in filter_queryset, so that the default applies when it is empty

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        status = self.form.cleaned_data.get("retiree_status") or Status.ACTIVE
        if status != STATUS_ALL:
            queryset = queryset.filter(**{f"{self.retiree_prefix}status": status})
        return queryset.order_by(*self.ordering())

    def ordering(self):
        return ["branch", "name_pinyin", "id"]


class VaccinationFilter(RetireeLedgerFilter):
    has_dose = django_filters.ChoiceFilter(
        label=_("Has received"), choices=DOSE_CHOICES, method="filter_has_dose", empty_label=_("Any")
    )
    lacks_dose = django_filters.ChoiceFilter(
        label=_("Has not received"), choices=DOSE_CHOICES, method="filter_lacks_dose", empty_label=_("Any")
    )
    stance = django_filters.ChoiceFilter(label=_("Willingness"), choices=Stance.choices, empty_label=_("Any"))
    dose_from = django_filters.DateFilter(label=_("A dose from"), method="filter_dose_from", widget=DateInput())
    dose_to = django_filters.DateFilter(label=_("A dose until"), method="filter_dose_to", widget=DateInput())

    def _doses(self):
        return VaccinationDose.objects.filter(retiree=OuterRef("pk"))

    def filter_has_dose(self, queryset, name, value):
        return queryset.filter(Exists(self._doses().filter(dose_number=value)))

    def filter_lacks_dose(self, queryset, name, value):
        return queryset.filter(~Exists(self._doses().filter(dose_number=value)))

    def filter_dose_from(self, queryset, name, value):
        return queryset.filter(Exists(self._doses().filter(given_on__gte=value)))

    def filter_dose_to(self, queryset, name, value):
        return queryset.filter(Exists(self._doses().filter(given_on__lte=value)))


class TestingFilter(RetireeLedgerFilter):
    last_result = django_filters.ChoiceFilter(
        label=_("Latest result"), choices=TestResult.choices, empty_label=_("Any")
    )
    tested_from = date_filter(_("Latest test from"), "last_tested_on", "gte")
    tested_to = date_filter(_("Latest test until"), "last_tested_on", "lte")
    untested_days = django_filters.NumberFilter(
        label=_("Not tested in the last N days"),
        method="filter_untested_days",
        widget=forms.NumberInput(attrs={"min": 1, "max": 365}),
    )

    def filter_untested_days(self, queryset, name, value):
        days = max(1, min(int(value), 365))
        since = local_today() - datetime.timedelta(days=days - 1)
        return queryset.filter(~Exists(NucleicTest.objects.filter(retiree=OuterRef("pk"), tested_on__gte=since)))


class HealthFilter(RetireeLedgerFilter):
    health = django_filters.ChoiceFilter(label=_("Health"), choices=Condition.choices, empty_label=_("Any"))
    health_from = date_filter(_("Recorded from"), "health_on", "gte")
    health_to = date_filter(_("Recorded until"), "health_on", "lte")


class ExposureFilter(RetireeLedgerFilter):
    """Exposure events (one row per event), ongoing by default."""

    retiree_prefix = "retiree__"
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=ExposureKind.choices, empty_label=_("All kinds"))
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[*ExposureStatus.choices, (ALL, _("All statuses"))],
        method="filter_status",
        empty_label=_("Ongoing (default)"),
    )
    started_from = date_filter(_("Started from"), "started_on", "gte")
    started_to = date_filter(_("Started until"), "started_on", "lte")

    def filter_status(self, queryset, name, value):
        return queryset  # applied in filter_queryset, so that the default applies when it is empty

    def filter_queryset(self, queryset):
        status = self.form.cleaned_data.get("status") or ExposureStatus.ONGOING
        if status != ALL:
            queryset = queryset.filter(status=status)
        return super().filter_queryset(queryset)

    def ordering(self):
        return ["retiree__branch", "retiree__name_pinyin", "-started_on", "id"]
