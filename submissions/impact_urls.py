"""The builder's rule-impact pages (/undersoegelser/): here because they read answers."""

from django.urls import path

from submissions import impact_views as views

app_name = "impact"
urlpatterns = [
    path("<slug:key>/kladde/virkning/", views.draft_impact, name="draft"),
    # Not under kladde/: the builder's kladde/<part>/<index>/ would take it.
    path("<slug:key>/virkning/<int:run>/", views.impact_run, name="run"),
]
