"""The headline cards, worded once: the Overview's cards and the packs' figures say the same thing.

Four cards are counted from the records in view, four are figures IBCR reported. Each card says
its number, how it was counted, where it comes from, and every figure that disagrees with it.
The words are the same on the page (Markdown, sources linked) and in a pack (plain text,
sources by title): only `Style` differs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from ibcr_data import HeadlineNumber

from . import text
from .blocks import Card
from .words import Words

COUNTED = ("countries_engaged", "programmes", "engagements", "years_active")
REPORTED = ("professionals_trained", "volunteers_deployed", "children_reached", "countries_reached")


@dataclass(frozen=True)
class Style:
    """How a card writes a source and a text from the data."""

    source: Callable[[str], str]  # a source id -> its title, or a link to it
    data: Callable[[str], str]  # a text from the data, as the output needs it (escaped for Markdown, or as is)


def markdown(w: Words) -> Style:
    """For the page: Markdown, each source a link."""
    return Style(lambda s: text.source_link(w, s), text.md)


def plain(w: Words) -> Style:
    """For a pack: plain text, each source by its title."""
    return Style(w.source_title, str)


def headline_cards(w: Words, figs: Mapping[str, HeadlineNumber], style: Style) -> tuple[list[Card], list[Card]]:
    """The counted cards, then the reported ones, in the order they are shown."""
    return [counted_card(w, figs[k], style) for k in COUNTED], [reported_card(w, figs[k], style) for k in REPORTED]


def counted_card(w: Words, fig: HeadlineNumber, style: Style) -> Card:
    """A number counted from the records: the count, how it was counted, and that it comes from the records."""
    source = w.t("card.from_records")
    if fig.key == "countries_engaged":
        how = w.tn("card.countries_engaged.how", fig.venue_count, venues=w.number(fig.venue_count))
    elif fig.key == "years_active":
        how = w.t("card.years_active.how", start=fig.start_year, end=fig.end_year)
        source = w.t("card.source") + " " + "; ".join(style.source(s) for s in fig.source_ids)
    else:
        how = w.t(f"card.{fig.key}.how")
    return Card(w.t(f"card.{fig.key}"), w.number(fig.value), (how, source), key=fig.key)


def reported_card(w: Words, fig: HeadlineNumber, style: Style) -> Card:
    """A reported figure: the value as the source qualifies it, its scope and period, what it counts,
    how sure it is, its sources; then each figure that disagrees with it."""
    if fig.value is None and not fig.is_withheld:
        return Card(w.t(f"card.{fig.key}"), "—", (w.t("card.no_figure"),), key=fig.key)
    lines = [text.figure_text(w, fig) + " · "
             + w.t(f"scope_card.{fig.scope}", period=style.data(fig.period(w.lang)))]
    note = text.conflict_topic(w, fig.conflict_id) if fig.is_tie and fig.conflict_id else fig.note(w.lang)
    if isinstance(note, str) and note:
        lines.append(style.data(note))
    if fig.is_tie:
        lines.append(w.t("card.tie"))
    marks = [w.t("card.estimate")] if fig.is_estimate else []
    marks.append(w.t("card.confidence", level=w.label("confidence", fig.confidence)))
    lines.append(" · ".join(marks))
    lines.append(w.t("card.source") + " " + "; ".join(style.source(s) for s in fig.source_ids))
    conflicts = []
    for alt in fig.alternatives:
        value = text.figure_text(w, alt)
        if alt.is_target:
            value += " " + w.t("card.target_suffix")
        conflicts.append(w.t("card.conflict", value=value, period=style.data(alt.period(w.lang)),
                             source="; ".join(style.source(s) for s in alt.source_ids)))
    return Card(w.t(f"card.{fig.key}"), text.headline_value_text(w, fig), tuple(lines), tuple(conflicts),
                w.tn("card.disagree_n", len(conflicts)) if conflicts else "", key=fig.key)
