"""The survey builder's pages (/undersoegelser/). The preview is in submissions.preview_urls."""

from django.urls import path

from surveys import builder_views as views

app_name = "builder"
urlpatterns = [
    path("", views.survey_list, name="survey_list"),
    path("ny/", views.survey_create, name="survey_create"),
    path("<slug:key>/", views.survey_detail, name="survey_detail"),
    path("<slug:key>/kladde/", views.draft, name="draft"),
    path("<slug:key>/kladde/opret/", views.draft_open, name="draft_open"),
    path("<slug:key>/kladde/generelt/", views.draft_settings, name="settings"),
    path("<slug:key>/kladde/udgiv/", views.draft_publish, name="publish"),
    path("<slug:key>/kladde/kasser/", views.draft_discard, name="discard"),
    path("<slug:key>/kladde/<slug:part>/ny/", views.item, name="item_add"),
    path("<slug:key>/kladde/<slug:part>/ny/kontrol/", views.item_check, name="item_add_check"),
    path("<slug:key>/kladde/<slug:part>/<int:index>/", views.item, name="item"),
    path(
        "<slug:key>/kladde/<slug:part>/<int:index>/kontrol/",
        views.item_check,
        name="item_check",
    ),
    path("<slug:key>/kladde/<slug:part>/<int:index>/flyt/", views.item_move, name="item_move"),
    path("<slug:key>/kladde/<slug:part>/<int:index>/fjern/", views.item_remove, name="item_remove"),
]
