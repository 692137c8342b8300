from django.db import models
from django.utils.translation import gettext_lazy as _


class MeetingKind(models.TextChoices):
    FORUM = "forum", _("Forum (座谈会)")
    STUDY = "study", _("Study session")
    OTHER = "other", _("Other event")


class MeetingMode(models.TextChoices):
    ONLINE = "online", _("Online")
    IN_PERSON = "in_person", _("In person")
