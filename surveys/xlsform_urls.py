"""The builder's XLSForm pages (/undersoegelser/), beside surveys.builder_urls."""

from django.urls import path

from surveys import xlsform_views as views

app_name = "xlsform"
urlpatterns = [
    path("<slug:key>/versioner/<int:version>/xlsform/", views.download, name="download"),
    path("<slug:key>/kladde/xlsform/", views.upload, name="upload"),
]
