"""Sources and method: where every number comes from, how it is counted, and what is missing."""

import pandas as pd
import streamlit as st

import ibcr_data
from ibcr_present import blocks, i18n
from ibcr_present.text import md
from ibcr_ui import components, data, opendata, shell, tables

# Inputs
ctx = shell.setup("sources")

# Data
usage = data.memo(("source_usage", ctx.fingerprint), lambda: ibcr_data.source_usage(ctx.ds))  # read-only

# Render
st.title(ctx.t("sources.title"))
st.markdown(ctx.tn("sources.intro", len(usage), updated=i18n.iso_date(ctx.lang, ctx.ds.last_updated)))

components.section(ctx.t("sources.seeds_title"))
for _, s in usage[usage["source_type_code"] == "seed"].iterrows():
    st.markdown(f"- **{md(s['title'])}** — `{str(s['file_name']).replace('`', '')}` · "
                + ctx.tn("sources.supports", int(s["record_count"])))

components.section(ctx.t("sources.all_title"))
table = pd.DataFrame({
    ctx.t("col.source"): usage["title"],
    ctx.t("col.publisher"): usage["publisher"].map(ctx.orgs),
    ctx.t("col.type"): [ctx.label("source_type", c) for c in usage["source_type_code"]],
    ctx.t("col.published"): usage["published"],
    ctx.t("col.records"): usage["record_count"],
    ctx.t("col.link"): usage["url"],
    ctx.t("col.notes"): usage["notes"],
})
tables.show(ctx, "sources", table, ctx.t("sources.all_title"), rows=250, numeric=frozenset({ctx.t("col.records")}),
            links=frozenset({ctx.t("col.link")}), every_row_note=ctx.t("rows.sources_in_downloads"))

components.section(ctx.t("method.title"))
st.markdown(ctx.t("method.records"))
st.markdown(ctx.t("method.counting"))
st.markdown(ctx.t("method.lead"))
st.markdown(ctx.t("results.how"))
st.markdown(ctx.t("method.confidence"))
st.markdown(ctx.t("method.as_of"))

components.section(ctx.t("policy.title"))
st.markdown(md(ctx.ds.policy.statement(ctx.lang)))
withheld = data.withheld(ctx.source)  # what the public view withholds, whoever reads this page
st.html(blocks.table_html([ctx.t("policy.col.rule"), ctx.t("policy.col.count")],
                          [[ctx.t(f"policy.rule.{rule}", n=ctx.number(ctx.ds.policy.min_public_count)), ctx.number(n)]
                           for rule, n in withheld.items()], numeric=frozenset({1}), name=ctx.t("policy.title")))
st.caption(ctx.t("policy.how"))
opendata.section(ctx)

components.section(ctx.t("method.conflicts_title"))
for topic, resolution in zip(ctx.ds.conflicts[f"topic_{ctx.lang}"], ctx.ds.conflicts[f"resolution_{ctx.lang}"]):
    st.markdown(f"- ⚠️ **{md(topic)}**  \n{md(resolution)}")
components.section(ctx.t("method.gaps_title"))
st.markdown(ctx.t("method.gaps"))
components.section(ctx.t("method.map_title"))
st.markdown(ctx.t("map.credit") + " " + ctx.t("map.disclaimer"))
st.caption(ctx.t("method.reference_data"))
shell.done(ctx)
