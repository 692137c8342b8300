from django.db import models
from django.utils.translation import gettext_lazy as _


class DeliveryMethod(models.TextChoices):
    IN_PERSON = "in_person", _("Handed over in person")
    PHONE = "phone", _("Read out by phone")
    WECHAT = "wechat", _("Sent by WeChat")
    POST = "post", _("By post")
    FAMILY = "family", _("Through family")
    OWN_PAGE = "own_page", _("Read on their own page")
