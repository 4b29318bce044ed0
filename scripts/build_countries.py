"""Generate data/countries.csv and data/regions.csv from installed reference packages.

Country names in English, French and Spanish come from pycountry (ISO 3166-1 and its gettext
catalogues); UN M49 regions come from the countries-and-territories table shipped inside
hdx-python-country (MIT). IBCR's own groupings are derived from the M49 sub-regions, with the
few overrides IBCR uses (the Andes, the Middle East, Djibouti in the Horn).

Run: .venv/bin/python scripts/build_countries.py
"""

from __future__ import annotations

import csv
import gettext
from pathlib import Path

import pycountry
from hdx.location import country as hdx_country

DATA = Path(__file__).resolve().parent.parent / "data"
HDX_CSV = Path(hdx_country.__file__).parent / "Countries & Territories Taxonomy MVP - C&T Taxonomy.csv"

# (code, type, English, French, Spanish, includes, order)
REGIONS = [
    ("west_africa", "ibcr", "West Africa", "Afrique de l'Ouest", "África Occidental", "", 10),
    ("central_africa", "ibcr", "Central Africa", "Afrique centrale", "África Central", "", 11),
    ("east_africa", "ibcr", "East Africa and the Horn", "Afrique de l'Est et Corne de l'Afrique", "África Oriental y Cuerno de África", "", 12),
    ("southern_africa", "ibcr", "Southern Africa", "Afrique australe", "África Austral", "", 13),
    ("north_africa", "ibcr", "North Africa", "Afrique du Nord", "África del Norte", "", 14),
    ("middle_east", "ibcr", "Middle East", "Moyen-Orient", "Oriente Medio", "", 15),
    ("mena", "ibcr", "Middle East and North Africa", "Moyen-Orient et Afrique du Nord", "Oriente Medio y África del Norte", "north_africa; middle_east", 16),
    ("central_america", "ibcr", "Central America and Mexico", "Amérique centrale et Mexique", "Centroamérica y México", "", 20),
    ("caribbean", "ibcr", "The Caribbean", "Caraïbes", "El Caribe", "", 21),
    ("andes", "ibcr", "The Andes", "Pays andins", "Países andinos", "", 22),
    ("south_america", "ibcr", "South America (outside the Andes)", "Amérique du Sud (hors pays andins)", "América del Sur (fuera de los países andinos)", "", 23),
    ("north_america", "ibcr", "North America", "Amérique du Nord", "América del Norte", "", 24),
    ("europe", "ibcr", "Europe", "Europe", "Europa", "", 30),
    ("south_asia", "ibcr", "South and Central Asia", "Asie du Sud et centrale", "Asia Meridional y Central", "", 40),
    ("southeast_asia", "ibcr", "Southeast Asia", "Asie du Sud-Est", "Sudeste Asiático", "", 41),
    ("east_asia", "ibcr", "East Asia", "Asie de l'Est", "Asia Oriental", "", 42),
    ("oceania", "ibcr", "Oceania", "Océanie", "Oceanía", "", 50),
    ("un_africa", "un", "Africa (UN)", "Afrique (ONU)", "África (ONU)", "", 60),
    ("un_americas", "un", "Americas (UN)", "Amériques (ONU)", "Américas (ONU)", "", 61),
    ("un_asia", "un", "Asia (UN)", "Asie (ONU)", "Asia (ONU)", "", 62),
    ("un_europe", "un", "Europe (UN)", "Europe (ONU)", "Europa (ONU)", "", 63),
    ("un_oceania", "un", "Oceania (UN)", "Océanie (ONU)", "Oceanía (ONU)", "", 64),
]

UN_REGION = {"Africa": "un_africa", "Americas": "un_americas", "Asia": "un_asia",
             "Europe": "un_europe", "Oceania": "un_oceania"}

# M49 sub-region (or intermediate region) -> IBCR grouping.
BY_SUBREGION = {
    "Western Africa": "west_africa", "Middle Africa": "central_africa",
    "Eastern Africa": "east_africa", "Southern Africa": "southern_africa",
    "Northern Africa": "north_africa", "Western Asia": "middle_east",
    "Southern Asia": "south_asia", "Central Asia": "south_asia",
    "South-eastern Asia": "southeast_asia", "Eastern Asia": "east_asia",
    "Central America": "central_america", "Caribbean": "caribbean",
    "South America": "south_america", "Northern America": "north_america",
}
ANDES = {"BOL", "COL", "ECU", "PER", "VEN"}
# M49 puts these in Western Asia, but they are not part of the Middle East grouping.
CAUCASUS_CYPRUS = {"ARM", "AZE", "GEO", "CYP"}
# M49 lists Iran under Southern Asia; IBCR and most NGOs group it with the Middle East.
MIDDLE_EAST_EXTRA = {"IRN"}
# M49 puts Angola in Middle Africa; IBCR's material (and SADC membership) places it in Southern Africa.
SOUTHERN_AFRICA_EXTRA = {"AGO"}


