"""The builder's preview of a draft version (/undersoegelser/<key>/kladde/forhaandsvisning/):
here because it renders with the officer's form (submissions sits above surveys)."""

from django.urls import path

from submissions import preview

app_name = "preview"
urlpatterns = [
    path("<slug:key>/kladde/forhaandsvisning/", preview.draft_preview, name="draft"),
    path(
        "<slug:key>/kladde/forhaandsvisning/synlighed/",
        preview.draft_relevance,
        name="relevance",
    ),
]
