"""Write a valid dataset 1,000 times the size of data/ into a folder, for the scale benchmark.

The reference tables (countries, regions, sources, conflicts, geometry) are copied as they are;
engagements, programmes, events and reported figures are generated over every country in
countries.csv and 60 years (1966-2025, ends up to 2035). Only the copy of datapackage.yaml is
changed: its year bounds are widened to 1966 so the older generated years validate. Every
generated row validates: codes come from the code tables (codes/*.csv), foreign keys resolve, every
text is filled in English, French and Spanish, and no end comes before its start.

    python benchmarks/generate.py /tmp/ibcr-1000x            # then IBCR_DATA_DIR=/tmp/ibcr-1000x
"""

from __future__ import annotations

import argparse
import csv
import random
import shutil
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
COPIED = ("countries.csv", "regions.csv", "sources.csv", "conflicts.csv", "geo", "codes",
          "policy.csv", "policy_metrics.csv", "policy_countries.csv")
BOARD_SHARE = 0.03  # records kept for the board (never a programme: a public record may rest on any programme)
FIRST_YEAR, LAST_START_YEAR, LAST_YEAR = 1966, 2025, 2035
STATUS_YEAR = 2026  # the dataset's last_updated year: what counts as "ongoing"


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def _write(path: Path, resource: dict, rows: list[dict[str, str]], m: _Maker) -> None:
    """Write the columns the descriptor declares; a column this script does not know yet gets a valid filler."""
    fields = resource["schema"]["fields"]
    header = [f["name"] for f in fields]
    unknown = [f for f in fields if rows and f["name"] not in rows[0]]
    code_lists = _code_lists(resource)
    for row in rows:
        for f in unknown:
            row[f["name"]] = _filler(f, m, code_lists.get(f["name"]))
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=header, lineterminator="\n", extrasaction="ignore")
        w.writeheader()
        w.writerows(rows)


def _code_lists(resource: dict) -> dict[str, str]:
    """Field -> the code list (primary key of a code table, e.g. kind_code) its foreign key points at."""
    fks = resource["schema"].get("foreignKeys", [])
    return {fk["fields"]: fk["reference"]["fields"] for fk in fks if fk["reference"]["fields"].endswith("_code")}


def _filler(field: dict, m: _Maker, code_list: str | None = None) -> str:
    c = field.get("constraints") or {}
    if c.get("enum"):
        return str(m.rnd.choice(c["enum"]))
    if code_list:
        return m.pick(code_list)
    if not c.get("required"):
        return ""
    return {"integer": "2000", "number": "1", "boolean": "false"}.get(field.get("type", "string"), "Generated")


def widen_years(descriptor: dict) -> dict:
    """Lower the minimum of every integer *_year field to FIRST_YEAR (in the copy only)."""
    for res in descriptor["resources"]:
        for field in res["schema"]["fields"]:
            c = field.get("constraints") or {}
            if field.get("type") == "integer" and field["name"].endswith("_year") and c.get("minimum", 0) > FIRST_YEAR:
                c["minimum"] = FIRST_YEAR
    return descriptor