# pycountry stores some names in inverted catalogue order ("Corée, République de"). These
# display forms put them in reading order; everything else is pycountry's text unchanged.
DISPLAY_EN = {
    "CIV": "Côte d'Ivoire", "COD": "Democratic Republic of the Congo", "FSM": "Micronesia",
    "PSE": "Palestine", "RUS": "Russia", "VGB": "British Virgin Islands",
    "VIR": "United States Virgin Islands",
}
DISPLAY_FR = {
    "ALA": "Îles Åland", "BOL": "Bolivie", "CCK": "Îles Cocos (Keeling)", "CXR": "Île Christmas",
    "FLK": "Îles Malouines (Falkland)", "FSM": "Micronésie", "IRN": "Iran", "KOR": "Corée du Sud",
    "LAO": "Laos", "MDA": "Moldavie", "PRK": "Corée du Nord", "PSE": "Palestine",
    "REU": "La Réunion", "RUS": "Russie", "SLB": "Îles Salomon", "SYR": "Syrie",
    "TWN": "Taïwan", "TZA": "Tanzanie", "VEN": "Venezuela", "VIR": "Îles Vierges des États-Unis",
}
# Spanish: reading order as above, plus the few names pycountry's catalogue leaves in English or
# misspells ("Algeria", "Tunez", "Costa de Marfíl", "Burquina Faso"), in the forms the RAE's
# Diccionario panhispánico de dudas and the UN use.
DISPLAY_ES = {
    "ALA": "Islas Åland", "BES": "Bonaire, San Eustaquio y Saba", "BFA": "Burkina Faso", "BOL": "Bolivia",
    "BRN": "Brunéi", "CIV": "Côte d'Ivoire", "COD": "República Democrática del Congo", "COM": "Comoras",
    "DZA": "Argelia", "FLK": "Islas Malvinas (Falkland)", "FSM": "Micronesia", "IRN": "Irán",
    "KOR": "Corea del Sur", "LAO": "Laos", "MDA": "Moldavia", "MMR": "Myanmar", "PCN": "Islas Pitcairn",
    "PRK": "Corea del Norte", "PSE": "Palestina", "RUS": "Rusia", "SXM": "San Martín (parte neerlandesa)",
    "MAF": "San Martín (parte francesa)", "SYR": "Siria", "TLS": "Timor-Leste", "TUN": "Túnez", "TWN": "Taiwán",
    "TZA": "Tanzania", "VAT": "Santa Sede", "VEN": "Venezuela", "VGB": "Islas Vírgenes Británicas",
    "VIR": "Islas Vírgenes de los Estados Unidos",
}


def ibcr_region(iso3: str, region: str, subregion: str, intermediate: str) -> str:
    if iso3 in ANDES:
        return "andes"
    if iso3 in MIDDLE_EAST_EXTRA:
        return "middle_east"
    if iso3 in SOUTHERN_AFRICA_EXTRA:
        return "southern_africa"
    if iso3 in CAUCASUS_CYPRUS or region == "Europe":
        return "europe"
    if region == "Oceania":
        return "oceania"
    return BY_SUBREGION.get(intermediate) or BY_SUBREGION.get(subregion, "")


def main() -> None:
    fr = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["fr"])
    es = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["es"])
    m49 = {}
    with HDX_CSV.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            iso3 = row["ISO 3166-1 Alpha 3-Codes"].strip()
            if iso3:
                m49[iso3] = row
    rows = []
    for c in pycountry.countries:
        ref = m49.get(c.alpha_3, {})
        region = ref.get("Region Name", "")
        sub = ref.get("Sub-region Name", "")
        inter = ref.get("Intermediate Region Name", "")
        name_en = DISPLAY_EN.get(c.alpha_3) or getattr(c, "common_name", None) or c.name
        name_fr = DISPLAY_FR.get(c.alpha_3) or fr.gettext(c.name)
        name_es = DISPLAY_ES.get(c.alpha_3) or es.gettext(c.name)
        rows.append({
            "country_iso3": c.alpha_3,
            "country_iso2": c.alpha_2,
            "name_en": name_en,
            "name_fr": name_fr,
            "name_es": name_es,
            "m49_code": int(c.numeric),
            "un_region_code": UN_REGION.get(region, ""),
            "un_subregion_name": inter or sub,
            "ibcr_region_code": ibcr_region(c.alpha_3, region, sub, inter),
        })
    rows.sort(key=lambda r: r["country_iso3"])
    with (DATA / "countries.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    with (DATA / "regions.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["region_code", "region_type_code", "name_en", "name_fr", "name_es", "includes", "sort_order"])
        w.writerows(REGIONS)
    print(f"countries.csv: {len(rows)} rows; regions.csv: {len(REGIONS)} rows")


if __name__ == "__main__":
    main()
