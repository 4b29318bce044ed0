"""Results against targets, the read side: every target with its progress, and the rules that keep pairs honest."""

from __future__ import annotations

import pytest

import ibcr_data
from ibcr_data import Filters
from tests.support import read_rows, write_rows


def _add_metric(data_dir, **values) -> None:
    """A new row in metrics.csv: a copy of PRIDE's 250-volunteer target, changed by `values`."""
    header, rows = read_rows(data_dir / "metrics.csv")
    base = next(r for r in rows if r[0] == "m-pride-page-volunteers-planned")
    row = dict(zip(header, base)) | {"conflict_id": ""} | values
    write_rows(data_dir / "metrics.csv", header, [*rows, [row[h] for h in header]])


def _set(data_dir, metric_id: str, **values) -> None:
    header, rows = read_rows(data_dir / "metrics.csv")
    for r in rows:
        if r[0] == metric_id:
            for k, v in values.items():
                r[header.index(k)] = v
    write_rows(data_dir / "metrics.csv", header, rows)


def _codes(data_dir) -> list[str]:
    problems, _, _ = ibcr_data.validate(data_dir)
    return [p.code for p in problems]


def _by_programme(ds, programme_id: str, metric_code: str) -> ibcr_data.Result:
    return next(r for r in ibcr_data.all_results(ds) if r.programme_id == programme_id and r.metric_code == metric_code)


def test_every_target_is_a_result_and_never_an_achievement(ds):
    targets = set(ds.metrics.loc[ds.metrics["is_target"], "metric_id"])
    results = ibcr_data.all_results(ds)
    shown = [t.metric_id for r in results for t in r.targets]
    assert sorted(shown) == sorted(targets)  # each target once, every one of them
    achieved = {f.metric_id for r in results for f in (*r.achievements, *filter(None, (r.latest, r.baseline)))}
    assert achieved and not achieved & targets
    assert all(not f.is_target for r in results for f in r.achievements)


def test_no_progress_is_never_a_share_of_zero(ds):
    for r in ibcr_data.all_results(ds):
        for s in r.shares:
            if r.latest is None:
                assert s.pct is None and s.status == "no_progress"
            else:
                assert s.pct is not None and s.pct > 0


def test_batela_mwana_reached_its_target_by_the_projects_close(ds):
    r = _by_programme(ds, "gac-cod-batela-mwana", "professionals_trained")
    assert r.country_iso3 == "COD" and [t.value for t in r.targets] == [4000]
    assert [a.metric_id for a in r.achievements] == ["m-cod-recruits-taught", "m-cod-professionals-reached-2021"]
    assert r.latest.value == 15093 and r.latest.source_ids == ("gac-d001114001",)
    (share,) = r.shares
    assert round(share.pct) == 377 and share.bound == "about"  # of "more than 4,000": not an exact share
    assert share.status == "reached" and r.status == "reached"


def test_prodef_shows_both_targets_and_ended_short_of_each(ds):
    r = _by_programme(ds, "prodef", "volunteers_deployed")
    assert [(t.value, t.qualifier) for t in r.targets] == [(100, "about"), (200, "more_than")]
    assert {t.source_ids[0] for t in r.targets} == {"asfcanada-cooperation-volontaire-prodef", "seed-003"}
    assert r.latest.value == 70 and r.latest.qualifier == "more_than"
    assert [(round(s.pct), s.bound, s.status) for s in r.shares] == [(70, "at_least", "ended_short"),
                                                                    (35, "at_least", "ended_short")]
    assert r.conflict_id == "prodef-volunteers"
    # The seed's "more than 200 deployed" is a disputed claim, not progress (facts.md §4 #11).
    assert "m-seed000-prodef-volunteers-deployed" not in r.metric_ids


def test_targets_with_nothing_reported_say_so(ds):
    for programme, code in (("pride", "volunteers_deployed"), ("pride", "volunteer_mandates"),
                            ("xale-sama-yite", "people_reached"), ("xale-sama-yite", "people_trained"),
                            ("xale-sama-yite", "women_girls_reached")):
        r = _by_programme(ds, programme, code)
        assert r.latest is None and r.status == "no_progress", (programme, code)
    pride = _by_programme(ds, "pride", "volunteers_deployed")
    assert [t.value for t in pride.targets] == [250, 240]  # the current page's 250 leads (a later end year)
    assert round(pride.shares[0].time_elapsed, 2) == round(7 / 9, 2)  # 2020-2028, judged in 2026


def test_progress_against_time_gives_ahead_or_behind(data_copy):
    values = dict(metric_id="m-test-pride-deployed", is_target="false", value="100", qualifier_code="exactly",
                  start_year="2020", end_year="2023", period_confidence_code="exact",
                  target_metric_id="m-pride-page-volunteers-planned")
    _add_metric(data_copy, **values)
    r = _by_programme(ibcr_data.load_dataset(data_copy), "pride", "volunteers_deployed")
    lead = r.shares[0]  # 100 of 250 = 40 % by 2023, when 4 of the 9 years (44 %) had gone by
    assert round(lead.pct) == 40 and lead.judged_year == 2023 and lead.status == "behind"
    _set(data_copy, "m-test-pride-deployed", value="150")
    r = _by_programme(ibcr_data.load_dataset(data_copy), "pride", "volunteers_deployed")
    assert round(r.shares[0].pct) == 60 and r.shares[0].status == "ahead"
    assert r.shares[1].bound == "about"  # of "more than 240"


