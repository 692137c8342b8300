"""Rows addressed to an audience: notices, visit campaigns and meetings.

An audience is everybody (`all_branches`), or the union of the retirees of some branches, the
residents of some residence areas (东家属区, 北家属区, …) and, for the models that take them
(meetings' representatives), some retirees chosen by name: a retiree who is in a chosen branch
and also lives in a chosen area is addressed once. A row addressed by a branch worker stays within
their branch (`within_branch`): whatever they chose, it reaches their own branch's retirees only.

Every question about an audience is answered here, once: who is addressed
(`AddressedModel.addressees`, used by the fan-out and by the campaigns' targets), which branches'
workers see the row (`AddressedModel.addressed_to_branch`, used by
`accounts.access.AddressedQuerySet`), what a user may choose (`audience_fields`) and the form.

The related models are named by string and looked up through the app registry, so this shared
layer imports no app of the project.
"""

from dataclasses import dataclass

from crispy_forms.layout import HTML, Fieldset
from django import forms
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse_lazy
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.dates import SCHEDULE, DateRangeMixin
from core.widgets import SearchPicker, form_helper

FAN_OUT_BATCH = 1000

# The models rows are addressed to: core imports no app, so they are named, not imported.
BRANCH_MODEL = "branches.Branch"
AREA_MODEL = "retirees.Area"  # its primary key is the `ResidenceArea` code, as in `Retiree.residence_area`
RETIREE_MODEL = "retirees.Retiree"
# The page that finds retirees for the form's picker (it renders the picker's options).
RETIREE_SEARCH_URL = "retirees:picker"

# The form fields of an audience, shown together under one heading.
AUDIENCE_FIELDS = ("all_branches", "branches", "areas", "retirees")


@dataclass(frozen=True)
class Audience:
    """Whom a row is addressed to: everybody, or anybody of some branches, areas and retirees.

    `areas` are residence area codes (`retirees.choices.ResidenceArea` values).
    """

    everybody: bool = True
    branches: tuple = ()
    areas: tuple = ()
    retirees: tuple = ()

    @classmethod
    def chosen(cls, *, branches=(), areas=(), retirees=()) -> "Audience":
        return cls(everybody=False, branches=tuple(branches), areas=tuple(areas), retirees=tuple(retirees))


EVERYBODY = Audience()


