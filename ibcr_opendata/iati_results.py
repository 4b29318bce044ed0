"""The results of an IATI activity: the Results page's targets and progress, as IATI's result model.

`programme_results` gives a programme's results from the public view; iati.py writes them as
<result>/<indicator>/<period>/<target>/<actual>.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from ibcr_data import results_of_programme
from ibcr_present.results import achieved_text, ordered, place, qualified, title
from ibcr_present.words import Words

from .release import Release

NARRATIVE_LANGUAGES = ("en", "fr", "es")


@dataclass(frozen=True)
class IatiPeriod:
    """One reporting period of an indicator: its dates (ISO) and the target and actual values, when known."""

    start: str
    end: str
    target: float | None = None
    actual: float | None = None
    target_comment: Mapping[str, str] | None = None  # language -> the target as its source words it
    actual_comment: Mapping[str, str] | None = None


@dataclass(frozen=True)
class IatiIndicator:
    title: Mapping[str, str]  # language -> text
    periods: tuple[IatiPeriod, ...] = ()
    measure: str = "1"  # IndicatorMeasure: unit
    ascending: bool = True


@dataclass(frozen=True)
class IatiResult:
    title: Mapping[str, str]
    indicators: tuple[IatiIndicator, ...]
    type: str = "1"  # ResultType: output


ResultsHook = Callable[[Release, str], list[IatiResult]]


def programme_results(rel: Release, programme_id: str) -> list[IatiResult]:
    """A programme's results as the Results page gives them (ibcr_data.results), from the public view.

    One result per thing promised, in its country or programme-wide, each with one indicator; one period
    per target (its years), the target's value and, when something was reported against it, the latest
    figure as the actual. IATI takes one number: a range gives its low end, and the comment of each
    target and actual says the figure as its source qualifies it ("more than 70", "about 100"). A target
    or a figure the public view withholds is not written.
    """
    out = []
    for result in ordered(results_of_programme(rel.ds, programme_id)):
        periods = []
        for share in result.shares:
            target = share.target
            if target.is_withheld or target.value is None:
                continue
            start, end = _period_years(rel, target, programme_id)
            if start is None or end is None:
                continue
            actual = result.latest if result.latest is not None and not result.latest.is_withheld else None
            periods.append(IatiPeriod(
                start=f"{start}-01-01", end=f"{end}-12-31", target=target.value, actual=actual.value if actual else None,
                target_comment=_in_words(rel, lambda w, t=target: qualified(w, t)),
                actual_comment=_in_words(rel, lambda w, a=actual: achieved_text(w, a)) if actual else None))
        if not periods:
            continue
        name = _in_words(rel, lambda w, r=result: title(w, r) if r.country_iso3 is None else f"{title(w, r)} ({place(w, r)})")
        out.append(IatiResult(title=name,
                              indicators=(IatiIndicator(title=_in_words(rel, lambda w, r=result: w.label("metric", r.metric_code)),
                                                        periods=tuple(periods)),)))
    return out


def _period_years(rel: Release, target, programme_id: str) -> tuple[int | None, int | None]:
    """The years a target covers: its own, else from the programme's start (as the Results page judges time)."""
    start = target.start_year
    if start is None:
        began = rel.ds.programmes.loc[rel.ds.programmes["programme_id"] == programme_id, "start_year"].dropna()
        start = int(began.iloc[0]) if len(began) else target.end_year
    return start, target.end_year


def _in_words(rel: Release, say: Callable) -> dict[str, str]:
    """`say` in each language, with the release's words built once per language (kept on its dataset)."""
    out = {}
    for lang in NARRATIVE_LANGUAGES:
        key = f"iati_words_{lang}"
        if key not in rel.ds.derived:
            rel.ds.derived[key] = Words.of(rel.ds, lang)
        out[lang] = say(rel.ds.derived[key])
    return out
