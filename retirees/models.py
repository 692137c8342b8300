import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.access import BranchScopedQuerySet
from core.dates import local_today
from core.db import ChecksInOneQuery, choices_check

from .choices import AGE_BAND_BOUNDS, CareLevel, Category, Gender, LivingSituation, Relation, ResidenceArea, Status
from .validators import mask_id_number, mask_phone, validate_id_number, validate_phone


def birth_date_bounds(age_min: int | None, age_max: int | None, today: datetime.date):
    """Birth-date range (inclusive, either end may be None) of people aged age_min..age_max today."""

    def years_before(years: int) -> datetime.date:
        try:
            return today.replace(year=today.year - years)
        except ValueError:  # 29 February in a non-leap year
            return today.replace(year=today.year - years, day=28)

    latest = years_before(age_min) if age_min is not None else None
    earliest = years_before(age_max + 1) + datetime.timedelta(days=1) if age_max is not None else None
    return earliest, latest


class RetireeQuerySet(BranchScopedQuerySet):
    branch_path = "branch"

    def in_age_band(self, band: str, today: datetime.date | None = None):
        """Retirees whose age today falls in `band` (a filter on birth_date, using its index)."""
        age_min, age_max = AGE_BAND_BOUNDS[band]
        earliest, latest = birth_date_bounds(age_min, age_max, today or local_today())
        queryset = self
        if earliest:
            queryset = queryset.filter(birth_date__gte=earliest)
        if latest:
            queryset = queryset.filter(birth_date__lte=latest)
        return queryset

    def active(self):
        return self.filter(status=Status.ACTIVE)


