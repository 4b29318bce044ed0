"""The fast CSV path (Arrow) reads a file exactly as the record-by-record path does."""

from __future__ import annotations

import pandas as pd
import pytest

import ibcr_data
from ibcr_data import arrowtext, csvread, rules
from ibcr_data.descriptor import read_descriptor
from tests.support import DATA, read_rows


@pytest.fixture
def awkward(data_copy):
    """regions.csv with padded cells (spaces, tabs, a no-break space), a blank line, records of
    empty or blank cells, a quoted cell holding a comma, and no line break at the end."""
    header, rows = read_rows(data_copy / "regions.csv")
    width = len(header)
    lines = [",".join(f" {h} " for h in header)]
    for i, row in enumerate(rows):
        cells = [f"\t {c} \u00a0" if j == 1 else f"  {c}" for j, c in enumerate(row)]
        if i == 0:
            cells[1] = '"Africa, west"'
        lines.append(",".join(c if "," not in c or c.startswith('"') else f'"{c}"' for c in cells))
        if i == 1:
            lines += ["", "," * (width - 1), ",".join(["   "] * width)]
    (data_copy / "regions.csv").write_text("\n".join(lines), encoding="utf-8")
    return data_copy


def _read(folder, exact: bool, monkeypatch):
    res = next(r for r in read_descriptor(folder).resources if r.name == "regions")
    with monkeypatch.context() as m:
        if exact:
            m.setattr(csvread, "_fast_rows", lambda raw, header: None)
        table, problems = csvread.read_raw(folder, res)
    return table, problems


def test_the_fast_path_reads_what_the_exact_path_reads(awkward, monkeypatch):
    fast, fast_problems = _read(awkward, False, monkeypatch)
    exact, exact_problems = _read(awkward, True, monkeypatch)
    assert fast_problems == exact_problems
    header, rows = read_rows(DATA / "regions.csv")
    assert fast.lines == exact.lines == [2, 3] + list(range(7, len(rows) + 5))
    pd.testing.assert_frame_equal(fast.frame, exact.frame)
    assert fast.frame[header[0]].tolist() == [r[0] for r in rows]
    assert fast.frame.iloc[0, 1] == "Africa, west"
    assert fast.frame.iloc[1, 1] == rows[1][1]
    assert {str(t) for t in fast.frame.dtypes} == {"str"}


def test_a_header_with_a_quoted_line_break_is_read_whole(data_copy):
    path = data_copy / "conflicts.csv"
    text = path.read_text(encoding="utf-8")
    header, rest = text.split("\n", 1)
    first, second = header.split(",", 1)
    path.write_text(f'"{first}",{second}\n{rest}', encoding="utf-8")
    assert csvread._first_line(path.read_text(encoding="utf-8")) == path.read_text(encoding="utf-8")
    ibcr_data.load_dataset(data_copy)  # still valid: the quoted header names the same columns


def test_isin_matches_pandas():
    s = pd.Series(["a", "b", "", "c", "a"], dtype="str", index=[5, 6, 7, 8, 9])
    for values in (["a", "c"], {"b"}, frozenset(), pd.Series(["c", "c", ""], dtype="str")):
        expected = s.isin(values)
        got = arrowtext.isin(s, values)
        pd.testing.assert_series_equal(got, expected)


def test_years_read_the_leading_year_like_the_text_rules():
    s = pd.Series(["2016", "2016-03-01", "16", "+201", "", "19x4", "éé20", "\u0662\u0660\u0661\u0666", " 2016"],
                  dtype="str")
    head = s.str[:4]
    reference = arrowtext.numbers(head.where(head.str.match(arrowtext.INT_RE), ""))
    pd.testing.assert_series_equal(rules._years(s), reference)
    assert rules._years(s).iloc[:4].tolist() == [2016, 2016, 16, 201]


def test_lookup_takes_the_first_row_of_a_repeated_key():
    keys = pd.Series(["b", "a", "z"], dtype="str", index=[3, 1, 2])
    index = pd.Series(["a", "b", "a"], dtype="str")
    values = pd.Series(["first-a", "only-b", "second-a"], dtype="str")
    got = rules._lookup(keys, index, values)
    assert got.index.tolist() == [3, 1, 2]
    assert got.iloc[:2].tolist() == ["only-b", "first-a"]
    assert pd.isna(got.iloc[2])


def test_whole_numbers_read_what_the_integer_rule_accepts():
    s = pd.Series(["2016", "+3", "-12", "0012", "", "19x4", "1.5", "9" * 400, " 7", "\u0662\u0660"], dtype="str")
    reference = arrowtext.numbers(s.where(s.str.match(arrowtext.INT_RE), ""))
    pd.testing.assert_series_equal(arrowtext.whole_numbers(s), reference)
