"""IBCR's programmes and engagements as an IATI 2.03 activity file, from the public view.

Each public programme is an activity (hierarchy 1) and each piece of work in one country an activity
(hierarchy 2) under its programme, or under the larger piece of work it is part of. Narratives are
in English, French and Spanish, as the data hold them. Venues and offices are places, not activities;
a record with no date or no known status cannot be an IATI activity (both are required) and is named
in a comment at the top of the file. A programme's results are those of the Results page (iati_results.py).

The XML is written with lxml; tests validate it against the official 2.03 schema and codelists.
NOTE: IATI needs whole dates. A date known to the year or the month is written as its first day
(a start) or its last day (an end), with a narrative saying how precisely it is known.
"""

from __future__ import annotations

import calendar
import datetime as dt
import os
import re
from collections.abc import Iterable, Mapping

import pandas as pd
from lxml import etree

from ibcr_present import i18n

from .iati_results import NARRATIVE_LANGUAGES, IatiResult, ResultsHook, programme_results
from .release import Release, organisation

IATI_VERSION = "2.03"
ORG_REF_ENV = "IBCR_IATI_ORG_REF"
# IBCR's identifier as Global Affairs Canada's project profiles give it (its charity registration,
# prefix CA-CRA_ACR: the Canada Revenue Agency's list of charities; sources.csv gac-d001606001).
DEFAULT_ORG_REF = "CA-CRA_ACR-0010011490"
ORG_TYPE = "21"  # OrganisationType: International NGO
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
STATUS = {"planned": "1", "ongoing": "2", "completed": "4"}  # ActivityStatus: pipeline, implementation, post-completion
ROLE_FUNDING, ROLE_IMPLEMENTING = "1", "4"  # OrganisationRole
# DAC 5-digit sector (vocabulary 1) of each kind of work. The Global Affairs Canada projects IBCR
# carries out are classed under 15130, 15160, 15210, 16010 and 16015; each kind takes the closest one.
SECTORS = {
    "jj_analysis": "15130", "training": "15130", "technical_support": "15130", "regional_workshop": "15130",
    "contribution_agreement": "16015", "voluntary_cooperation": "15160", "campaign": "15160",
    "standard_setting": "15160", "research": "15160", "tribunal_hearing": "15160", "civil_society": "15150",
}
# Funders with an IATI identifier: Global Affairs Canada publishes as CA-3 (its activities are
# CA-3-<project number>); the Canadian International Development Agency was merged into it.
KNOWN_ORGS = {"Global Affairs Canada": ("CA-3", "10"), "Canadian International Development Agency (CIDA)": ("CA-3", "10")}
GAC_PROJECT = re.compile(r"\b([DP]\d{9})\b", re.IGNORECASE)
GAC_PUBLISHER = "Global Affairs Canada"
DOCUMENT_CATEGORY = {"seed": "B16", "annual_report": "B01"}  # others: A12, the activity's web page
CURRENCY = {"cad": "CAD"}


def org_ref() -> str:
    """IBCR's IATI organisation identifier: $IBCR_IATI_ORG_REF, else the one Global Affairs Canada uses."""
    return os.environ.get(ORG_REF_ENV, "").strip() or DEFAULT_ORG_REF


def iati_xml(rel: Release, lang: str = "en", ref: str | None = None, results: ResultsHook = programme_results) -> bytes:
    """The IATI activity file of a release (`lang` is unused: every narrative is given in each language)."""
    root = activities(rel, ref or org_ref(), results)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def activities(rel: Release, ref: str, results: ResultsHook = programme_results) -> etree._Element:
    if not re.fullmatch(r"[A-Za-z]{2}-[A-Za-z0-9_]+-[A-Za-z0-9_.-]+", ref):
        raise ValueError(f"IATI organisation identifier {ref!r} is not of the form AGENCY-LIST-ID "
                         f"(e.g. {DEFAULT_ORG_REF}); set {ORG_REF_ENV} or pass --org-ref")
    ds = rel.ds
    writer = _Writer(rel, ref)
    root = etree.Element("iati-activities", {"version": IATI_VERSION,
                                             "generated-datetime": f"{rel.made}T00:00:00Z"})
    root.append(_comment(i18n.translate("en", "opendata.iati.about", title=ds.descriptor.meta.get("title", ""),
                                        version=rel.label, date=rel.made)))
    acts, left_out = [], []
    eng = ds.engagements[~ds.engagements["is_venue"]]
    written = {r["engagement_id"] for r in eng.to_dict("records") if _writable(r)}
    for row in ds.programmes.to_dict("records"):
        children = eng.loc[eng["programme_id"] == row["programme_id"], "engagement_id"]
        acts.append(writer.programme(row, [c for c in children if c in written], results(rel, row["programme_id"])))
    whole_of = dict(zip(eng["engagement_id"], eng["part_of_engagement_id"]))
    programme_of = dict(zip(eng["engagement_id"], eng["programme_id"]))
    for row in eng.to_dict("records"):
        chain = _wholes(row["engagement_id"], whole_of)
        under_programme = isinstance(programme_of.get(chain[-1]), str)
        acts.append(writer.engagement(row, len(chain) + under_programme))
    for act, (kind, record_id) in zip(acts, writer.written):
        if act is None:
            left_out.append(f"{kind} {record_id}")
        else:
            root.append(act)
    if left_out:
        root.insert(1, _comment(i18n.translate("en", "opendata.iati.left_out", records=", ".join(left_out))))
    return root


