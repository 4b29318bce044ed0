"""The whole public dataset as one ZIP that is a Frictionless data package: the CSVs, datapackage.json, a README.

`frictionless validate ibcr-activity-v3/datapackage.json` passes on the unpacked file. The CSVs keep
every value as the data hold it (codes, ids, ISO dates, numbers with a point): they are for
programs and for reuse; the dashboard's CSV and Excel downloads are the ones dressed for Excel.
"""

from __future__ import annotations

import csv
import io
import json
import math
import zipfile

import pandas as pd
import yaml

from ibcr_present import i18n

from .release import WITHHOLDABLE, Release, organisation, published_fields, published_frame

LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
LICENCE_NAME = "CC BY 4.0"
# Keys of the project's descriptor that describe the loader, not the files (see data/datapackage.yaml).
LOADER_KEYS = ("derived",)


def package_zip(rel: Release, lang: str = "en") -> bytes:
    """The ZIP: one folder named like the file, holding datapackage.json, README.md and every published CSV."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(f"{rel.name}/datapackage.json", json.dumps(descriptor(rel), ensure_ascii=False, indent=2) + "\n")
        zf.writestr(f"{rel.name}/README.md", readme(rel, lang))
        for name in rel.tables():
            path = rel.ds.descriptor.resource(name).path
            zf.writestr(f"{rel.name}/{path}", csv_text(rel, name))
    return buf.getvalue()


def csv_text(rel: Release, name: str) -> str:
    """One table as UTF-8 CSV: text as it is, whole numbers without a decimal point, booleans true/false."""
    fields = published_fields(rel, name)
    frame = published_frame(rel, name)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([f.name for f in fields])
    cells = [[_cell(v, f.type) for v in frame[f.name].tolist()] for f in fields]
    writer.writerows(zip(*cells))
    return out.getvalue()


def _cell(value, kind: str) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    if kind == "boolean":
        return "true" if value else "false"
    if kind == "number":
        return format(float(value), ".15g")
    return str(value)


def descriptor(rel: Release) -> dict:
    """The descriptor of the published files: the project's own, less what the public files do not hold."""
    raw = yaml.safe_load(rel.ds.descriptor.path.read_text(encoding="utf-8"))
    published = set(rel.tables())
    resources = []
    for res in raw["resources"]:
        if res["name"] not in published:
            continue
        res = {k: v for k, v in res.items() if k not in LOADER_KEYS}
        fields = published_fields(rel, res["name"])
        declared = {f["name"]: _withholdable(f) for f in res["schema"]["fields"]}
        derived = {f.name: f for f in rel.ds.descriptor.resource(res["name"]).derived}
        res["schema"] = {**res["schema"], "fields": [declared.get(f.name) or _derived(derived[f.name]) for f in fields]}
        res["encoding"] = "utf-8"
        res["format"] = "csv"
        resources.append(res)
    out = {k: v for k, v in raw.items() if k != "resources"}
    out["title"] = f"{raw['title']} ({rel.label})"
    out["created"] = f"{rel.made}T00:00:00Z"
    out["resources"] = resources
    return out


def _withholdable(field: dict) -> dict:
    """A field the public view may leave empty (evidence, partners, places, exact dates, a withheld value) is
    published as optional, whatever the data require: the safeguarding policy empties it (README says so)."""
    constraints = field.get("constraints") or {}
    if field["name"] not in WITHHOLDABLE or not constraints.get("required"):
        return field
    return {**field, "constraints": {k: v for k, v in constraints.items() if k != "required"}}


def _derived(f) -> dict:
    return {"name": f.name, "type": f.type, "description": f.description, "description_fr": f.description_fr,
            "description_es": f.description_es}


def citation(rel: Release, lang: str = "en") -> str:
    """How to cite this release."""
    title = rel.ds.descriptor.meta.get("title", "")
    if rel.version is None:  # data without versions: the date they were reviewed says which
        return i18n.translate(lang, "opendata.cite_plain", organisation=organisation(lang), title=title,
                              date=rel.created, licence=LICENCE_NAME)
    return i18n.translate(lang, "opendata.cite", organisation=organisation(lang), title=title, version=rel.version,
                          date=rel.created, licence=LICENCE_NAME)


def readme(rel: Release, lang: str = "en") -> str:
    """What the package is, its version and dates, its files, what the public view withholds, how to cite it."""
    t = lambda key, **v: i18n.translate(lang, key, **v)  # noqa: E731
    meta = rel.ds.descriptor.meta
    lines = [f"# {meta.get('title', '')}", "", t("opendata.readme.what", organisation=organisation(lang)), "",
             str(meta.get("description", "")).strip(), ""]
    if rel.version is not None:  # data without versions are known by the date they were reviewed
        lines.append("- " + t("opendata.readme.version", version=rel.version, date=i18n.iso_date(lang, rel.created)))
    lines += ["- " + t("opendata.readme.reviewed", date=i18n.iso_date(lang, rel.data_date)),
              "- " + t("opendata.readme.made", date=i18n.iso_date(lang, rel.made)), "",
              "## " + t("opendata.readme.files_title"), ""]
    lines.append("- `datapackage.json` — " + t("opendata.readme.descriptor"))
    for name in rel.tables():
        res = rel.ds.descriptor.resource(name)
        count = len(rel.ds.table(name))
        rows = i18n.translate_plural(lang, "opendata.readme.rows", count, n=i18n.number(lang, count))
        lines.append(f"- `{res.path}` — {res.title} ({rows})")
    lines += ["", "## " + t("policy.title"), "", rel.ds.policy.statement(lang).strip(), "",
              t("opendata.readme.withheld"), ""]
    threshold = i18n.number(lang, rel.ds.policy.min_public_count)
    for rule, n in rel.ds.withheld.items():
        lines.append("- " + t(f"policy.rule.{rule}", n=threshold) + ": " + i18n.number(lang, n))
    lines += ["", t("opendata.readme.withheld_rows")]
    lines += ["", "## " + t("opendata.cite_title"), "", citation(rel, lang), "",
              "## " + t("opendata.readme.licence_title"), "", t("opendata.readme.licence", url=LICENCE_URL), ""]
    lines += [f"- {s.get('title', '')}: {s.get('path', '')}" for s in meta.get("sources", [])]
    lines += ["", "## " + t("opendata.readme.check_title"), "", t("opendata.readme.check"), "",
              "```sh", "frictionless validate datapackage.json", "```", ""]
    return "\n".join(lines)
