"""The production URLconf plus the bench's floor endpoint (tests/bench/floor.py)."""

from backend.urls import urlpatterns as production
from tests.bench.floor import urlpatterns as floor

urlpatterns = [*production, *floor]
