from django.apps import AppConfig


class SubmissionsConfig(AppConfig):
    name = "submissions"

    def ready(self):
        # Django requires this import here (models are loaded only once apps are ready).
        from accounts.audit_text import register_namer
        from submissions.audit_names import in_round_names, municipality_names

        for object_type in ("submission", "chase_note", "submissions.submission"):
            register_namer(object_type, in_round_names)
        register_namer("contact", municipality_names)
