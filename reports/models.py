"""The weekly report (周报), frozen when issued."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.access import OfficeOnlyQuerySet
from core.db import choices_check

from .choices import ReportScope


class WeeklyReport(models.Model):
    """One week's report for one scope, its figures frozen when issued.

    `figures` holds the numbers as they were counted at `issued_at` (see `selectors.report_figures`),
    so that a later reading shows what was reported, whatever the ledgers say since — as a closed
    round keeps the counts of its closing. A week and scope is issued once (the constraints): a
    second request opens the first report.
    """

    Scope = ReportScope

    week = models.DateField(_("week starting"))  # the Monday, Asia/Shanghai
    scope = models.CharField(_("scope"), max_length=8, choices=ReportScope.choices, default=ReportScope.ALL)
    branch = models.ForeignKey(
        "branches.Branch", verbose_name=_("branch"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    area = models.ForeignKey(
        "retirees.Area",
        verbose_name=_("residence area"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    figures = models.JSONField(_("figures"))
    issued_at = models.DateTimeField(_("issued at"))
    # Nobody when the Monday schedule issued it.
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = OfficeOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("weekly report")
        verbose_name_plural = _("weekly reports")
        ordering = ["-week", "scope", "branch", "area", "id"]
        constraints = [
            choices_check("scope", ReportScope.choices, "reports_weeklyreport_scope_valid", _("Unknown scope.")),
            models.CheckConstraint(
                condition=Q(week__iso_week_day=1),
                name="reports_weeklyreport_week_is_monday",
                violation_error_message=_("A report's week starts on a Monday."),
            ),
            models.CheckConstraint(
                condition=Q(scope=ReportScope.ALL, branch__isnull=True, area__isnull=True)
                | Q(scope=ReportScope.BRANCH, branch__isnull=False, area__isnull=True)
                | Q(scope=ReportScope.AREA, branch__isnull=True, area__isnull=False),
                name="reports_weeklyreport_scope_matches",
                violation_error_message=_("A report names its branch or its area, as its scope says."),
            ),
            models.UniqueConstraint(
                fields=["week"],
                condition=Q(scope=ReportScope.ALL),
                name="reports_weeklyreport_once_all",
                violation_error_message=_("This week's report was issued already."),
            ),
            models.UniqueConstraint(
                fields=["week", "branch"],
                condition=Q(scope=ReportScope.BRANCH),
                name="reports_weeklyreport_once_branch",
                violation_error_message=_("This week's report was issued already."),
            ),
            models.UniqueConstraint(
                fields=["week", "area"],
                condition=Q(scope=ReportScope.AREA),
                name="reports_weeklyreport_once_area",
                violation_error_message=_("This week's report was issued already."),
            ),
        ]

    def __str__(self):
        return f"{self.week:%Y-%m-%d} {self.figures.get('scope', {}).get('label', '')}"

    def get_absolute_url(self):
        return reverse("reports:detail", args=[self.pk])
