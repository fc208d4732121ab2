"""/opfoelgning/: the coordinator's follow-up pages (see tracking/views.py)."""

from django.urls import path, re_path

from lib.api_schema import URL_CODE
from tracking import views

app_name = "tracking"

CODE = rf"(?P<code>{URL_CODE})"  # a member of the round's register: 360, S05
SLUG = r"(?P<slug>[-a-zA-Z0-9_]+)"

urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:slug>/", views.board, name="board"),
    path("<slug:slug>/paamindelser/", views.send_reminder, name="send_reminder"),
    path("<slug:slug>/paamindelser/plan/", views.reminder_settings, name="reminder_settings"),
    re_path(
        rf"^{SLUG}/ikke-svaret\.(?P<fmt>csv|xlsx)$",
        views.nonresponders_download,
        name="nonresponders",
    ),
    path("<slug:slug>/gennemse/", views.review_queue, name="review_queue"),
    path("<slug:slug>/luk/", views.close_round, name="close"),
    path("<slug:slug>/genaabn/", views.reopen_round, name="reopen"),
    re_path(rf"^{SLUG}/{CODE}/$", views.municipality_detail, name="municipality"),
    re_path(rf"^{SLUG}/{CODE}/note/$", views.add_note, name="add_note"),
    re_path(rf"^{SLUG}/{CODE}/kontakt/$", views.add_contact, name="add_contact"),
    re_path(rf"^{SLUG}/{CODE}/gennemse/$", views.review_submission, name="review"),
]