def test_a_baseline_is_shown_not_counted(data_copy):
    _add_metric(data_copy, metric_id="m-test-pride-baseline", is_target="false", value="0", start_year="2020",
                end_year="2020", target_metric_id="m-pride-page-volunteers-planned", is_baseline="true")
    r = _by_programme(ibcr_data.load_dataset(data_copy), "pride", "volunteers_deployed")
    assert r.baseline is not None and r.baseline.metric_id == "m-test-pride-baseline"
    assert r.latest is None and r.status == "no_progress"


def test_the_years_chosen_judge_progress_at_their_end(ds):
    view = ibcr_data.apply_filters(ds, Filters(years=(2015, 2017)))
    r = next(r for r in ibcr_data.results_in_view(ds, view) if r.programme_id == "prodef")
    assert r.latest is None and r.as_of_year == 2017  # the 2020 count was not reported by 2017
    view = ibcr_data.apply_filters(ds, Filters(countries=frozenset({"COD"})))
    assert [r.programme_id for r in ibcr_data.results_in_view(ds, view)] == ["gac-cod-batela-mwana"]
    view = ibcr_data.apply_filters(ds, Filters(programmes=frozenset({"xale-sama-yite"})))
    assert len(ibcr_data.results_in_view(ds, view)) == 3


@pytest.mark.parametrize(("change", "codes"), [
    # PRODEF's count linked to PRIDE's mandates: another metric, unit and programme.
    ({"target_metric_id": "m-pride-2020-mandates-planned"},
     {"pair_metric_mismatch", "pair_unit_mismatch", "pair_programme_mismatch"}),
    ({"scope_code": "cumulative"}, {"pair_scope_mismatch"}),
    ({"country_iso3": "COL"}, {"pair_country_mismatch"}),
    ({"target_metric_id": "m-prodef-countries"}, {"pair_not_a_target"}),
    ({"end_year": "2014", "start_year": "2014"}, {"achievement_before_start"}),
    ({"is_baseline": "true", "end_year": "2014", "start_year": "2014"}, set()),  # a baseline may predate the work
    ({"target_metric_id": "m-nowhere"}, {"unknown_reference"}),
])
def test_a_pair_that_does_not_measure_the_same_thing_is_refused(data_copy, change, codes):
    _set(data_copy, "m-prodef-volunteers-deployed", **change)
    found = set(_codes(data_copy))
    assert codes <= found
    assert not (found - codes), found - codes


def test_a_target_never_counts_as_achieved(data_copy):
    _set(data_copy, "m-pride-page-volunteers-planned", target_metric_id="m-pride-2020-volunteers-planned")
    assert _codes(data_copy) == ["target_counted_as_achieved"]
    _set(data_copy, "m-pride-page-volunteers-planned", target_metric_id="", is_baseline="true")
    assert _codes(data_copy) == ["target_is_baseline"]
    _set(data_copy, "m-pride-page-volunteers-planned", is_target="false")
    assert _codes(data_copy) == ["baseline_without_target"]


def test_a_problem_names_the_row_and_says_what_to_do(data_copy):
    _set(data_copy, "m-cod-recruits-taught", scope_code="annual")
    (problem,) = ibcr_data.validate(data_copy)[0]
    header, rows = read_rows(data_copy / "metrics.csv")
    assert problem.file == "metrics.csv" and problem.column == "scope_code" and problem.value == "annual"
    assert problem.line == 2 + next(i for i, r in enumerate(rows) if r[0] == "m-cod-recruits-taught")
    assert "m-cod-target-professionals" in problem.message and "programme" in problem.hint


def test_the_editing_workbook_offers_the_targets_and_explains_the_new_columns(ds):
    import io

    import openpyxl
    from openpyxl.utils import get_column_letter

    from ibcr_updates.workbook import template

    ws = openpyxl.load_workbook(io.BytesIO(template(ds, "fr")))["metrics"]
    header = [c.value for c in ws[1]]
    res = ds.descriptor.resource("metrics")
    rules = {str(dv.sqref).split(":")[0]: dv.formula1.replace("'", "") for dv in ws.data_validations.dataValidation}
    for name in ("target_metric_id", "is_baseline"):
        column = header.index(name) + 1
        assert ws.cell(1, column).comment.text == res.field(name).description_in("fr")  # the note, in French
        assert f"{get_column_letter(column)}2" in rules, name
    # A target is chosen among the metrics sheet's own ids, so a target added in the same workbook is offered.
    assert rules[f"{get_column_letter(header.index('target_metric_id') + 1)}2"].startswith("metrics!$A$2")
    linked = ws.cell(2 + list(ds.metrics["metric_id"]).index("m-prodef-volunteers-deployed"),
                     header.index("target_metric_id") + 1).value
    assert linked == "m-prodef-volunteers-target"
