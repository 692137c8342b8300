"""Rows addressed to every branch or to some: notices, visit campaigns and meetings.

The branch model is named by string ("branches.Branch") and looked up through the app registry,
so this shared layer imports no app of the project. Which of these rows a user sees is decided in
`accounts.access.AddressedQuerySet`.
"""

from django import forms
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.dates import SCHEDULE, DateRangeMixin
from core.widgets import form_helper

FAN_OUT_BATCH = 1000


# The one name of the model rows are addressed to: core imports no app, so it is named, not imported.
BRANCH_MODEL = "branches.Branch"


class AddressedModel(models.Model):
    """Addressed to every branch (`all_branches`) or to the branches in `branches`.

    The many-to-many table is named after the concrete model's table (`<db_table>_branches`), as
    it was when each model declared these two fields itself.
    """

    all_branches = models.BooleanField(_("all branches"), default=True)
    branches = models.ManyToManyField(BRANCH_MODEL, verbose_name=_("branches"), blank=True, related_name="+")

    class Meta:
        abstract = True

    def in_addressed_branches(self, queryset, branch_path: str = "branch"):
        """`queryset` narrowed to the addressed branches (adds a filter; runs no query by itself)."""
        if self.all_branches:
            return queryset
        return queryset.filter(**{f"{branch_path}__in": self.branches.all()})


def check_addressees(branches) -> None:
    """`branches` None means every branch; an empty choice is refused (raises ValidationError)."""
    if branches is not None and not branches:
        raise ValidationError({"branches": gettext("Choose at least one branch, or all branches.")})


def address(addressed: AddressedModel, branches) -> None:
    """Record the chosen branches of a saved row (nothing to record for every branch)."""
    if branches is not None:
        addressed.branches.set(branches)


def fan_out(addressed: AddressedModel, *, recipients, row) -> None:
    """One row per recipient of `addressed` (a notice's deliveries, a meeting's invitations).

    `recipients` is a queryset of retirees (active ones, in practice); `row(pk)` builds the unsaved
    row for one of them. Inserted in batches, so a city-wide notice never holds every row at once.
    """
    pks = addressed.in_addressed_branches(recipients).values_list("pk", flat=True)
    batch = []
    for pk in pks.iterator(chunk_size=FAN_OUT_BATCH):
        batch.append(row(pk))
        if len(batch) == FAN_OUT_BATCH:
            type(batch[0]).objects.bulk_create(batch)
            batch = []
    if batch:
        type(batch[0]).objects.bulk_create(batch)


class AddressedForm(DateRangeMixin, forms.Form):
    """A choice between every branch and some of the active branches the user sees."""

    default_date_range = SCHEDULE

    all_branches = forms.BooleanField(label=_("All branches"), required=False, initial=True)
    branches = forms.ModelMultipleChoiceField(
        label=_("Or only these branches"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        branch_model = apps.get_model(BRANCH_MODEL)
        self.fields["branches"].queryset = branch_model.objects.visible_to(user).filter(is_active=True)
        self.helper = form_helper()

    def clean(self):
        data = super().clean()
        if not data.get("all_branches") and not data.get("branches"):
            raise forms.ValidationError(_("Choose at least one branch, or all branches."))
        return data

    def chosen_branches(self):
        """None for every branch, else the list of chosen branches."""
        return None if self.cleaned_data.get("all_branches") else list(self.cleaned_data["branches"])


def progress_percent(done: int, total: int) -> int:
    """The share of addressed rows done, in whole percent (100 when nobody was addressed)."""
    return round(100 * done / total) if total else 100
