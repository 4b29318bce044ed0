"""A pack's "Results against targets": each target in its scope, worded as the Results page words it (plain text)."""

from __future__ import annotations

import ibcr_data
from ibcr_present import cards
from ibcr_present import results as words
from ibcr_present.words import Words

from .scope import Scope


def results_section(ctx: Words, scope: Scope) -> dict:
    """The section as data for the template: a summary, then per result its lines, a bar and its sources."""
    found = words.ordered(ibcr_data.results_in_view(ctx.ds, scope.view))
    style = cards.plain(ctx)
    rows = []
    for result, row in ((r, words.row(ctx, r, style)) for r in found):
        lines = []
        for ln in row.lines:
            lines.append(f"{ctx.t('results.label.promised')} {ln.promise} — {ln.note} ({ln.source})")
            got = f" ({ln.achieved_source})" if ln.achieved_source else ""
            lines.append(f"{ctx.t('results.label.achieved')} {ln.progress}{got}")
        lines.append(ctx.pair("results.bar.time", row.time))
        lines += [x for x in (row.baseline, row.conflict) if x]
        share = result.shares[0].pct
        rows.append({"title": row.title, "place": row.place, "status": row.status_text,
                     "fraction": None if share is None else min(share, 100.0) / 100, "share": row.share,
                     "lines": lines, "sources": ctx.pair("pack.results.sources", "; ".join(style.source(s)
                                                                                           for s in row.sources))})
    return {"title": ctx.t("pack.section.results"), "intro": ctx.t("pack.results.intro"),
            "summary": words.summary(ctx, tuple(found), in_pack=True), "rows": rows, "how": ctx.t("results.how"),
            "reached": ctx.t("results.bar.reached"), "empty": ctx.t("pack.results.none")}
