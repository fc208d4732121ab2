"""/registre/: the coordinators' register pages (surveys/register_views.py)."""

from django.urls import path, re_path

from lib.api_schema import URL_CODE
from surveys import register_views as views

app_name = "registers"
urlpatterns = [
    path("", views.register_list, name="list"),
    path("ny/", views.register_create, name="create"),
    path("<slug:key>/", views.register_detail, name="detail"),
    path("<slug:key>/indlaes/", views.register_upload, name="upload"),
    path("<slug:key>/indlaes/anvend/", views.register_apply, name="apply"),
    path("<slug:key>/medlem/ny/", views.member_edit, name="member_create"),
    re_path(
        rf"^(?P<key>[-a-z0-9]+)/medlem/(?P<code>{URL_CODE})/$", views.member_edit, name="member"
    ),
    path("<slug:key>/udvalg/ny/", views.selection_create, name="selection_create"),
]
