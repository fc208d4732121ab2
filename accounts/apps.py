from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Brugere og adgang"

    def ready(self):
        # Imported here, as Django requires: the receivers need the models, which are loaded
        # only once every app is ready.
        from accounts import signals  # noqa: F401  (connects the audit receivers)