class _Maker:
    """Shared random choices, all drawn from the code tables and the copied reference tables."""

    def __init__(self, descriptor: dict, seed: int, data: Path) -> None:
        self.rnd = random.Random(seed)
        self.vocab = {}  # code list (e.g. kind_code) -> its codes, from each table whose key is a _code column
        for res in descriptor["resources"]:
            key = res["schema"].get("primaryKey")
            if isinstance(key, str) and key.endswith("_code"):
                self.vocab[key] = [row[key] for row in _rows(data / res["path"])]
        countries = _rows(data / "countries.csv")
        self.iso3 = [c["country_iso3"] for c in countries]
        self.names = {c["country_iso3"]: (c["name_en"], c["name_fr"], c["name_es"]) for c in countries}
        self.sources = [s["source_id"] for s in _rows(data / "sources.csv")]
        self.unit_of = {r["metric_code"]: r["unit_code"] for r in _rows(data / "codes" / "metric.csv")}
        self.conflicts = [c["conflict_id"] for c in _rows(data / "conflicts.csv")]
        self.funders = [f"Funder {i}" for i in range(1, 41)]
        self.partners = [f"Partner organisation {i}" for i in range(1, 201)]

    def pick(self, vocabulary: str) -> str:
        return self.rnd.choice(self.vocab[vocabulary])

    def maybe(self, p: float, value) -> str:
        return str(value) if self.rnd.random() < p else ""

    def several(self, pool: list[str], p: float) -> str:
        if self.rnd.random() >= p:
            return ""
        return "; ".join(self.rnd.sample(pool, self.rnd.randint(1, 3)))

    def span(self, p_start: float = 1.0, p_end: float = 0.6) -> tuple[str, str, str, str]:
        """start_year, start_date, end_year, end_date: end >= start, dates agree with years."""
        if self.rnd.random() >= p_start:
            return "", "", "", ""
        start = self.rnd.randint(FIRST_YEAR, LAST_START_YEAR)
        end = min(start + self.rnd.randint(0, 10), LAST_YEAR) if self.rnd.random() < p_end else None
        start_date = f"{start}-{self.rnd.randint(1, 12):02d}" if self.rnd.random() < 0.3 else ""
        end_date = f"{end}-{self.rnd.randint(1, 12):02d}" if end is not None and self.rnd.random() < 0.3 else ""
        if start_date and end_date and end_date < start_date:
            end_date = start_date
        return str(start), start_date, "" if end is None else str(end), end_date

    def status(self, start: str, end: str) -> tuple[str, str]:
        """status_code and status_as_of, consistent with the years."""
        if not start and not end:
            return self.rnd.choice(["completed", "unknown"]), str(self.rnd.randint(2000, LAST_START_YEAR))
        if end and int(end) < STATUS_YEAR:
            return "completed", end
        if start and int(start) > STATUS_YEAR:
            return "planned", str(STATUS_YEAR)
        last = min(STATUS_YEAR, int(end) - 1) if end else STATUS_YEAR  # an ongoing record has not ended yet
        return "ongoing", str(self.rnd.randint(min(max(int(start or FIRST_YEAR), 2000), last), last))

    def unique(self, key: tuple, seen: set, programme_ids: list[str]) -> str:
        """A programme that makes `key` + programme unseen, so no two rows look like one piece of work."""
        programme = key[-1]
        while key[:-1] + (programme,) in seen:
            programme = self.rnd.choice(programme_ids)
        seen.add(key[:-1] + (programme,))
        return programme


def programmes(m: _Maker, n: int) -> list[dict[str, str]]:
    rows = []
    for i in range(n):
        start, start_date, end, end_date = m.span(1.0, 0.95)
        status, as_of = m.status(start, end)
        kind = m.pick("kind_code")
        rows.append({
            "programme_id": f"gen-p{i:05d}", "name_en": f"Generated programme {i}",
            "name_fr": f"Programme généré {i}", "name_es": f"Programa generado {i}",
            "acronym": m.maybe(0.33, f"GP{i}"), "kind_code": kind,
            "funders": m.several(m.funders, 0.7), "partners": m.several(m.partners, 0.8),
            "start_year": start, "start_date": start_date, "end_year": end, "end_date": end_date,
            "planned_end_year": m.maybe(0.3, min(int(start) + m.rnd.randint(2, 8), LAST_YEAR)),
            "date_precision_code": "month" if start_date else "year", "status_code": status, "status_as_of": as_of,
            "description_en": f"Generated programme {i} ({kind}) for the scale benchmark.",
            "description_fr": f"Programme {i} généré ({kind}) pour le banc d'essai de charge.",
            "description_es": f"Programa {i} generado ({kind}) para la prueba de carga.",
            "source_id": m.rnd.choice(m.sources), "evidence": "Generated row (benchmarks/generate.py).",
            "confidence_code": m.pick("confidence_code"), "conflict_id": m.maybe(0.05, m.rnd.choice(m.conflicts)),
        })
    return rows


