from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CheckinsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "checkins"
    verbose_name = _("Check-ins")

    def ready(self):
        from branches.signals import self_checkin_rule_changed
        from core.panels import register_retiree_panel
        from ledgers.signals import ledger_entry_changed

        from .panels import retiree_panel
        from .services import attention_on_ledger_change, on_self_checkin_rule_changed

        register_retiree_panel("checkins", retiree_panel, order=0)
        # Attention follows the ledgers however an entry was written (`ledgers` cannot call up).
        ledger_entry_changed.connect(attention_on_ledger_change, dispatch_uid="checkins.attention")
        # A branch's rule on self check-ins changed: the schedules that count them follow.
        self_checkin_rule_changed.connect(on_self_checkin_rule_changed, dispatch_uid="checkins.self_checkin_rule")
