from django.urls import path

from exports import views

app_name = "exports"
urlpatterns: list = []
urlpatterns += [path("", views.index, name="index")]
