"""/opfoelgning/<round>/import/: the bulk import pages (see imports/views.py)."""

from django.urls import path, re_path

from imports import views

app_name = "imports"

urlpatterns = [
    path("<slug:slug>/import/", views.index, name="index"),
    re_path(
        r"^(?P<slug>[-a-zA-Z0-9_]+)/import/skabelon/(?P<fmt>csv|csv-da|xlsx)/$",
        views.download_template,
        name="template",
    ),
    path("<slug:slug>/import/<int:import_id>/", views.detail, name="detail"),
    path("<slug:slug>/import/<int:import_id>/fortryd/", views.undo, name="undo"),
]
