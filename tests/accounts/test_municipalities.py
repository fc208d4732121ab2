"""The 98 municipalities are reference data, loaded by a data migration and kept up to date by
an idempotent command."""

from collections import Counter

from django.core.management import call_command

from reference.models import Municipality

REGIONS = {
    "Region Hovedstaden": 29,
    "Region Sjælland": 17,
    "Region Syddanmark": 22,
    "Region Midtjylland": 19,
    "Region Nordjylland": 11,
}
DST_GROUPS = {
    "Hovedstadskommuner": 24,
    "Storbykommuner": 3,
    "Provinsbykommuner": 16,
    "Oplandskommuner": 24,
    "Landkommuner": 31,
}


def real_municipalities():
    return Municipality.objects.municipalities()


def test_there_are_98_municipalities_with_unique_three_digit_codes(db):
    codes = list(real_municipalities().values_list("code", flat=True))

    assert len(codes) == 98
    assert len(set(codes)) == 98
    assert all(len(code) == 3 and code.isdigit() for code in codes)


def test_municipalities_per_region(db):
    assert Counter(real_municipalities().values_list("region_name", flat=True)) == REGIONS


def test_municipalities_per_dst_group(db):
    assert Counter(real_municipalities().values_list("dst_group", flat=True)) == DST_GROUPS


def test_each_region_has_one_region_code(db):
    pairs = set(real_municipalities().values_list("region_name", "region_code"))

    assert len(pairs) == 5


def test_known_rows(db):
    assert Municipality.objects.get(code="101").name == "København"
    odder = Municipality.objects.get(code="727")
    assert (odder.name, odder.region_name, odder.dst_group) == (
        "Odder",
        "Region Midtjylland",
        "Oplandskommuner",
    )


def test_load_municipalities_twice_changes_nothing(db, capsys):
    before = list(Municipality.objects.order_by("code").values())

    call_command("load_municipalities")
    call_command("load_municipalities")

    assert "0 oprettet, 0 opdateret, 98 i alt" in capsys.readouterr().out
    assert list(Municipality.objects.order_by("code").values()) == before


def test_load_municipalities_repairs_a_changed_row(db, capsys):
    Municipality.objects.filter(code="360").update(name="Lolland (forkert)")

    call_command("load_municipalities")

    assert "0 oprettet, 1 opdateret" in capsys.readouterr().out
    assert Municipality.objects.get(code="360").name == "Lolland"
