import django_filters
from django.utils.translation import gettext_lazy as _

from branches.models import Branch
from core.dates import local_today

from .choices import AssistanceKind, AssistanceStatus
from .models import AssistanceRequest


def _visible_branches(request):
    if request is None:
        return Branch.objects.none()
    return Branch.objects.visible_to(request.user)


class AssistanceRequestFilter(django_filters.FilterSet):
    """The request list's filters: kind, status (unfinished by default), branch, assignee, overdue."""

    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=AssistanceKind.choices, empty_label=_("All kinds"))
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[*AssistanceStatus.choices, ("all", _("All statuses"))],
        method="filter_status",
        empty_label=_("Open or assigned"),
    )
    branch = django_filters.ModelChoiceFilter(
        label=_("Branch"), field_name="retiree__branch", queryset=_visible_branches, empty_label=_("All branches")
    )
    assignee = django_filters.ChoiceFilter(
        label=_("Assignee"), method="filter_assignee", empty_label=_("Anybody"), choices=[]
    )
    overdue = django_filters.BooleanFilter(label=_("Overdue only"), method="filter_overdue")

    class Meta:
        model = AssistanceRequest
        fields = ["kind", "status", "branch", "assignee", "overdue"]

    def __init__(self, *args, assignee_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["assignee"].extra["choices"] = [("me", _("Me")), ("none", _("Nobody yet")), *assignee_choices]
        for field in self.form.fields.values():
            field.widget.attrs.setdefault("class", "form-select")

    def filter_status(self, queryset, name, value):
        return queryset if value == "all" else queryset.filter(status=value)

    def filter_assignee(self, queryset, name, value):
        if value == "me":
            return queryset.filter(assigned_user=self.request.user)
        if value == "none":
            return queryset.filter(assigned_user__isnull=True, assigned_volunteer__isnull=True)
        prefix, _sep, pk = value.partition("-")
        if not pk.isdigit():
            return queryset
        if prefix == "u":
            return queryset.filter(assigned_user_id=pk)
        if prefix == "v":
            return queryset.filter(assigned_volunteer_id=pk)
        return queryset

    def filter_overdue(self, queryset, name, value):
        return queryset.overdue(local_today()) if value else queryset

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if not self.form.cleaned_data.get("status"):
            queryset = queryset.unfinished()
        return queryset.order_by("needed_by", "-created_at", "-id")
