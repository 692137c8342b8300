from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "core"

    def ready(self):
        from .choice_labels import use_kept_labels

        use_kept_labels()
