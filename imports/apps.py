from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "imports"

    def ready(self):
        # Django requires this import here (models are loaded only once apps are ready).
        from accounts.audit_text import register_namer
        from imports.audit_names import import_names

        register_namer("imports.import", import_names)
