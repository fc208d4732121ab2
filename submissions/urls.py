from django.urls import path  # noqa: F401

from submissions import views  # noqa: F401

app_name = "submissions"
urlpatterns: list = []
