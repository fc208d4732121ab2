"""The bulk import pages (issue 15) in the browser, in Danish and English, each checked with
axe: the import page with the template links, the dry run with an error and a warning, the
report after applying, the undo confirmation, and the page that creates a historical round."""

import pytest

from accounts.models import Role
from imports.models import Import
from tests.e2e.conftest import check_page, log_in
from tests.factories import make_round, make_submission, make_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CSV = (
    "municipality_code;pupils_8_9;enrolled;share_high_explanation\r\n"
    "360;700;160;Ny ordning på to skoler\r\n"
    "727;800;900;\r\n"
    "706;1.250;30;\r\n"
).encode("cp1252")


@pytest.mark.parametrize("language", ["da", "en"])
def test_the_import_pages(page_for, live_server, language, tmp_path):
    coordinator = make_user(Role.COORDINATOR, email=f"coord-{language}@indberet.dk")
    round_ = make_round(codes=["360", "727", "706"], title="Februar 2026", slug="feb")
    make_submission(round_, "706", {"pupils_8_9": 1200, "enrolled": 20}, state="draft")
    page = page_for(language)
    log_in(page, live_server, coordinator)

    page.goto("/opfoelgning/feb/import/")
    check_page(page, "import upload", language)
    path = tmp_path / "svar.csv"
    path.write_bytes(CSV)
    page.locator("#id_file").set_input_files(str(path))
    page.locator("form button.button-primary").click()
    page.wait_for_load_state()
    check_page(page, "import dry run", language)
    page.locator("#id_mode_1").check()
    page.locator("form button.button-primary").click()
    page.wait_for_load_state()
    check_page(page, "import report", language)
    imp = Import.objects.get()
    assert imp.state == "applied"
    page.goto(f"/opfoelgning/feb/import/{imp.pk}/fortryd/")
    check_page(page, "import undo", language)

    page.goto("/runder/tidligere/ny/")
    check_page(page, "historical round create", language)
