"""The registers shipped as reference data: `kommuner` (the 98 municipalities,
reference/data/municipalities.csv) and `regioner` (the 5 regions, reference/data/regions.csv).

The functions take the model classes as arguments so that migrations can call them with
their historical models."""

import csv
from pathlib import Path

from reference.models import KOMMUNER, REGIONER

DATA_DIR = Path(__file__).resolve().parent / "data"
REGIONS_CSV = DATA_DIR / "regions.csv"
POPULATION_CSV = DATA_DIR / "municipality_population.csv"
# The municipalities' residents on 1 January 2020 (Statistics Denmark FOLK1A 2020K1; sources in
# data/municipality_population.SOURCES.md): a number, not a category (no filter or group-by),
# and not in the municipal exports (their columns are fixed).
POPULATION_SPEC = {
    "key": "population",
    "label": {"da": "Indbyggertal (1. januar 2020)", "en": "Population (1 January 2020)"},
    "type": "integer",
    "categorical": False,
}
ERHVERVSSKOLER = "erhvervsskoler"

SHIPPED = {
    KOMMUNER: {
        "name": "Kommuner",
        "name_en": "Municipalities",
        "code_pattern": "[0-9]{1,4}",
        "has_geometry": True,
        "attributes": [
            {
                "key": "region",
                "label": {"da": "Region", "en": "Region"},
                "type": "code",
                "register": REGIONER,
                "categorical": True,
            },
            {
                "key": "dst_group",
                "label": {
                    "da": "Kommunegruppe (Danmarks Statistik)",
                    "en": "Municipality group (Statistics Denmark)",
                },
                "type": "text",
                "categorical": True,
            },
            POPULATION_SPEC,
        ],
    },
    REGIONER: {
        "name": "Regioner",
        "name_en": "Regions",
        "code_pattern": "108[1-5]",
        # A region is drawn as the municipalities that lie in it (exports.report.map_areas).
        "has_geometry": True,
        "attributes": [],
    },
    # Shipped without members: the register the shipped survey `erhvervsskoler` is asked of.
    # Coordinators load the schools on the register's page (the demo loads 27 synthetic ones).
    ERHVERVSSKOLER: {
        "name": "Erhvervsskoler",
        "name_en": "Vocational schools",
        "code_pattern": "[A-Z0-9]{1,10}",
        "has_geometry": False,
        "attributes": [
            {
                "key": "region",
                "label": {"da": "Region", "en": "Region"},
                "type": "code",
                "register": REGIONER,
                "categorical": True,
            },
            {
                "key": "municipality",
                "label": {"da": "Kommune", "en": "Municipality"},
                "type": "code",
                "register": KOMMUNER,
                "categorical": True,
            },
        ],
    },
}


def ensure_shipped_registers(register_model, keys=tuple(SHIPPED)) -> dict:
    """The shipped registers (or those of `keys`), created when missing (never changed when
    present). {key: Register}."""
    out = {}
    for key in keys:
        values = SHIPPED[key]
        out[key], _ = register_model.objects.get_or_create(key=key, defaults=values)
    return out


def municipal_attributes(region_code: str, dst_group: str, population: int | None = None) -> dict:
    """The kommuner register's attributes of a municipality, from its own columns (and its
    population, `read_population`, when known)."""
    attributes = {"region": region_code, "dst_group": dst_group}
    if population is not None:
        attributes["population"] = population
    return attributes


def read_population(path=POPULATION_CSV) -> dict[str, int]:
    """{municipality code: residents on 1 January 2020}."""
    with open(path, encoding="utf-8", newline="") as f:
        return {row["code"]: int(row["population"]) for row in csv.DictReader(f)}


def add_population(register_model, organisation_model, path=POPULATION_CSV) -> int:
    """Give the kommuner register its `population` attribute (when missing) and every
    municipality its number from the CSV. Idempotent; returns the members set."""
    register = register_model.objects.filter(key=KOMMUNER).first()
    if register is None:
        return 0
    specs = list(register.attributes or [])
    if not any(isinstance(a, dict) and a.get("key") == POPULATION_SPEC["key"] for a in specs):
        register.attributes = [*specs, POPULATION_SPEC]
        register.save(update_fields=["attributes"])
    population = read_population(path)
    count = 0
    for member in organisation_model.objects.filter(register=register, code__in=population):
        member.attributes = {**(member.attributes or {}), "population": population[member.code]}
        member.save(update_fields=["attributes"])
        count += 1
    return count


def read_regions(path=REGIONS_CSV) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def load_regions(register_model, organisation_model, path=REGIONS_CSV) -> tuple[int, int]:
    """Insert or update the 5 regions (idempotent). Returns (created, updated)."""
    register = ensure_shipped_registers(register_model, (REGIONER,))[REGIONER]
    existing = {o.code: o for o in organisation_model.objects.filter(register=register)}
    created = updated = 0
    for row in read_regions(path):
        current = existing.get(row["code"])
        if current is None:
            organisation_model.objects.create(register=register, code=row["code"], name=row["name"])
            created += 1
        elif current.name != row["name"] or not current.is_active:
            current.name, current.is_active = row["name"], True
            current.save(update_fields=["name", "is_active"])
            updated += 1
    return created, updated
