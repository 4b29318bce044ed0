"""Each validation rule, on a copy of the real data broken in exactly one place."""

from __future__ import annotations

import subprocess
import sys

import pytest

import ibcr_data
from tests.conftest import read_rows, set_cell, write_rows

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
    rows[5][0] = rows[2][0]
    write_rows(data_copy / "events.csv", header, rows)
    problems = ibcr_data.validate(data_copy)[0]
    assert len(problems) == 1
    assert problems[0].message == "duplicate identifier" and problems[0].line == 7
    assert "line 4" in problems[0].hint


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