def _comment(text: str) -> etree._Comment:
    """An XML comment (one may not hold "--": ids may)."""
    return etree.Comment(" " + text.replace("--", "- -") + " ")


def _writable(row: dict) -> bool:
    """IATI needs an activity's status and at least one of its dates."""
    return row["status_code"] in STATUS and bool(_dates(row))


def _wholes(engagement_id: str, whole_of: Mapping[str, object]) -> list[str]:
    """The piece of work, then the larger one it is part of, and so on up to the outermost."""
    chain = [engagement_id]
    while isinstance(whole := whole_of.get(chain[-1]), str) and whole not in chain:
        chain.append(whole)
    return chain


def _text(value) -> str:
    return value.strip() if isinstance(value, str) else ""


class _Writer:
    """Writes one activity at a time; `written` lists (kind, id) of every record asked for, in order."""

    def __init__(self, rel: Release, ref: str):
        self.rel, self.ds, self.ref = rel, rel.ds, ref
        self.written: list[tuple[str, str]] = []
        self.countries = self.ds.countries.set_index("country_iso3")
        self.iso2 = dict(zip(self.ds.countries["country_iso3"], self.ds.countries["country_iso2"]))
        self.sources = self.ds.sources.set_index("source_id")
        self.programmes = self.ds.programmes.set_index("programme_id")

    def identifier(self, kind: str, record_id: str) -> str:
        return f"{self.ref}-{'prog' if kind == 'programme' else 'eng'}-{record_id}"

    def programme(self, row: dict, children: list[str], results: list[IatiResult]) -> etree._Element | None:
        pid = row["programme_id"]
        self.written.append(("programme", pid))
        title = {lang: row[f"name_{lang}"] for lang in NARRATIVE_LANGUAGES}
        countries = [c.strip() for c in _text(row.get("country_iso3_list")).split(";") if c.strip()]
        act = self._activity("programme", pid, row, title, 1, countries)
        if act is None:
            return None
        self._budgets(act, pid)
        self._documents(act, "programmes", pid, row["source_id"])
        for number in self._gac_projects(pid):
            etree.SubElement(act, "related-activity", ref=f"CA-3-{number.upper()}", type="5")
        for child in children:
            etree.SubElement(act, "related-activity", ref=self.identifier("engagement", child), type="2")
        for result in results:
            _result(act, result)
        return act

    def engagement(self, row: dict, hierarchy: int) -> etree._Element | None:
        eid = row["engagement_id"]
        self.written.append(("engagement", eid))
        kinds = {lang: self.ds.code_labels("kind_code", lang).get(row["kind_code"], row["kind_code"])
                 for lang in NARRATIVE_LANGUAGES}
        title = {lang: f"{kinds[lang]} — {self.countries.at[row['country_iso3'], f'name_{lang}']}"
                 for lang in NARRATIVE_LANGUAGES}
        act = self._activity("engagement", eid, row, title, hierarchy, [row["country_iso3"]])
        if act is None:
            return None
        self._documents(act, "engagements", eid, row["source_id"])
        whole = row.get("part_of_engagement_id")
        if isinstance(whole, str):
            etree.SubElement(act, "related-activity", ref=self.identifier("engagement", whole), type="1")
        elif isinstance(row.get("programme_id"), str):
            etree.SubElement(act, "related-activity", ref=self.identifier("programme", row["programme_id"]), type="1")
        return act

    def _activity(self, kind: str, record_id: str, row: dict, title: Mapping[str, str], hierarchy: int,
                  countries: Iterable[str]) -> etree._Element | None:
        if not _writable(row):
            return None
        status, dates = STATUS[row["status_code"]], _dates(row)
        act = etree.Element("iati-activity", {XML_LANG: "en", "default-currency": "CAD", "hierarchy": str(hierarchy),
                                              "last-updated-datetime": f"{self.rel.created}T00:00:00Z"})
        etree.SubElement(act, "iati-identifier").text = self.identifier(kind, record_id)
        _narratives(etree.SubElement(act, "reporting-org", ref=self.ref, type=ORG_TYPE), _ibcr_names())
        _narratives(etree.SubElement(act, "title"), title)
        _narratives(etree.SubElement(act, "description", type="1"),
                    {lang: row[f"description_{lang}"] for lang in NARRATIVE_LANGUAGES})
        funders = _names(row.get("funders"))
        if not funders and isinstance(row.get("programme_id"), str) and row["programme_id"] in self.programmes.index:
            funders = _names(self.programmes.at[row["programme_id"], "funders"])  # a piece of work shares its programme's
        for name in funders:
            self._org(act, ROLE_FUNDING, name)
        _narratives(etree.SubElement(act, "participating-org", role=ROLE_IMPLEMENTING, ref=self.ref, type=ORG_TYPE),
                    _ibcr_names())
        for name in _names(row.get("partners")):
            self._org(act, ROLE_IMPLEMENTING, name)
        etree.SubElement(act, "activity-status", code=status)
        for date_type, iso, precision, shown in dates:
            date = etree.SubElement(act, "activity-date", {"type": date_type, "iso-date": iso})
            if precision != "day":
                _narratives(date, {lang: i18n.translate(lang, f"opendata.iati.known_to_{precision}",
                                                        date=i18n.iso_date(lang, shown)) for lang in NARRATIVE_LANGUAGES})
        for iso3 in dict.fromkeys(countries):
            if isinstance(self.iso2.get(iso3), str):
                etree.SubElement(act, "recipient-country", code=self.iso2[iso3])
        if row["kind_code"] in SECTORS:
            etree.SubElement(act, "sector", vocabulary="1", code=SECTORS[row["kind_code"]])
        return act

    def _org(self, act: etree._Element, role: str, name: str) -> None:
        attrs = {"role": role}
        if name in KNOWN_ORGS:
            attrs["ref"], attrs["type"] = KNOWN_ORGS[name]
        _narratives(etree.SubElement(act, "participating-org", attrs),
                    {lang: i18n.org_name(lang, name) for lang in NARRATIVE_LANGUAGES})

    def _budgets(self, act: etree._Element, programme_id: str) -> None:
        """A budget for each amount a source gives for the programme (Global Affairs Canada's maximum contributions)."""
        m = self.ds.metrics
        amounts = m[(m["programme_id"] == programme_id) & m["unit_code"].isin(list(CURRENCY)) & ~m["is_target"]
                    & m["value"].notna()]
        prog = self.programmes.loc[programme_id]
        for row in amounts.to_dict("records"):
            start = _whole(_text(prog["start_date"]), row["start_year"], end=False)
            if not start.startswith(str(row["start_year"])):
                start = f"{row['start_year']}-01-01"
            end = _whole(_text(prog["end_date"]), row["end_year"], end=True)
            if not end.startswith(str(row["end_year"])):
                end = f"{row['end_year']}-12-31"
            budget = etree.SubElement(act, "budget", type="1", status="2")
            etree.SubElement(budget, "period-start", {"iso-date": start})
            etree.SubElement(budget, "period-end", {"iso-date": end})
            value = etree.SubElement(budget, "value", {"currency": CURRENCY[row["unit_code"]], "value-date": start})
            value.text = format(float(row["value"]), ".15g")

    def _documents(self, act: etree._Element, table: str, record_id: str, main: str) -> None:
        links = self.ds.record_sources
        ids = [main, *links.loc[(links["record_table"] == table) & (links["record_id"] == record_id), "source_id"]]
        for sid in dict.fromkeys(ids):
            if sid not in self.sources.index or not isinstance(self.sources.at[sid, "url"], str):
                continue
            s = self.sources.loc[sid]
            url = s["url"]
            doc = etree.SubElement(act, "document-link", url=url,
                                   format="application/pdf" if url.lower().endswith(".pdf") else "text/html")
            lang = s["language_code"] if isinstance(s["language_code"], str) else "en"
            narrative = etree.SubElement(etree.SubElement(doc, "title"), "narrative")
            narrative.text = s["title"]
            if lang != "en":
                narrative.set(XML_LANG, lang)
            etree.SubElement(doc, "category", code=DOCUMENT_CATEGORY.get(s["source_type_code"], "A12"))
            etree.SubElement(doc, "language", code=lang)

    def _gac_projects(self, programme_id: str) -> list[str]:
        """Global Affairs Canada's numbers of this programme: in the addresses and titles of the GAC sources its
        records cite (the programme, its work, milestones and figures, and their further sources)."""
        ds = self.ds
        cited: list[tuple[str, str]] = [("programmes", programme_id)]
        for table in ("engagements", "events", "metrics"):
            frame = ds.table(table)
            cited += [(table, i) for i in frame.loc[frame["programme_id"] == programme_id, ds.record_tables[table]]]
        ids = set()
        for table, record_id in cited:
            frame = ds.table(table)
            ids |= set(frame.loc[frame[ds.record_tables[table]] == record_id, "source_id"])
        links = ds.record_sources
        keys = set(cited)
        ids |= {s for t, r, s in zip(links["record_table"], links["record_id"], links["source_id"]) if (t, r) in keys}
        numbers = []
        for sid in sorted(ids & set(self.sources.index)):
            s = self.sources.loc[sid]
            if s["publisher"] == GAC_PUBLISHER or "GAC project" in _text(s["title"]):
                numbers += GAC_PROJECT.findall(f"{_text(s['title'])} {_text(s['url'])}")
        return list(dict.fromkeys(n.upper() for n in numbers))


