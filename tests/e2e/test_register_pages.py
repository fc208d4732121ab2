"""The register pages (issue 14) in the browser, in Danish and English, each checked with axe:
the registers, one register with its members, creating a register, loading members from a
file (the preview of what changes, then applying it), one member's form and a new selection."""

import pytest

from accounts.models import Role
from demo.schools import register_table
from reference.models import Register
from reference.registers import ERHVERVSSKOLER, ensure_shipped_registers
from surveys.registers import apply_members
from tests.e2e.conftest import check_page, log_in
from tests.factories import make_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("language", ["da", "en"])
def test_a_coordinator_loads_a_register_from_a_file(page_for, live_server, language, tmp_path):
    register = ensure_shipped_registers(Register, (ERHVERVSSKOLER,))[ERHVERVSSKOLER]
    apply_members(register, register_table(), actor=None)
    coordinator = make_user(Role.COORDINATOR, email=f"coord-{language}@indberet.dk")
    page = page_for(language)
    log_in(page, live_server, coordinator)

    page.goto("/registre/")
    check_page(page, "registers", language)
    page.goto("/registre/ny/")
    check_page(page, "register create", language)
    page.goto("/registre/erhvervsskoler/")
    check_page(page, "register detail", language)
    page.goto("/registre/erhvervsskoler/medlem/S05/")
    check_page(page, "register member", language)
    page.goto("/registre/erhvervsskoler/udvalg/ny/")
    check_page(page, "register selection", language)

    page.goto("/registre/erhvervsskoler/indlaes/")
    check_page(page, "register upload", language)
    bad = tmp_path / "bad.csv"
    bad.write_text("kode;navn;region;municipality\nS01;A;1089;101\nS01;B;1084;101\n", "cp1252")
    page.locator("#id_file").set_input_files(str(bad))
    page.locator("form button.button-primary").click()
    page.wait_for_load_state()
    check_page(page, "register preview with problems", language)

    page.goto("/registre/erhvervsskoler/indlaes/")
    good = tmp_path / "good.csv"
    good.write_text("code,name,region,municipality\nS01,Erhvervsskole A1,1084,101\n", "utf-8")
    page.locator("#id_file").set_input_files(str(good))
    page.locator("#id_remove_missing").uncheck()
    page.locator("form button.button-primary").click()
    page.wait_for_load_state()
    check_page(page, "register preview", language)
    page.locator("form button.button-primary").click()
    page.wait_for_load_state()
    assert register.members.get(code="S01").name == "Erhvervsskole A1"
