from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "surveys"

    def ready(self):
        # Django requires this import here (models are loaded only once apps are ready).
        from accounts.audit_text import register_namer
        from surveys.audit_names import register_names, round_names, survey_names

        register_namer("surveys.round", round_names)
        register_namer("surveys.survey", survey_names)
        register_namer("reference.register", register_names)