def _ibcr_names() -> dict[str, str]:
    return {lang: organisation(lang) for lang in NARRATIVE_LANGUAGES}


def _names(text) -> list[str]:
    return [p.strip() for p in _text(text).split(";") if p.strip()]


def _narratives(parent: etree._Element, texts: Mapping[str, str]) -> etree._Element:
    """One <narrative> per language with a text: English first (the activity's language), the others marked."""
    for lang in NARRATIVE_LANGUAGES:
        text = _text(texts.get(lang))
        if text:
            n = etree.SubElement(parent, "narrative")
            n.text = text
            if lang != "en":
                n.set(XML_LANG, lang)
    return parent


def _whole(partial: str, year, end: bool) -> str:
    """A whole ISO date from a partial one ("2008-09") or a year: its first day for a start, last day for an end."""
    parts = partial.split("-") if partial else ([str(int(year))] if pd.notna(year) else [])
    if not parts:
        return ""
    y = int(parts[0])
    m = int(parts[1]) if len(parts) > 1 else (12 if end else 1)
    d = int(parts[2]) if len(parts) > 2 else (calendar.monthrange(y, m)[1] if end else 1)
    return dt.date(y, m, d).isoformat()


def _dates(row: dict) -> list[tuple[str, str, str, str]]:
    """(ActivityDateType, whole ISO date, how precisely it is known, the date as known) for the start and end."""
    out = []
    status = row["status_code"]
    start, end = _text(row.get("start_date")), _text(row.get("end_date"))
    if start or pd.notna(row.get("start_year")):
        known = start or str(int(row["start_year"]))
        out.append(("1" if status == "planned" else "2", _whole(start, row.get("start_year"), False),
                    _precision(known), known))
    end_year = row.get("end_year")
    if not end and pd.isna(end_year) and pd.notna(row.get("planned_end_year")):
        end_year = row["planned_end_year"]
    if end or pd.notna(end_year):
        known = end or str(int(end_year))
        out.append(("4" if status == "completed" else "3", _whole(end, end_year, True), _precision(known), known))
    return out


def _precision(known: str) -> str:
    return {1: "year", 2: "month"}.get(len(known.split("-")), "day")


def _result(act: etree._Element, result: IatiResult) -> None:
    res = etree.SubElement(act, "result", type=result.type)
    _narratives(etree.SubElement(res, "title"), result.title)
    for ind in result.indicators:
        indicator = etree.SubElement(res, "indicator", measure=ind.measure, ascending="1" if ind.ascending else "0")
        _narratives(etree.SubElement(indicator, "title"), ind.title)
        for p in ind.periods:
            period = etree.SubElement(indicator, "period")
            etree.SubElement(period, "period-start", {"iso-date": p.start})
            etree.SubElement(period, "period-end", {"iso-date": p.end})
            for name, value, comment in (("target", p.target, p.target_comment), ("actual", p.actual, p.actual_comment)):
                if value is not None:
                    el = etree.SubElement(period, name, value=format(float(value), ".15g"))
                    if comment:
                        _narratives(etree.SubElement(el, "comment"), comment)
