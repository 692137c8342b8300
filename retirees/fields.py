"""The registry's fields, listed once: the retiree form and the roster import read them from here."""

# What a person is (the roster's columns, in the order of the roster template), then their
# state in the registry, which only the form edits: a roster lists people, not their status.
ROSTER_FIELDS = (
    "name",
    "gender",
    "birth_date",
    "branch",
    "category",
    "former_unit",
    "phone",
    "phone_alt",
    "wechat",
    "residence_area",
    "community",
    "address",
    "living_situation",
    "care_level",
    "id_number",
    "notes",
)
STATE_FIELDS = ("status", "moved_on", "deceased_on", "consent_given", "consent_on")
REGISTRY_FIELDS = ROSTER_FIELDS + STATE_FIELDS