class Retiree(ChecksInOneQuery, models.Model):
    """A retired member of staff looked after by the office and one branch.

    Moving away and death are states with dates, never deletions, so that the history and the
    ledgers stay whole. The pinyin keys are derived from the name by the services when it is saved.
    """

    name = models.CharField(_("name"), max_length=50)
    name_pinyin = models.CharField(_("pinyin"), max_length=200, editable=False, db_index=True)
    name_initials = models.CharField(_("pinyin initials"), max_length=50, editable=False, db_index=True)
    gender = models.CharField(_("gender"), max_length=8, choices=Gender.choices)
    birth_date = models.DateField(_("date of birth"), db_index=True)
    category = models.CharField(_("category"), max_length=8, choices=Category.choices, default=Category.TUIXIU)
    former_unit = models.CharField(_("former unit"), max_length=100, blank=True)
    branch = models.ForeignKey(
        "branches.Branch", verbose_name=_("branch"), on_delete=models.PROTECT, related_name="retirees"
    )
    phone = models.CharField(_("mobile phone"), max_length=20, blank=True, validators=[validate_phone])
    phone_alt = models.CharField(_("other phone"), max_length=20, blank=True, validators=[validate_phone])
    wechat = models.CharField(_("WeChat ID"), max_length=50, blank=True)
    residence_area = models.CharField(
        _("residence"), max_length=16, choices=ResidenceArea.choices, default=ResidenceArea.OFF_CAMPUS
    )
    community = models.CharField(
        _("community"), max_length=100, blank=True, help_text=_("Residential community (小区).")
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    living_situation = models.CharField(
        _("living situation"), max_length=16, choices=LivingSituation.choices, default=LivingSituation.SPOUSE
    )
    care_level = models.CharField(
        _("care level"), max_length=20, choices=CareLevel.choices, default=CareLevel.SELF_CARE
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE)
    moved_on = models.DateField(_("moved on"), null=True, blank=True)
    deceased_on = models.DateField(_("date of death"), null=True, blank=True)
    id_number = models.CharField(
        _("ID number"), max_length=18, null=True, blank=True, unique=True, validators=[validate_id_number]
    )
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True, editable=False)
    consent_given = models.BooleanField(_("consents to data processing"), default=False)
    consent_on = models.DateField(_("consent date"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = RetireeQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["name_pinyin", "name_initials", "updated_at"])

    class Meta:
        verbose_name = _("retiree")
        verbose_name_plural = _("retirees")
        ordering = ["name_pinyin", "id"]
        constraints = [
            choices_check("gender", Gender.choices, "retirees_retiree_gender_valid", _("Unknown gender.")),
            choices_check("category", Category.choices, "retirees_retiree_category_valid", _("Unknown category.")),
            choices_check(
                "residence_area", ResidenceArea.choices, "retirees_retiree_residence_valid", _("Unknown residence.")
            ),
            choices_check(
                "living_situation",
                LivingSituation.choices,
                "retirees_retiree_living_valid",
                _("Unknown living situation."),
            ),
            choices_check(
                "care_level", CareLevel.choices, "retirees_retiree_care_level_valid", _("Unknown care level.")
            ),
            choices_check("status", Status.choices, "retirees_retiree_status_valid", _("Unknown status.")),
            models.CheckConstraint(
                condition=(Q(status=Status.DECEASED) & Q(deceased_on__isnull=False))
                | (~Q(status=Status.DECEASED) & Q(deceased_on__isnull=True)),
                name="retirees_retiree_deceased_date_iff_deceased",
                violation_error_message=_("A date of death is required for a deceased retiree, and only for one."),
            ),
            models.CheckConstraint(
                condition=Q(status=Status.MOVED) | Q(moved_on__isnull=True),
                name="retirees_retiree_moved_date_only_when_moved",
                violation_error_message=_("A moving date is only for a retiree who moved away."),
            ),
            models.CheckConstraint(
                condition=~Q(name=""),
                name="retirees_retiree_name_not_empty",
                violation_error_message=_("A name is required."),
            ),
            models.CheckConstraint(
                condition=Q(consent_given=True) | Q(consent_on__isnull=True),
                name="retirees_retiree_consent_date_only_with_consent",
                violation_error_message=_("A consent date needs consent."),
            ),
        ]
        indexes = [
            # The registry's default filters: branch + status, ordered by pinyin.
            models.Index(fields=["branch", "status", "name_pinyin"], name="retirees_retiree_branch_status"),
            # With the id: the dashboard counts the active 离休 without a care plan from the index alone.
            models.Index(fields=["category", "status", "id"], name="retirees_retiree_category"),
            models.Index(fields=["residence_area", "status"], name="retirees_retiree_residence"),
            models.Index(fields=["care_level", "status"], name="retirees_retiree_care_level"),
            models.Index(fields=["phone"], name="retirees_retiree_phone"),
            # The registry list's page ids (core.pagination.IdsFirstPaginator) in its default
            # order and by birth date, read from the index alone however deep the page ...
            models.Index(fields=["status", "name_pinyin", "id"], name="retirees_retiree_status_name"),
            models.Index(fields=["status", "birth_date", "id"], name="retirees_retiree_status_birth"),
            # ... and by date added (else page 1 so sorted is a sort of every active retiree, and a far
            # page from its anchor, core.anchors, has no range to scan).
            models.Index(fields=["status", "created_at", "id"], name="retirees_retiree_status_added"),
            # checkins.selectors.weekly_coverage: the few retirees no longer active.
            models.Index(fields=["id"], name="retirees_retiree_inactive", condition=~Q(status=Status.ACTIVE)),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("retirees:detail", args=[self.pk])

    def age_on(self, day: datetime.date) -> int:
        before_birthday = (day.month, day.day) < (self.birth_date.month, self.birth_date.day)
        return day.year - self.birth_date.year - before_birthday

    @property
    def age(self) -> int:
        return self.age_on(local_today())

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)

    @property
    def phone_alt_masked(self) -> str:
        return mask_phone(self.phone_alt)

    @property
    def id_number_masked(self) -> str:
        return mask_id_number(self.id_number or "")

    @property
    def is_family_area_resident(self) -> bool:
        return self.residence_area in (ResidenceArea.EAST, ResidenceArea.NORTH)


class Area(models.Model):
    """A residence area as a row, so that a notice, a meeting, a campaign or a round can name some
    areas in a many-to-many (`core.addressing`) that the database matches against
    `Retiree.residence_area`: the primary key is the area's code, a `ResidenceArea` value.

    A row holds nothing else. `core.addressing.record_areas` makes the row the first time an area
    is chosen, so a database never needs them loaded beforehand (nor a test database flushed).
    """

    code = models.CharField(_("residence area"), max_length=16, primary_key=True, choices=ResidenceArea.choices)

    class Meta:
        verbose_name = _("residence area")
        verbose_name_plural = _("residence areas")
        ordering = ["code"]
        constraints = [
            choices_check("code", ResidenceArea.choices, "retirees_area_code_valid", _("Unknown residence.")),
        ]

    def __str__(self):
        return self.get_code_display()


class HouseholdContactQuerySet(BranchScopedQuerySet):
    branch_path = "retiree__branch"


class HouseholdContact(models.Model):
    """A family member or caregiver to call about a retiree."""

    retiree = models.ForeignKey(
        Retiree, verbose_name=_("retiree"), on_delete=models.CASCADE, related_name="household_contacts"
    )
    name = models.CharField(_("name"), max_length=50)
    relation = models.CharField(_("relation"), max_length=16, choices=Relation.choices)
    phone = models.CharField(_("phone"), max_length=20, validators=[validate_phone])
    lives_with_retiree = models.BooleanField(_("lives with the retiree"), default=False)
    is_primary = models.BooleanField(_("first to call"), default=False)
    notes = models.CharField(_("notes"), max_length=200, blank=True)

    objects = HouseholdContactQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("household contact")
        verbose_name_plural = _("household contacts")
        ordering = ["-is_primary", "id"]
        constraints = [
            choices_check(
                "relation", Relation.choices, "retirees_householdcontact_relation_valid", _("Unknown relation.")
            ),
            models.CheckConstraint(
                condition=~Q(phone=""),
                name="retirees_householdcontact_phone_required",
                violation_error_message=_("A household contact needs a phone number."),
            ),
            models.CheckConstraint(
                condition=~Q(name=""),
                name="retirees_householdcontact_name_required",
                violation_error_message=_("A household contact needs a name."),
            ),
            models.UniqueConstraint(
                fields=["retiree"],
                condition=Q(is_primary=True),
                name="retirees_householdcontact_one_primary",
                violation_error_message=_("Only one household contact can be the first to call."),
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.get_relation_display()})"

    @property
    def is_caregiver(self) -> bool:
        return self.relation == Relation.CAREGIVER

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)


class RegistryChange(models.Model):
    """A transaction that wrote to the registry's rows (PostgreSQL): what the registry list's kept
    page anchors (`core.anchors`) are checked against.

    Written by database triggers (migration `retirees 0006`) on every statement that inserts,
    updates, deletes or truncates retirees or branches (the list sorted by branch follows their
    order), whatever wrote it (services, imports, the admin, SQL by hand). Only inserted, one row
    per transaction, so writers never wait for each other here. The registry's version is the sum
    of `weight` over the rows a snapshot sees: it grows with every committed writing transaction,
    and two snapshots that see the same sum see the same retirees and branches.
    `registry_changes_fold` folds committed rows into one (the sum kept), so that the sum stays cheap.
    """

    xid = models.BigIntegerField(_("transaction"), null=True, blank=True)
    weight = models.PositiveBigIntegerField(_("weight"), default=1)

    class Meta:
        verbose_name = _("registry change")
        verbose_name_plural = _("registry changes")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["xid"],
                name="retirees_registrychange_xid_unique",
                violation_error_message=_("A transaction is recorded once."),
            )
        ]

    def __str__(self):
        return f"{self.xid or '-'} × {self.weight}"
