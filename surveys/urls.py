from django.urls import path

from surveys import views

app_name = "surveys"
urlpatterns: list = []
urlpatterns += [path("", views.round_list, name="round_list")]
