import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from core.widgets import QuickSelect, SelectOrSearch

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


# Past this many branches in the user's scope the filter is a search box, not a list.
BRANCH_SELECT_LIMIT = 50
# A typed branch name may match this many branches at most: more is not a choice yet.
BRANCH_MATCH_LIMIT = 200


class BranchChoiceField(django_filters.fields.ModelChoiceField):
    """A branch given by id (a link: `?branch=12`) or by its name as typed in the search box that
    stands in for a long list (core.widgets.SelectOrSearch): cleans to the list of branches meant.

    A name, a short name or a part of either: one branch called exactly that, else every branch
    in scope whose name holds it. One query; an error in the user's language when none match.
    """

    def to_python(self, value):
        if value in self.empty_values:
            return None
        text = " ".join(str(value).replace("\x00", "").split())[:100]
        if not text:
            return None
        if text.isdigit():
            branch = super().to_python(text)
            self.widget.known_labels[text] = self.label_from_instance(branch)
            return [branch]
        found = list(
            self.queryset.filter(Q(name__icontains=text) | Q(short_name__icontains=text)).only(
                "pk", "name", "short_name"
            )[: BRANCH_MATCH_LIMIT + 1]
        )
        exact = [branch for branch in found if text in (branch.name, branch.short_name)]
        if exact:
            return exact
        if not found:
            raise ValidationError(_("No branch is called “%(text)s”."), code="no_match", params={"text": text})
        if len(found) > BRANCH_MATCH_LIMIT:
            raise ValidationError(
                _("Too many branches match “%(text)s”: type more of the name."), code="too_many", params={"text": text}
            )
        return found


class BranchFilter(django_filters.ModelChoiceFilter):
    field_class = BranchChoiceField

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(branch__in=value)


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
    branch = BranchFilter(
        label=_("Branch"),
        queryset=_visible_branches,
        empty_label=_("All branches"),
        widget=SelectOrSearch(
            limit=BRANCH_SELECT_LIMIT, placeholder=_("Type a branch name"), suggest_url=reverse_lazy("branches:suggest")
        ),
    )
    residence_area = django_filters.ChoiceFilter(
        label=_("Residence"), choices=ResidenceArea.choices, empty_label=_("All residences"), widget=QuickSelect
    )
    category = django_filters.ChoiceFilter(
        label=_("Category"), choices=Category.choices, empty_label=_("All categories"), widget=QuickSelect
    )
    care_level = django_filters.ChoiceFilter(
        label=_("Care level"), choices=CareLevel.choices, empty_label=_("All care levels"), widget=QuickSelect
    )
    age_band = django_filters.ChoiceFilter(
        label=_("Age"), choices=AgeBand.choices, method="filter_age_band", empty_label=_("All ages"), widget=QuickSelect
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[*Status.choices, (STATUS_ALL, _("All statuses"))],
        method="filter_status",
        empty_label=_("Active (default)"),
        widget=QuickSelect,
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
        widget=QuickSelect,
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
        if "branch" in self.form.errors:
            # A branch name that matches none shows nobody (and says so), not everybody.
            queryset = queryset.none()
        if not self.form.cleaned_data.get("status"):
            queryset = queryset.filter(status=Status.ACTIVE)
        # A stable order for pagination: the chosen sort, then the primary key.
        ordering = list(queryset.query.order_by) or ["name_pinyin"]
        return queryset.order_by(*ordering, "id")
