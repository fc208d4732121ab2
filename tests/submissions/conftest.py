import pytest

from tests.factories import make_round


@pytest.fixture
def jml(db):
    """An open juniormesterlære round for Lolland and Odder."""
    return make_round(codes=["360", "727"], slug="jml-2026")


@pytest.fixture
def ph(db):
    """An open prøvehandlinger round for Lolland and Gentofte."""
    return make_round("proevehandlinger", codes=["360", "157"], slug="ph-2026")


def form_url(round_, code="360", suffix=""):
    return f"/indberet/{round_.slug}/{code}/{suffix}"


def post_form(client, round_, answers, *, version, action="save", code="360", **extra):
    data = {f"q-{k}": v for k, v in answers.items()}
    data.update({"version": str(version), "action": action, **extra})
    return client.post(form_url(round_, code), data)