class AddressedModel(models.Model):
    """Addressed to everybody (`all_branches`), or to the union of `branches` and `areas`
    (and `retirees`, see `AddressedToPeopleModel`), within `within_branch` when a branch addressed it.

    The many-to-many tables are named after the concrete model's table (`<db_table>_branches`,
    `<db_table>_areas`), as `branches` was when each model declared it itself.
    """

    # Whether the audience may name retirees one by one (AddressedToPeopleModel).
    addresses_retirees = False

    all_branches = models.BooleanField(_("all branches"), default=True)
    branches = models.ManyToManyField(BRANCH_MODEL, verbose_name=_("branches"), blank=True, related_name="+")
    areas = models.ManyToManyField(AREA_MODEL, verbose_name=_("residence areas"), blank=True, related_name="+")
    within_branch = models.ForeignKey(
        BRANCH_MODEL,
        verbose_name=_("within the branch"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Addressed by a branch: it reaches that branch's retirees only."),
    )

    class Meta:
        abstract = True

    def addressees(self, retirees):
        """`retirees` (a queryset of retirees) narrowed to this row's audience: adds filters with
        subqueries on the many-to-many tables, runs no query by itself."""
        if self.within_branch_id is not None:
            retirees = retirees.filter(branch=self.within_branch_id)
        if self.all_branches:
            return retirees
        chosen = Q(branch__in=self.branches.values("pk")) | Q(residence_area__in=self.areas.values("pk"))
        if self.addresses_retirees:
            chosen |= Q(pk__in=self.retirees.values("pk"))
        return retirees.filter(chosen)

    @classmethod
    def addressed_to_branch(cls, branch_id: int) -> Q:
        """The rows whose audience may take in retirees of branch `branch_id`, for its workers' scope:
        every row to everybody or to the branch, a row to an area where any of its retirees
        lives, a row naming one of its retirees; never another branch's own row. EXISTS on the
        many-to-many tables rather than joins, so that a row comes once, without DISTINCT."""
        row = {f"{cls._meta.model_name}_id": OuterRef("pk")}
        residents = apps.get_model(RETIREE_MODEL).objects.filter(branch=branch_id).values("residence_area")
        reaches = (
            Q(all_branches=True)
            | Q(Exists(cls.branches.through.objects.filter(**row, branch_id=branch_id)))
            | Q(Exists(cls.areas.through.objects.filter(**row, area_id__in=residents)))
        )
        if cls.addresses_retirees:
            reaches |= Q(Exists(cls.retirees.through.objects.filter(**row, retiree__branch=branch_id)))
        return Q(within_branch=branch_id) | (Q(within_branch__isnull=True) & reaches)

    def audience_labels(self) -> list[str]:
        """What the audience is, for a page: "all branches", or the chosen branches, areas and how
        many retirees were chosen by name. Reads the many-to-many tables (prefetch them for a list)."""
        within = self.within_branch.name if self.within_branch_id is not None else None
        if self.all_branches:
            return [within or gettext("All branches")]
        labels = [branch.short_name or branch.name for branch in self.branches.all()]
        labels += [str(area) for area in self.areas.all()]
        if self.addresses_retirees and (count := len(self.retirees.all())):
            labels.append(gettext("%(count)s chosen by name") % {"count": count})
        if within:
            labels.append(gettext("only in %(branch)s") % {"branch": within})
        return labels


class AddressedToPeopleModel(AddressedModel):
    """An `AddressedModel` whose audience may also name retirees one by one (a meeting's representatives)."""

    addresses_retirees = True

    retirees = models.ManyToManyField(
        RETIREE_MODEL, verbose_name=_("retirees chosen by name"), blank=True, related_name="+"
    )

    class Meta:
        abstract = True


def audience_fields(audience: Audience, *, user, model: type[AddressedModel]) -> dict:
    """The row's own fields for `audience` addressed by `user`, checked before anything is saved.

    ValidationError when a chosen audience names nobody or an unknown area; PermissionDenied for a
    branch or retiree outside the user's scope (the forms offer none). A user who does not see
    every branch addresses within their own branch.
    """
    if audience.retirees and not model.addresses_retirees:
        raise ValueError(f"A {model._meta.model_name} is not addressed to retirees by name.")
    if not audience.everybody:
        if not (audience.branches or audience.areas or audience.retirees):
            raise ValidationError(_nobody_message(model))
        known = {code for code, _label in apps.get_model(AREA_MODEL)._meta.get_field("code").choices}
        if not set(audience.areas) <= known:
            raise ValidationError({"areas": gettext("Unknown residence.")})
        _check_in_scope(BRANCH_MODEL, audience.branches, user)
        _check_in_scope(RETIREE_MODEL, audience.retirees, user)
    return {
        "all_branches": audience.everybody,
        "within_branch_id": None if user.sees_all_branches else user.branch_id,
    }


def _check_in_scope(model_name: str, chosen, user) -> None:
    pks = {getattr(item, "pk", item) for item in chosen}
    if pks and apps.get_model(model_name).objects.visible_to(user).filter(pk__in=pks).count() != len(pks):
        raise PermissionDenied(f"A chosen {model_name} is outside the user's scope.")


def _nobody_message(model) -> str:
    if model.addresses_retirees:
        return gettext("Choose at least one branch, area or person, or all branches.")
    return gettext("Choose at least one branch or area, or all branches.")


def record_areas(areas, codes) -> None:
    """Set a many-to-many of residence areas (`row.areas`) to `codes`, making any area row missing."""
    area_model = areas.model
    area_model.objects.bulk_create([area_model(code=code) for code in codes], ignore_conflicts=True)
    areas.set(codes)


def address(addressed: AddressedModel, audience: Audience) -> None:
    """Record the chosen branches, areas and retirees of a saved row (nothing to record for everybody)."""
    if audience.everybody:
        return
    addressed.branches.set(audience.branches)
    record_areas(addressed.areas, audience.areas)
    if addressed.addresses_retirees:
        addressed.retirees.set(audience.retirees)


def fan_out(addressed: AddressedModel, *, user, recipients, row) -> None:
    """One row per addressee of `addressed` that `user` sees (a notice's deliveries, a meeting's invitations).

    `recipients` is a queryset of retirees (active ones, in practice); `row(pk)` builds the unsaved
    row for one of them. Inserted in batches, so a city-wide notice never holds every row at once.
    """
    pks = addressed.addressees(recipients.visible_to(user)).values_list("pk", flat=True)
    batch = []
    for pk in pks.iterator(chunk_size=FAN_OUT_BATCH):
        batch.append(row(pk))
        if len(batch) == FAN_OUT_BATCH:
            type(batch[0]).objects.bulk_create(batch)
            batch = []
    if batch:
        type(batch[0]).objects.bulk_create(batch)


def area_choices():
    """The residence areas as (code, label) choices, from the area model's field."""
    return apps.get_model(AREA_MODEL)._meta.get_field("code").choices


def retiree_option_label(retiree) -> str:
    """A retiree in a picker: the name, with the branch and the residence to tell namesakes apart
    (the branch is read through the instance: select it with the retiree)."""
    branch = retiree.branch.short_name or retiree.branch.name
    return format_html(
        '{} <span class="text-muted">{} · {}</span>', retiree.name, branch, retiree.get_residence_area_display()
    )


class RetireePickerField(forms.ModelMultipleChoiceField):
    """Retirees chosen by name (the options the picker renders)."""

    def label_from_instance(self, obj):
        return retiree_option_label(obj)


class AddressedForm(DateRangeMixin, forms.Form):
    """Everybody, or some of the active branches the user sees, some residence areas and (when the
    form's model takes them: `addresses_retirees`) some retirees found by name."""

    default_date_range = SCHEDULE
    addresses_retirees = False

    all_branches = forms.BooleanField(label=_("All branches"), required=False, initial=True)
    branches = forms.ModelMultipleChoiceField(
        label=_("The retirees of these branches"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    areas = forms.MultipleChoiceField(
        label=_("Those living in these areas"),
        choices=[],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        branch_model = apps.get_model(BRANCH_MODEL)
        self.fields["branches"].queryset = branch_model.objects.visible_to(user).filter(is_active=True)
        self.fields["areas"].choices = area_choices()
        if not user.sees_all_branches:
            # A branch worker's "everybody" is their branch: a list of one branch would only repeat it.
            self.fields["all_branches"].label = _("Everybody in my branch")
            del self.fields["branches"]
        if self.addresses_retirees:
            retirees = apps.get_model(RETIREE_MODEL).objects.visible_to(user).active().select_related("branch")
            self.fields["retirees"] = RetireePickerField(
                label=_("These people, found by name (representatives)"),
                queryset=retirees,
                required=False,
                widget=SearchPicker(search_url=reverse_lazy(RETIREE_SEARCH_URL)),
            )
        others = [name for name in self.fields if name not in AUDIENCE_FIELDS]
        if not user.sees_all_branches:
            help_text = _(
                "Untick “Everybody in my branch” to choose: only your branch's retirees are reached, each once."
            )
        elif self.addresses_retirees:
            help_text = _("Untick “All branches” to choose: anybody in a chosen branch, area or list gets it, once.")
        else:
            help_text = _("Untick “All branches” to choose: anybody in a chosen branch or area gets it, once.")
        self.helper = form_helper(
            *others,
            Fieldset(
                _("Whom it is for"),
                HTML(format_html('<p class="form-text fs-6">{}</p>', help_text)),
                *(name for name in AUDIENCE_FIELDS if name in self.fields),
                css_class="audience",
                data_audience="",
            ),
        )

    def clean(self):
        data = super().clean()
        chosen = data.get("branches") or data.get("areas") or data.get("retirees")
        if data.get("all_branches") and chosen:
            raise forms.ValidationError(
                _("Untick “%(everybody)s” to address only the branches, areas or people chosen.")
                % {"everybody": self.fields["all_branches"].label}
            )
        if not data.get("all_branches") and not chosen and not self.errors:
            raise forms.ValidationError(_nobody_message(self))
        return data

    def audience(self) -> Audience:
        """What the form chose (after `is_valid()`)."""
        if self.cleaned_data.get("all_branches"):
            return EVERYBODY
        return Audience.chosen(
            branches=self.cleaned_data.get("branches") or (),
            areas=self.cleaned_data.get("areas") or (),
            retirees=self.cleaned_data.get("retirees") or (),
        )


def progress_percent(done: int, total: int) -> int:
    """The share of addressed rows done, in whole percent (100 when nobody was addressed)."""
    return round(100 * done / total) if total else 100
