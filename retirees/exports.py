"""The registry's export, and the retiree columns every ledger file starts with."""

import datetime

from django.utils.translation import gettext_lazy as _

from core.exports import (
    Column,
    ExportContext,
    ExportSpec,
    attr_column,
    attr_getter,
    choice_column,
    index_column,
    source_path,
)

from .choices import CareLevel, Category, Gender, LivingSituation, ResidenceArea, Status
from .validators import mask_id_number

# The export log's key of the registry file (one of ledgers.choices.Ledger).
REGISTRY = "registry"


def age_from(birth_date: datetime.date | None, context: ExportContext) -> int | None:
    """Age in whole years on the export's day (as `Retiree.age_on`, from the birth date alone)."""
    if birth_date is None:
        return None
    today = context.today
    return today.year - birth_date.year - ((today.month, today.day) < (birth_date.month, birth_date.day))


def age_column(through: str = "") -> Column:
    birth_date = f"{through}.birth_date" if through else "birth_date"
    get = attr_getter(birth_date)
    return Column(
        "age",
        _("Age"),
        lambda obj, c: age_from(get(obj, c), c),
        width=6,
        source=source_path(birth_date),
        convert=age_from,
    )


def retiree_columns(through: str = "") -> list[Column]:
    """序号, 姓名, 性别, 年龄, 所在支部, 居住地, 联系电话: the columns every ledger starts with."""

    def path(name):
        return f"{through}.{name}" if through else name

    return [
        index_column(),
        attr_column("name", _("Name"), path("name"), width=10, link=True),
        choice_column("gender", _("Gender"), path("gender"), Gender.choices, width=6),
        age_column(through),
        attr_column("branch", _("Member of branch"), path("branch.name"), width=16),
        choice_column("residence_area", _("Residence"), path("residence_area"), ResidenceArea.choices, width=12),
        attr_column("phone", _("Contact phone"), path("phone"), width=14),
    ]


def registry_spec() -> ExportSpec:
    columns = [
        index_column(),
        attr_column("name", _("Name"), "name", width=10, link=True),
        choice_column("gender", _("Gender"), "gender", Gender.choices, width=6),
        attr_column("birth_date", _("Date of birth"), "birth_date", width=12, is_date=True),
        age_column(),
        choice_column("category", _("Category"), "category", Category.choices, width=8),
        attr_column("branch", _("Member of branch"), "branch.name", width=16),
        attr_column("former_unit", _("Former unit"), "former_unit", width=16),
        attr_column("phone", _("Contact phone"), "phone", width=14),
        attr_column("phone_alt", _("Other phone"), "phone_alt", width=14),
        attr_column("wechat", _("WeChat ID"), "wechat", width=12),
        choice_column("residence_area", _("Residence"), "residence_area", ResidenceArea.choices, width=12),
        attr_column("community", _("Community"), "community", width=16),
        attr_column("address", _("Address"), "address", width=24),
        choice_column("living_situation", _("Living situation"), "living_situation", LivingSituation.choices),
        choice_column("care_level", _("Care level"), "care_level", CareLevel.choices, width=10),
        choice_column("status", _("Status"), "status", Status.choices, width=8),
        attr_column("id_number", _("ID number"), "id_number", width=20, mask=mask_id_number),
        attr_column("notes", _("Notes"), "notes", width=30),
    ]
    return ExportSpec(REGISTRY, _("Retiree registry"), columns)
