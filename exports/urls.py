from django.urls import path

from exports import views

app_name = "exports"
urlpatterns = [
    path("", views.index, name="index"),
    path("hent/", views.download, name="download"),
    path("fil/<uuid:uid>/", views.file, name="file"),
    path("fil/<uuid:uid>/igen/", views.again, name="again"),
    path("runde/<slug:slug>/", views.analysis, name="analysis"),
]