def engagements(m: _Maker, n: int, programmes: list[dict[str, str]]) -> list[dict[str, str]]:
    """Engagements, each of a programme (one per country and programme: the duplicate rule compares records of
    one programme in one country whatever their kind), none older than the news of its running programme."""
    programme_ids = [p["programme_id"] for p in programmes]
    running = {p["programme_id"]: p["status_as_of"] for p in programmes if p["status_code"] == "ongoing"}
    rows, seen = [], set()
    for i in range(n):
        iso3 = m.iso3[i] if i < len(m.iso3) else m.rnd.choice(m.iso3)  # every country at least once
        start, start_date, end, end_date = m.span(0.8, 0.6)
        status, as_of = m.status(start, end)
        kind = m.pick("kind_code")
        name_en, name_fr, name_es = m.names[iso3]
        programme = m.unique((iso3, m.rnd.choice(programme_ids)), seen, programme_ids)
        if status == "ongoing" and running.get(programme, "") > as_of:  # the programme's news is later
            as_of = running[programme]
            if end and int(end) <= int(as_of[:4]):  # it had ended by then
                status, as_of = "completed", end
        rows.append({
            "engagement_id": f"gen-e{i:06d}", "country_iso3": iso3, "subdivision_code": "",
            "place_name": m.maybe(0.2, f"Place {m.rnd.randint(1, 500)}"), "kind_code": kind,
            "programme_id": programme,
            "start_year": start, "start_date": start_date, "end_year": end, "end_date": end_date,
            "date_precision_code": ("month" if start_date else "year") if start else "unknown",
            "status_code": status, "status_as_of": as_of,
            "partners": m.several(m.partners, 0.47), "funders": m.several(m.funders, 0.5),
            "description_en": f"Generated engagement {i}: {kind} in {name_en}.",
            "description_fr": f"Engagement {i} généré : {kind} en {name_fr}.",
            "description_es": f"Intervención {i} generada: {kind} en {name_es}.",
            "source_id": m.rnd.choice(m.sources), "evidence": "Generated row (benchmarks/generate.py).",
            "confidence_code": m.pick("confidence_code"), "conflict_id": m.maybe(0.05, m.rnd.choice(m.conflicts)),
        })
    return rows


def events(m: _Maker, n: int, programme_ids: list[str]) -> list[dict[str, str]]:
    rows, seen = [], set()
    for i in range(n):
        start, start_date, end, _ = m.span(1.0, 0.12)
        category = "founding" if i == 0 else m.pick("category_code")
        country = m.maybe(0.64, m.rnd.choice(m.iso3))
        programme = m.unique((start, category, country, m.maybe(0.7, m.rnd.choice(programme_ids))), seen, programme_ids)
        rows.append({
            "event_id": f"gen-ev{i:06d}", "start_year": start, "start_date": start_date, "end_year": end,
            "date_precision_code": "month" if start_date else ("range" if end else "year"),
            "title_en": f"Generated milestone {i}", "title_fr": f"Jalon généré {i}",
            "title_es": f"Hito generado {i}",
            "description_en": f"Generated milestone {i} ({category}) for the scale benchmark.",
            "description_fr": f"Jalon {i} généré ({category}) pour le banc d'essai de charge.",
            "description_es": f"Hito {i} generado ({category}) para la prueba de carga.",
            "category_code": category, "is_key_milestone": "true" if m.rnd.random() < 0.3 else "false",
            "country_iso3": country, "place_name": m.maybe(0.3, f"Place {i % 500}"),
            "programme_id": programme, "source_id": m.rnd.choice(m.sources),
            "evidence": "Generated row (benchmarks/generate.py).", "confidence_code": m.pick("confidence_code"),
            "conflict_id": m.maybe(0.05, m.rnd.choice(m.conflicts)),
        })
    return rows


def metrics(m: _Maker, n: int, programme_ids: list[str]) -> list[dict[str, str]]:
    rows = []
    for i in range(n):
        end = m.rnd.randint(FIRST_YEAR, LAST_START_YEAR)
        start = m.maybe(0.84, m.rnd.randint(FIRST_YEAR, end))
        qualifier = m.pick("qualifier_code")
        value = m.rnd.randint(1, 100_000)
        code = m.pick("metric_code")
        rows.append({
            "metric_id": f"gen-m{i:06d}", "metric_code": code, "value": str(value), "unit_code": m.unit_of[code],
            "value_max": str(value + m.rnd.randint(1, 1000)) if qualifier == "range" else "",
            "qualifier_code": qualifier, "scope_code": m.pick("scope_code"),
            "is_target": "true" if m.rnd.random() < 0.1 else "false",
            "period_label_en": f"{start}-{end}" if start else f"as of {end}",
            "period_label_fr": f"{start}-{end}" if start else f"en {end}",
            "period_label_es": f"{start}-{end}" if start else f"en {end}", "start_year": start, "end_year": str(end),
            "programme_id": m.maybe(0.46, m.rnd.choice(programme_ids)),
            "country_iso3": m.maybe(0.31, m.rnd.choice(m.iso3)),
            "note_en": f"Generated figure {i} ({code}).", "note_fr": f"Chiffre {i} généré ({code}).",
            "note_es": f"Cifra {i} generada ({code}).",
            "source_id": m.rnd.choice(m.sources), "evidence": "Generated row (benchmarks/generate.py).",
            "confidence_code": m.pick("confidence_code"), "conflict_id": m.maybe(0.02, m.rnd.choice(m.conflicts)),
        })
    return rows


