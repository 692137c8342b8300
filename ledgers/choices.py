from django.db import models
from django.utils.translation import gettext_lazy as _

from retirees.exports import REGISTRY as REGISTRY_EXPORT

# Doses 1 and 2 are the primary series, 3 the first booster, 4 the second booster.
MAX_DOSE_NUMBER = 4
DOSE_LABELS = {
    1: _("Dose 1"),
    2: _("Dose 2"),
    3: _("Dose 3 (first booster)"),
    4: _("Dose 4 (second booster)"),
}


class Arrangement(models.TextChoices):
    """How the retiree got to the vaccination: the office arranges the last two."""

    SELF = "self", _("Went on their own")
    TRANSPORT = "transport", _("Transport arranged (车接车送)")
    HOME = "home", _("Vaccinated at home (上门接种)")


class Stance(models.TextChoices):
    """Willingness to be vaccinated."""

    WILLING = "willing", _("Willing")
    UNDECIDED = "undecided", _("Undecided")
    UNWILLING = "unwilling", _("Unwilling")
    CONTRAINDICATED = "contraindicated", _("Contraindicated (禁忌)")


# A stance that the office follows up needs a reason.
STANCES_NEEDING_REASON = (Stance.UNWILLING, Stance.CONTRAINDICATED)


class TestResult(models.TextChoices):
    PENDING = "pending", _("Awaiting result")
    NEGATIVE = "negative", _("Negative")
    POSITIVE = "positive", _("Positive")


class ExposureKind(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed case")
    CLOSE_CONTACT = "close_contact", _("Close contact")
    SECONDARY_CONTACT = "secondary_contact", _("Secondary contact")
    SEALED_COMMUNITY = "sealed_community", _("Sealed community (封控区)")
    CONTROLLED_COMMUNITY = "controlled_community", _("Controlled community (管控区)")
    HOME_ISOLATION = "home_isolation", _("Home health monitoring")
    OTHER = "other", _("Other")


# Exposures that restrict the retiree's residential community (小区): a contact that finds the
# community unrestricted again ends them (`ledgers.services.community_exposure_record`).
COMMUNITY_KINDS = (ExposureKind.SEALED_COMMUNITY, ExposureKind.CONTROLLED_COMMUNITY)


class ExposureStatus(models.TextChoices):
    ONGOING = "ongoing", _("Ongoing")
    LIFTED = "lifted", _("Lifted")


class Condition(models.TextChoices):
    GOOD = "good", _("Good")
    STABLE = "stable", _("Chronic illness, stable")
    UNWELL = "unwell", _("Unwell")
    HOSPITALISED = "hospitalised", _("In hospital")


class Ledger(models.TextChoices):
    """What an export log entry exported."""

    REGISTRY = REGISTRY_EXPORT, _("Registry")
    VACCINATION = "vaccination", _("Vaccination ledger")
    TESTING = "testing", _("Nucleic-acid test ledger")
    EXPOSURE = "exposure", _("Exposure ledger")
    HEALTH = "health", _("Health ledger")
    SIGNOFF = "signoff", _("Signed-off ledger snapshot")
    SIGNOFF_CHANGES = "signoff_changes", _("Ledger changes since the previous sign-off")


class ImportKind(models.TextChoices):
    """What an uploaded file holds (ledgers.imports.kinds has one spec per kind)."""

    ROSTER = "roster", _("Roster (名册)")
    CONTACTS = "contacts", _("Family and caregiver contacts")
    VACCINATION = "vaccination", _("Vaccination ledger")
    TESTING = "testing", _("Nucleic-acid test ledger")
    EXPOSURE = "exposure", _("Exposure ledger")
    HEALTH = "health", _("Health ledger")


class ImportStatus(models.TextChoices):
    """Where an upload is: checked (its preview is ready) and imported are the resting states."""

    CHECKING = "checking", _("Being checked")
    CHECKED = "checked", _("Checked")
    IMPORTING = "importing", _("Being imported")
    IMPORTED = "imported", _("Imported")
    FAILED = "failed", _("Could not be completed")


class Vocabulary(models.TextChoices):
    """The lists an imported cell is matched against; a remembered mapping belongs to one of them."""

    BRANCH = "branch", _("branch")
    GENDER = "gender", _("gender")
    CATEGORY = "category", _("category")
    RESIDENCE_AREA = "residence_area", _("residence")
    LIVING_SITUATION = "living_situation", _("living situation")
    CARE_LEVEL = "care_level", _("care level")
    RELATION = "relation", _("relation")
    YES_NO = "yes_no", _("yes or no")
    DOSE_NUMBER = "dose_number", _("dose")
    ARRANGEMENT = "arrangement", _("arrangement")
    STANCE = "stance", _("willingness")
    TEST_RESULT = "test_result", _("result")
    EXPOSURE_KIND = "exposure_kind", _("kind")
    EXPOSURE_STATUS = "exposure_status", _("status")
    CONDITION = "condition", _("health")
