"""Who sees what, in the data layer: the public view is derived in one place and holds no board record, no small
count of people at risk (nor a total that gives one back), and no detail the policy drops in a sensitive country."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

import ibcr_data
from ibcr_data.audience import view_for
from tests.support import (
    CANARIES,
    DATA,
    SENSITIVE_DATES,
    SMALL_COUNT,
    read_rows,
    set_cell,
    write_rows,
    write_safeguarding_fixture,
)


@pytest.fixture(scope="module")
def guarded(tmp_path_factory) -> ibcr_data.Dataset:
    data = tmp_path_factory.mktemp("guarded") / "data"
    shutil.copytree(DATA, data)
    return ibcr_data.load_dataset(write_safeguarding_fixture(data))


def text_of(ds: ibcr_data.Dataset) -> str:
    """Every cell of every table a reader can reach, as one text."""
    frames = [ds.table(t) for t in (*ds.record_tables, "sources", "record_sources")]
    return "\n".join(frame.astype("str").to_csv(index=False) for frame in frames)


def test_the_public_view_holds_no_canary_and_the_board_view_holds_them_all(guarded):
    public, board = view_for(guarded, "public"), view_for(guarded, "board")
    assert board is guarded and public.audience == "public" and board.audience == "board"
    assert not [c for c in (*CANARIES, *SENSITIVE_DATES) if c in text_of(public)]
    assert all(c in text_of(board) for c in (*CANARIES, SENSITIVE_DATES[0]))
    assert view_for(guarded, "public") is public  # derived once, kept with the data


def test_what_is_withheld_is_counted_rule_by_rule(guarded):
    in_afg = int((guarded.engagements["country_iso3"] == "AFG").sum()) + int((guarded.events["country_iso3"] == "AFG").sum())
    assert in_afg >= 2
    assert view_for(guarded, "public").withheld == {"board_records": 4, "board_sources": 1, "small_counts": 1,
                                                    "complementary": 1, "sensitive_details": in_afg}


def test_a_withheld_figure_keeps_its_row_and_says_so(guarded):
    m = view_for(guarded, "public").metrics.set_index("metric_id")
    small = m.loc["m-canary-bfa-small"]
    assert small["is_withheld"] and pd.isna(small["value"])  # not 0, not dropped: its row says withheld
    assert small["note_en"] == guarded.code_labels("metric_code", "en")["children_consulted"]


def test_a_small_child_count_cannot_be_recovered_from_a_public_total(guarded):
    m = view_for(guarded, "public").metrics
    group = m[m["metric_id"].isin(["m-canary-bfa-small", "m-canary-sen", "m-canary-total"])].set_index("metric_id")
    shown = group[~group["is_withheld"]]
    assert len(group) == 3 and len(shown) <= 1  # one equation, two unknowns at least
    if "m-canary-total" in shown.index:
        assert group.loc[["m-canary-bfa-small", "m-canary-sen"], "is_withheld"].all()
    at_risk = m["metric_code"].isin(guarded.policy.at_risk_metrics)
    assert not (at_risk & (m["value"] < guarded.policy.min_public_count)).any()  # no small count shown anywhere
    assert SMALL_COUNT in set(guarded.metrics.loc[guarded.metrics["metric_code"] == "children_consulted", "value"])


def test_a_result_resting_on_a_withheld_count_says_withheld_never_a_share(guarded):
    def result(ds):
        return next(r for r in ibcr_data.all_results(ds) if r.key == "m-canary-bfa-target")

    public, board = result(view_for(guarded, "public")), result(guarded)
    assert [s.status for s in public.shares] == ["withheld"] and public.shares[0].pct is None
    assert board.shares[0].pct == pytest.approx(100 * SMALL_COUNT / 10)  # the board sees the share


def test_a_sensitive_country_keeps_its_work_without_partners_places_or_exact_dates(guarded):
    e = view_for(guarded, "public").engagements.set_index("engagement_id").loc["afg-activity-2020-21"]
    assert pd.isna(e["partners"]) and pd.isna(e["place_name"]) and pd.isna(e["start_date"]) and pd.isna(e["evidence"])
    assert e["start_year"] == 2020 and e["date_precision_code"] == "year" and e["country_iso3"] == "AFG"
    assert e["status_as_of"] == "2021"


def test_the_public_view_still_validates_its_own_counts(guarded):
    public = view_for(guarded, "public")
    figures = {f.key: f for f in ibcr_data.headline_figures(public, ibcr_data.apply_filters(public, ibcr_data.Filters()),
                                                            public.as_of_year)}
    board = {f.key: f for f in ibcr_data.headline_figures(guarded, ibcr_data.apply_filters(guarded, ibcr_data.Filters()),
                                                          guarded.as_of_year)}
    assert figures["engagements"].value == board["engagements"].value - 1  # the board-only engagement
    assert figures["programmes"].value == board["programmes"].value - 1
    assert "canary-programme" not in set(public.programmes["programme_id"])


def test_a_public_record_cannot_rest_on_a_board_only_one(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    write_safeguarding_fixture(data)
    from tests.support import read_rows, write_rows

    header, rows = read_rows(data / "engagements.csv")
    for r in rows:
        if r[0] == "bfa-canary-monitoring":
            r[header.index("audience_code")] = ""  # made public, yet its programme and source are the board's
    write_rows(data / "engagements.csv", header, rows)
    problems = [p for p in ibcr_data.validate(data)[0] if p.code == "public_rests_on_board"]
    assert {p.column for p in problems} == {"source_id", "programme_id"}


def test_making_a_board_record_public_is_listed_first_and_needs_its_own_yes(tmp_path, capsys):
    import openpyxl

    from ibcr_updates import Store
    from ibcr_updates.__main__ import main

    seed = tmp_path / "seed"
    shutil.copytree(DATA, seed)
    store = Store.open(tmp_path / "store", create=True, seed=write_safeguarding_fixture(seed))
    s = ["--store", str(store.root)]
    book = tmp_path / "records.xlsx"
    assert main([*s, "template", str(book)]) == 0
    wb = openpyxl.load_workbook(book)
    ws = wb["engagements"]
    header = [c.value for c in ws[1]]
    row = next(r for r in ws.iter_rows(min_row=2) if r[header.index("engagement_id")].value == "bfa-canary-monitoring")
    row[header.index("audience_code")].value = None  # made public
    for sheet, key in (("programmes", "canary-programme"), ("sources", "canary-board-report")):
        head = [c.value for c in wb[sheet][1]]
        for r in wb[sheet].iter_rows(min_row=2):
            if r[0].value == key:
                r[head.index("audience_code")].value = "public"  # what it rests on, public too
    wb.save(book)
    capsys.readouterr()
    assert main([*s, "import", str(book), "--note", "publish the monitoring", "--who", "ana", "--yes"]) == 1
    out = capsys.readouterr()
    assert out.out.splitlines()[1].startswith("Audience changes (3)")  # listed first
    assert "--yes --publish" in out.err and [v.id for v in store.versions()] == ["v1"]
    assert main([*s, "import", str(book), "--note", "publish the monitoring", "--who", "ana", "--yes", "--publish"]) == 0
    public = view_for(store.load("current"), "public")
    assert "bfa-canary-monitoring" in set(public.engagements["engagement_id"])


def test_a_disagreement_or_a_checked_pair_told_only_of_board_records_stays_with_the_board(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    write_safeguarding_fixture(data)
    header, rows = read_rows(data / "conflicts.csv")
    write_rows(data / "conflicts.csv", header, [*rows, [{"conflict_id": "canary-conflict"}.get(h, f"CANARY-CONFLICT {h}")
                                                        for h in header]])
    set_cell(data, "engagements.csv", len(read_rows(data / "engagements.csv")[1]) - 1, "conflict_id", "canary-conflict")
    header, rows = read_rows(data / "distinct_records.csv")
    pair = {"record_table": "engagements", "record_id": "bfa-canary-monitoring", "other_id": "bfa-gac-capacity-2015",
            "reason": "CANARY-PAIR monitoring is not the project"}
    write_rows(data / "distinct_records.csv", header, [*rows, [pair[h] for h in header]])
    ds = ibcr_data.load_dataset(data)
    public = view_for(ds, "public")
    assert "canary-conflict" in set(ds.conflicts["conflict_id"]) and "canary-conflict" not in set(public.conflicts["conflict_id"])
    assert len(public.conflicts) == len(ds.conflicts) - 1  # every other disagreement is still told
    pairs = public.others["distinct_records"]
    assert "CANARY-PAIR" not in pairs.to_csv() and len(pairs) == len(ds.others["distinct_records"]) - 1
