"""The REST API v1 router: each app contributes its endpoints from its own api.py."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
