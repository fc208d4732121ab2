from django.urls import path

from surveys import views

app_name = "surveys"
urlpatterns = [
    path("", views.round_list, name="round_list"),
    path("ny/", views.round_create, name="round_create"),
    path("tidligere/ny/", views.round_create_historical, name="round_create_historical"),
    path("<slug:slug>/", views.round_detail, name="round_detail"),
    path("<slug:slug>/rediger/", views.round_edit, name="round_edit"),
    path("<slug:slug>/slet/", views.round_delete, name="round_delete"),
    path("<slug:slug>/aabn/", views.round_open, name="round_open"),
    path("<slug:slug>/genaabn/", views.round_reopen, name="round_reopen"),
]
