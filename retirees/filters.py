import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.widgets import QuickSelect

from .choices import AgeBand, CareLevel, Category, ResidenceArea, Status
from .models import Retiree
from .validators import normalize_digits, normalize_phone

STATUS_ALL = "all"


def _visible_branches(request):
    """The branches the filter offers. Branch is reached through the retiree's foreign key: the branch
    pages list their retirees, so `branches` sits above `retirees` (docs/architecture.md)."""
    branches = Retiree._meta.get_field("branch").related_model.objects
    if request is None:
        return branches.none()
    return branches.visible_to(request.user)


def search_retirees(queryset, text: str):
    """Search by name, by pinyin (full or initials) or by phone number, whichever `text` looks like."""
    text = normalize_digits(text)
    compact = "".join(text.split())
    if not compact:
        return queryset
    digits = normalize_phone(compact)
    if digits.isdigit():
        if len(digits) == 18 or (len(digits) == 17 and compact[-1:].upper() == "X"):
            return queryset.filter(id_number=compact.upper())
        return queryset.filter(Q(phone__contains=digits) | Q(phone_alt__contains=digits))
    letters = compact.lower()
    if letters.isascii() and letters.isalpha():
        return queryset.filter(Q(name_pinyin__startswith=letters) | Q(name_initials__startswith=letters))
    return queryset.filter(name__contains=compact)


class RetireeFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_search",
        widget=forms.TextInput(attrs={"placeholder": _("Name, pinyin or initials, phone"), "autofocus": True}),
    )
    branch = django_filters.ModelChoiceFilter(
        label=_("Branch"), queryset=_visible_branches, empty_label=_("All branches"), widget=QuickSelect
    )
    residence_area = django_filters.ChoiceFilter(
        label=_("Residence"), choices=ResidenceArea.choices, empty_label=_("All residences")
    )
    category = django_filters.ChoiceFilter(
        label=_("Category"), choices=Category.choices, empty_label=_("All categories")
    )
    care_level = django_filters.ChoiceFilter(
        label=_("Care level"), choices=CareLevel.choices, empty_label=_("All care levels")
    )
    age_band = django_filters.ChoiceFilter(
        label=_("Age"), choices=AgeBand.choices, method="filter_age_band", empty_label=_("All ages")
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[*Status.choices, (STATUS_ALL, _("All statuses"))],
        method="filter_status",
        empty_label=_("Active (default)"),
    )
    sort = django_filters.OrderingFilter(
        label=_("Sort by"),
        fields=(
            ("name_pinyin", "name"),
            ("birth_date", "birth_date"),
            ("branch", "branch"),
            ("created_at", "created"),
        ),
        field_labels={
            "name_pinyin": _("Name"),
            "birth_date": _("Date of birth"),
            "branch": _("Branch"),
            "created_at": _("Date added"),
        },
        empty_label=_("Name"),
    )

    class Meta:
        model = Retiree
        fields = ["q", "branch", "residence_area", "category", "care_level", "age_band", "status"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.form.fields.items():
            if name != "q":
                field.widget.attrs.setdefault("class", "form-select")

    def filter_search(self, queryset, name, value):
        return search_retirees(queryset, value)

    def filter_age_band(self, queryset, name, value):
        return queryset.in_age_band(value)

    def filter_status(self, queryset, name, value):
        if value == STATUS_ALL:
            return queryset
        return queryset.filter(status=value)

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if not self.form.cleaned_data.get("status"):
            queryset = queryset.filter(status=Status.ACTIVE)
        # A stable order for pagination: the chosen sort, then the primary key.
        ordering = list(queryset.query.order_by) or ["name_pinyin"]
        return queryset.order_by(*ordering, "id")
