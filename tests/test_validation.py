"""Each validation rule, on a copy of the real data broken in exactly one place."""

from __future__ import annotations

import subprocess
import sys

import pytest

import ibcr_data
from tests.support import read_rows, set_cell, write_rows

# (file, row, column, bad value, expected message fragment, expected hint fragment)
CELL_RULES = [
    ("engagements.csv", 3, "country_iso3", "XXX", "not found in countries.csv", "ISO 3166-1 alpha-3"),
    ("engagements.csv", 3, "country_iso3", "Burkina Faso", "not found in countries.csv", "write its ISO3 code BFA"),
    ("engagements.csv", 4, "kind_code", "trainnig", "not one of the allowed codes", "did you mean 'training'"),
    ("engagements.csv", 5, "status_code", "finished", "not one of the allowed codes", "use one of"),
    ("engagements.csv", 6, "source_id", "seed-999", "not found in sources.csv", "did you mean 'seed-00"),
    ("engagements.csv", 7, "description_en", "", "a required value is empty", "description_en"),
    ("metrics.csv", 2, "scope_code", "", "a required value is empty", "never added together"),
    ("metrics.csv", 2, "value", "about 20", "not a number", "digits"),
    ("events.csv", 1, "start_year", "19x4", "not a whole number", "digits"),
    ("events.csv", 1, "is_key_milestone", "maybe", "not true or false", "true or false"),
    ("sources.csv", 4, "url", "ibcr.org/page", "does not have the expected form", "https://"),
    ("programmes.csv", 1, "status_as_of", "mid-2016", "does not have the expected form", "YYYY"),
]


@pytest.mark.parametrize(("file", "row", "column", "value", "message", "hint"), CELL_RULES,
                         ids=[f"{r[0]}:{r[2]}={r[3]!r}" for r in CELL_RULES])
def test_one_bad_cell_gives_exactly_one_problem(data_copy, file, row, column, value, message, hint):
    line = set_cell(data_copy, file, row, column, value)
    problems = ibcr_data.validate(data_copy)[0]
    assert len(problems) == 1, [str(p) for p in problems]
    p = problems[0]
    assert (p.file, p.line, p.column, p.value) == (file, line, column, value)
    assert message in p.message
    assert hint in p.hint


@pytest.mark.parametrize(("value", "code"), [
    ("Ministry\x0bof Justice", "text_control_character"), ("first\rsecond", "text_carriage_return"),
    ("esc\x1b[2J", "text_control_character"), ("x" * 32_768, "text_too_long"),
])
def test_a_cell_a_csv_or_an_excel_cell_cannot_hold_gives_one_problem(data_copy, value, code):
    """The one rule for what a cell may hold (issue 24): a tab and a line feed, nothing else invisible,
    at most 32,767 characters."""
    import csv

    path = data_copy / "engagements.csv"
    header, rows = read_rows(path)
    rows[2][header.index("partners")] = value
    with path.open("w", encoding="utf-8", newline="") as fh:  # quoted, as a spreadsheet would write it
        csv.writer(fh, lineterminator="\n", quoting=csv.QUOTE_ALL).writerows([header, *rows])
    problems = ibcr_data.validate(data_copy)[0]
    assert [(p.code, p.line, p.column) for p in problems] == [(code, 4, "partners")], [str(p) for p in problems]


def test_tabs_and_line_breaks_in_a_cell_are_kept(data_copy):
    set_cell(data_copy, "engagements.csv", 2, "partners", "one\ttwo\nthree")
    assert ibcr_data.validate(data_copy)[0] == []


def test_end_before_start(data_copy):
    header, rows = read_rows(data_copy / "engagements.csv")
    i = next(i for i, r in enumerate(rows) if r[header.index("start_year")] and not r[header.index("end_date")]
             and not r[header.index("start_date")] and int(r[header.index("start_year")]) >= 2005)
    start = int(rows[i][header.index("start_year")])
    set_cell(data_copy, "engagements.csv", i, "end_year", str(start - 3))
    problems = ibcr_data.validate(data_copy)[0]
    assert len(problems) == 1
    assert problems[0].column == "end_year" and "before the start year" in problems[0].message