def real_links(data: Path) -> int:
    return len(_rows(data / "record_sources.csv"))


def record_sources(m: _Maker, n: int, tables: dict[str, list[dict[str, str]]]) -> list[dict[str, str]]:
    """Further sources of generated records: each a source other than the record's main one, once per record."""
    ids = {"engagements": "engagement_id", "events": "event_id", "metrics": "metric_id"}
    rows, seen = [], set()
    for i in range(n):
        table = ("engagements", "events", "metrics")[i % 3]
        record = m.rnd.choice(tables[table])
        source = m.rnd.choice(m.sources)
        key = (table, record[ids[table]], source)
        if source == record["source_id"] or key in seen:
            continue
        seen.add(key)
        rows.append({"record_table": table, "record_id": key[1], "source_id": source,
                     "evidence": "Generated link (benchmarks/generate.py).", "confidence_code": m.pick("confidence_code")})
    return rows


def generate(out: Path, factor: int = 1000, seed: int = 1, programme_count: int | None = None,
             data: Path = DATA) -> dict[str, int]:
    """Write the generated dataset into `out` (emptied first); return the row count of each table.

    `data` is the real dataset it copies and scales (data/ of this checkout by default).
    """
    out, data = Path(out), Path(data)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    descriptor = widen_years(yaml.safe_load((data / "datapackage.yaml").read_text(encoding="utf-8")))
    (out / "datapackage.yaml").write_text(
        "# Generated by benchmarks/generate.py: data/datapackage.yaml with year minimums widened to "
        f"{FIRST_YEAR}.\n" + yaml.safe_dump(descriptor, sort_keys=False, allow_unicode=True, width=200),
        encoding="utf-8")
    for name in COPIED:
        src = data / name
        if src.is_dir():
            shutil.copytree(src, out / name)
        else:
            shutil.copy2(src, out / name)
    real = {name: len(_rows(data / f"{name}.csv")) for name in ("engagements", "programmes", "events", "metrics")}
    m = _Maker(descriptor, seed, data)
    progs = programmes(m, programme_count or real["programmes"] * factor)
    ids = [p["programme_id"] for p in progs]
    tables = {
        "programmes": progs,
        "engagements": engagements(m, real["engagements"] * factor, progs),
        "events": events(m, real["events"] * factor, ids),
        "metrics": metrics(m, real["metrics"] * factor, ids),
    }
    tables["record_sources"] = record_sources(m, real_links(data) * factor, tables)
    tables["distinct_records"] = []
    for name in ("programmes", "engagements", "events", "metrics"):
        for row in tables[name]:
            row["audience_code"] = "board" if name != "programmes" and m.rnd.random() < BOARD_SHARE else "public"
    resources = {r["name"]: r for r in descriptor["resources"]}
    for name, rows in tables.items():
        _write(out / resources[name]["path"], resources[name], rows, m)
    return {name: len(rows) for name, rows in tables.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path, help="folder to write (emptied first)")
    parser.add_argument("--factor", type=int, default=1000, help="rows per real row (default 1000)")
    parser.add_argument("--programmes", type=int, default=None, help="number of programmes (default: factor × real)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--data", type=Path, default=DATA, help="the real dataset to scale (default: data/)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    counts = generate(args.out, args.factor, args.seed, args.programmes, args.data)
    print(", ".join(f"{n}: {c:,}" for n, c in counts.items()), f"written to {args.out} in "
          f"{time.perf_counter() - started:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