def test_duplicate_id_names_the_first_line(data_copy):
    header, rows = read_rows(data_copy / "events.csv")
    _, links = read_rows(data_copy / "record_sources.csv")
    linked = {link[1] for link in links}
    first, second = [i for i, r in enumerate(rows) if r[0] not in linked][2:4]  # ids no other row names
    rows[second][0] = rows[first][0]
    write_rows(data_copy / "events.csv", header, rows)
    problems = ibcr_data.validate(data_copy)[0]
    assert len(problems) == 1
    assert problems[0].message == "duplicate identifier" and problems[0].line == second + 2
    assert f"line {first + 2}" in problems[0].hint


def test_file_not_listed_in_descriptor(data_copy):
    (data_copy / "extra.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    problems = ibcr_data.validate(data_copy)[0]
    assert [(p.file, p.message) for p in problems] == [("extra.csv", "the file is not listed in datapackage.yaml")]


def test_listed_file_missing(data_copy):
    (data_copy / "conflicts.csv").unlink()
    problems = ibcr_data.validate(data_copy)[0]
    assert any(p.file == "conflicts.csv" and "missing" in p.message for p in problems)
    with pytest.raises(ibcr_data.ValidationError):
        ibcr_data.load_dataset(data_copy)


def test_excel_bom_and_crlf_are_accepted(data_copy):
    for name in ("engagements.csv", "events.csv"):
        path = data_copy / name
        text = path.read_text(encoding="utf-8").replace("\n", "\r\n")
        path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert ibcr_data.validate(data_copy)[0] == []
    reloaded = ibcr_data.load_dataset(data_copy)
    assert reloaded.engagements.columns[0] == "engagement_id"
    assert not reloaded.engagements["engagement_id"].str.contains("\r").any()


def test_latin1_file_is_refused_with_a_fix(data_copy):
    path = data_copy / "engagements.csv"
    path.write_bytes(path.read_text(encoding="utf-8").encode("latin-1", errors="replace"))
    problems = ibcr_data.validate(data_copy)[0]
    assert len(problems) == 1
    assert "not UTF-8" in problems[0].message and "CSV UTF-8" in problems[0].hint
    assert problems[0].line and problems[0].line > 1


def test_empty_file(data_copy):
    (data_copy / "metrics.csv").write_text("", encoding="utf-8")
    problems = ibcr_data.validate(data_copy)[0]
    assert [(p.file, p.message) for p in problems] == [("metrics.csv", "the file is empty")]


def test_renamed_and_extra_columns(data_copy):
    header, rows = read_rows(data_copy / "programmes.csv")
    header[header.index("name_fr")] = "nom_fr"
    write_rows(data_copy / "programmes.csv", header, rows)
    problems = ibcr_data.validate(data_copy)[0]
    assert len(problems) == 1
    assert problems[0].column == "name_fr" and "nom_fr" in problems[0].hint
    header, rows = read_rows(data_copy / "events.csv")
    write_rows(data_copy / "events.csv", header + ["comment"], [r + ["x"] for r in rows])
    problems = ibcr_data.validate(data_copy)[0]
    assert any(p.file == "events.csv" and p.column == "comment" for p in problems)


def test_every_problem_is_collected_before_failing(data_copy):
    set_cell(data_copy, "engagements.csv", 1, "kind_code", "nope")
    set_cell(data_copy, "events.csv", 1, "category_code", "nope")
    set_cell(data_copy, "metrics.csv", 1, "qualifier_code", "nope")
    with pytest.raises(ibcr_data.ValidationError) as err:
        ibcr_data.load_dataset(data_copy)
    assert {p.file for p in err.value.problems} == {"engagements.csv", "events.csv", "metrics.csv"}


def test_missing_data_folder(tmp_path):
    problems = ibcr_data.validate(tmp_path / "nowhere")[0]
    assert len(problems) == 1 and "does not exist" in problems[0].message


def test_cli_reports_file_line_and_fix(data_copy):
    line = set_cell(data_copy, "engagements.csv", 2, "country_iso3", "DRC")
    out = subprocess.run([sys.executable, "-m", "ibcr_data", "validate", str(data_copy)], capture_output=True, text=True)
    assert out.returncode == 1
    assert f"engagements.csv:{line} [country_iso3] value 'DRC'" in out.stderr
    assert "Fix:" in out.stderr and "the data were not loaded" in out.stderr


def test_ragged_row_is_reported_with_its_line(data_copy):
    path = data_copy / "events.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[4] = lines[4] + ",extra"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    problems = ibcr_data.validate(data_copy)[0]
    assert [(p.file, p.line) for p in problems] == [("events.csv", 5)]
    assert "cells but the header has" in problems[0].message


def test_line_numbers_stay_exact_after_a_cell_with_a_line_break(data_copy):
    header, rows = read_rows(data_copy / "events.csv")
    rows[1][header.index("description_en")] = "First line\nsecond line"
    write_rows(data_copy / "events.csv", header, rows)
    line = set_cell(data_copy, "events.csv", 5, "category_code", "nope")
    problems = ibcr_data.validate(data_copy)[0]
    assert [(p.line, p.column) for p in problems] == [(line + 1, "category_code")]  # one physical line later


def _misspell(data_dir, old: str, new: str, count: int = 1) -> None:
    path = data_dir / "datapackage.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, count), encoding="utf-8")


REQUIRED_SOURCE = "{name: source_id, type: string, description: Source, description_fr: \"Source\", description_es: \"Fuente\", constraints: {required: true}}"


def test_misspelt_descriptor_key_is_an_error_naming_it(data_copy):
    _misspell(data_copy, REQUIRED_SOURCE, REQUIRED_SOURCE.replace("required", "requried"))
    problems = ibcr_data.validate(data_copy)[0]
    assert len(problems) == 1, [str(p) for p in problems]
    p = problems[0]
    assert (p.file, p.column, p.value) == ("datapackage.yaml", "source_id", "requried")
    assert "unknown key 'requried'" in p.message and "'engagements'" in p.message and "'source_id'" in p.message
    assert "did you mean 'required'?" in p.hint
    lines = (data_copy / "datapackage.yaml").read_text(encoding="utf-8").splitlines()
    assert "requried" in lines[p.line - 1]
    with pytest.raises(ibcr_data.ValidationError):
        ibcr_data.load_dataset(data_copy)


def test_cli_fails_on_a_misspelt_descriptor_key(data_copy):
    _misspell(data_copy, REQUIRED_SOURCE, REQUIRED_SOURCE.replace("required", "requried"))
    out = subprocess.run([sys.executable, "-m", "ibcr_data", "validate", str(data_copy)], capture_output=True, text=True)
    assert out.returncode == 1
    assert "unknown key 'requried'" in out.stderr and "did you mean 'required'?" in out.stderr


@pytest.mark.parametrize(("old", "new", "key", "suggestion"), [
    ("    schema:\n      primaryKey: engagement_id", "    shema:\n      primaryKey: engagement_id", "shema", "schema"),
    ("      foreignKeys:\n        - {fields: country_iso3, reference: {resource: countries, fields: country_iso3}}",
     "      foreignkeys:\n        - {fields: country_iso3, reference: {resource: countries, fields: country_iso3}}",
     "foreignkeys", "foreignKeys"),
    ("last_updated:", "last_update:", "last_update", "last_updated"),
    ("description_fr: \"Pays", "descripton_fr: \"Pays", "descripton_fr", "description_fr"),
])
def test_unknown_keys_anywhere_in_the_descriptor(data_copy, old, new, key, suggestion):
    _misspell(data_copy, old, new)
    problems = ibcr_data.validate(data_copy)[0]
    unknown = [p for p in problems if p.value == key]
    assert len(unknown) == 1, [str(p) for p in problems]
    assert f"unknown key '{key}'" in unknown[0].message and f"did you mean '{suggestion}'?" in unknown[0].hint


def test_unknown_code_lists_the_codes_of_its_code_table(data_copy):
    line = set_cell(data_copy, "metrics.csv", 3, "qualifier_code", "roughly")
    problems = ibcr_data.validate(data_copy)[0]
    assert [(p.file, p.line, p.column, p.value) for p in problems] == [("metrics.csv", line, "qualifier_code", "roughly")]
    assert "not one of the allowed codes" in problems[0].message and "codes/qualifier.csv" in problems[0].message
    assert "use one of: exactly, more_than, at_least, about, nearly, range" in problems[0].hint


def test_a_missing_code_table_row_is_caught_by_the_foreign_key(data_copy):
    header, rows = read_rows(data_copy / "codes" / "precision.csv")
    write_rows(data_copy / "codes" / "precision.csv", header, [r for r in rows if r[0] != "month"])
    expected = 0
    for name in ("engagements.csv", "programmes.csv", "events.csv"):
        header, rows = read_rows(data_copy / name)
        expected += sum(r[header.index("date_precision_code")] == "month" for r in rows)
    problems = ibcr_data.validate(data_copy)[0]
    assert expected and len(problems) == expected
    assert {(p.column, p.value) for p in problems} == {("date_precision_code", "month")}
    assert all("codes/precision.csv" in p.message and "add the code" in p.hint for p in problems)


def test_a_code_table_cell_is_checked_like_any_other(data_copy):
    line = set_cell(data_copy, "codes/kind.csv", 2, "label_fr", "")
    problems = ibcr_data.validate(data_copy)[0]
    assert [(p.file, p.line, p.column) for p in problems] == [("codes/kind.csv", line, "label_fr")]


def _row(data_dir, file: str, column: str, value: str) -> int:
    header, rows = read_rows(data_dir / file)
    return next(i for i, r in enumerate(rows) if r[header.index(column)] == value)


def _only(problems):
    assert len(problems) == 1, [str(p) for p in problems]
    p = problems[0]
    return (p.file, p.line, p.column, p.value, p.message, p.hint)


def test_a_likely_duplicate_engagement_is_refused_with_a_hint_to_merge(data_copy):
    header, rows = read_rows(data_copy / "engagements.csv")
    i = _row(data_copy, "engagements.csv", "engagement_id", "yem-police-2013")
    copy = list(rows[i])
    copy[header.index("engagement_id")] = "yem-police-2014"
    copy[header.index("source_id")] = "ibcr-ar-2015-16-full"
    write_rows(data_copy / "engagements.csv", header, rows + [copy])
    assert _only(ibcr_data.validate(data_copy)[0]) == (
        "engagements.csv", len(rows) + 2, "engagement_id", "yem-police-2014",
        f"likely the same piece of work as 'yem-police-2013' (line {i + 2}): same country, kind of work, no programme "
        "and overlapping years",
        "merge them into one record: keep 'yem-police-2013', delete this row and link its source (ibcr-ar-2015-16-full) "
        "to 'yem-police-2013' in record_sources.csv; if this row is a part of 'yem-police-2013', write "
        "'yem-police-2013' in its part_of_engagement_id; if the two are genuinely different, list the pair in "
        "distinct_records.csv with the reason")
    with (data_copy / "distinct_records.csv").open("a", encoding="utf-8") as f:
        f.write("engagements,yem-police-2013,yem-police-2014,A second project in Yemen (made-up pair for the test).\n")
    assert ibcr_data.validate(data_copy)[0] == []


def test_a_likely_duplicate_milestone_is_refused(data_copy):
    header, rows = read_rows(data_copy / "events.csv")
    i = _row(data_copy, "events.csv", "event_id", "ev-2019-costa-rica-project-ends")
    copy = list(rows[i])
    copy[header.index("event_id")] = "ev-2019-costa-rica-closing"
    write_rows(data_copy / "events.csv", header, rows + [copy])
    p = _only(ibcr_data.validate(data_copy)[0])
    assert p[:4] == ("events.csv", len(rows) + 2, "event_id", "ev-2019-costa-rica-closing")
    assert p[4] == (f"likely the same piece of work as 'ev-2019-costa-rica-project-ends' (line {i + 2}): same country, "
                    "category, programme and year")


def test_ongoing_yet_ended_on_its_status_date(data_copy):
    i = _row(data_copy, "engagements.csv", "engagement_id", "mli-new-project-seed")
    line = set_cell(data_copy, "engagements.csv", i, "end_year", "2020")
    assert _only(ibcr_data.validate(data_copy)[0]) == (
        "engagements.csv", line, "end_year", "2020",
        "the status is ongoing, yet the record ends in 2020, on or before its status date 2020",
        "if the work was still under way on the status date, leave end_year empty (a window or a planned end goes in "
        "the description or evidence); if it had ended, set status_code to completed")


def test_a_unit_that_is_not_its_metric_codes_unit(data_copy):
    i = _row(data_copy, "metrics.csv", "metric_id", "m-ago-field-weeks")
    line = set_cell(data_copy, "metrics.csv", i, "unit_code", "missions")
    assert _only(ibcr_data.validate(data_copy)[0]) == (
        "metrics.csv", line, "unit_code", "missions",
        "the unit differs from the unit of field_weeks, which counts field_weeks",
        "write field_weeks; if the figure really counts missions, use a metric code whose unit is missions "
        "(or add one to codes/metric.csv)")


@pytest.mark.parametrize(("column", "value", "message", "hint"), [
    ("record_id", "bfa-gac-capacity-2051", "no record 'bfa-gac-capacity-2051' in engagements.csv",
     "did you mean 'bfa-gac-capacity-2015'? Otherwise use an id from engagements.csv, or add the record first "
     "(or correct record_table)"),
    ("source_id", "seed-009", "not found in sources.csv", "did you mean 'seed-003'? Otherwise use an id that exists in sources.csv"),
])
def test_a_link_to_a_missing_record_or_source(data_copy, column, value, message, hint):
    line = set_cell(data_copy, "record_sources.csv", 1, column, value)
    assert _only(ibcr_data.validate(data_copy)[0]) == ("record_sources.csv", line, column, value, message, hint)


def test_a_link_repeated_twice_is_refused(data_copy):
    header, rows = read_rows(data_copy / "record_sources.csv")
    write_rows(data_copy / "record_sources.csv", header, rows + [rows[0]])
    p = _only(ibcr_data.validate(data_copy)[0])
    assert p[:4] == ("record_sources.csv", len(rows) + 2, "source_id", rows[0][2])
    assert "repeats the key (record_table, record_id, source_id) of line 2" in p[4]


def test_a_figure_with_no_value_is_refused(data_copy):
    i = _row(data_copy, "metrics.csv", "metric_id", "m-ar2023-offices")
    line = set_cell(data_copy, "metrics.csv", i, "value", "")
    assert _only(ibcr_data.validate(data_copy)[0]) == (
        "metrics.csv", line, "value", "",
        "the figure has no value, yet its qualifier 'exactly' describes a number",
        "a figure needs a value; when a source gives none, add no row and note the gap in the notes of the source "
        "in sources.csv")


def test_the_control_characters_are_the_same_for_python_and_for_arrow():
    import re

    import pandas as pd

    from ibcr_data.arrowtext import matches
    from ibcr_data.checks import CONTROL_RE, CONTROL_RE2

    cells = pd.Series([f"a{chr(c)}b" for c in [*range(0x200), 0x2028, 0xfeff, 0xfffd, 0xfffe, 0xffff]] + [None],
                      dtype="str")
    python = [bool(re.search(CONTROL_RE, c)) if isinstance(c, str) else False for c in cells]
    assert matches(cells, CONTROL_RE2).tolist() == python and sum(python) == 9 + 21 + 33 + 2  # not \t nor \n
