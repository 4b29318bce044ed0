"""Update the data: editors download the workbook, upload their edits, check, compare, accept; every version kept."""

from pathlib import Path

import streamlit as st

from ibcr_ui import components, data, editing, history, shell
from ibcr_ui.components import problems_list
from ibcr_updates import Editors

# Inputs
ctx = shell.setup("editor")
components.page_header(ctx, ctx.t("page.editor"))
editors = Editors.open()
if not editors.enabled():
    st.info(ctx.t("editor.off"))
    shell.stop(ctx)
who = editing.signed_in(editors)  # ends a session whose account was removed
if not who:  # visitors see the sign-in form and nothing else: no upload control
    editing.sign_in_form(ctx, editors)
    shell.stop(ctx)
editing.session_line(ctx, who)
if editors.role(who) != "editor":  # a board account reads the board view; only an editor changes data
    st.info(ctx.t("editor.board_role"))
    shell.stop(ctx)
editing.notice(ctx)
# Imported here, for a signed-in editor only: the workbook reader and writer (openpyxl, lxml, Pillow)
# are 12 MB that a server whose visitors only see the sign-in form never needs.
from ibcr_updates import compare, upload, workbook  # noqa: E402

store = data.store(ctx.source)
current = store.current()

# Render: download, upload, check, compare, accept
update, past = st.tabs([ctx.t("editor.tab_update"), ctx.t("editor.tab_versions")])
with update:
    st.markdown(ctx.t("editor.steps"))
    st.download_button(ctx.t("editor.download"), data=lambda: workbook.template(ctx.ds, ctx.lang), on_click="ignore",
                       file_name=ctx.t("files.workbook") + ".xlsx", key="template",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    upload = st.file_uploader(ctx.t("editor.upload"), type=["xlsx", "zip"],
                              key=f"upload_{st.session_state.get('upload_round', 0)}",
                              max_upload_size=upload.MAX_UPLOAD_BYTES // 2**20)
    if upload is not None:
        checked = editing.checked_upload(upload, store, current)
        if checked.problems:
            problems_list(ctx, checked.problems)
        else:
            st.success(ctx.t("editor.valid", base=current.id))
            comparison = compare(store.path(checked.base), Path(checked.folder))
            history.comparison_view(ctx, comparison)
            published = ", ".join(f"{t} {k}" for t, k in comparison.publishes)
            confirmed = not published or st.checkbox(ctx.t("compare.publish_confirm", records=published),
                                                     key="publish_confirm")
            note = st.text_input(ctx.t("editor.note"), key="accept_note", max_chars=300)
            if st.button(ctx.t("editor.accept"), type="primary", disabled=not (note.strip() and confirmed)):
                editing.accept(ctx, store, checked, who, note)
with past:
    all_versions = store.versions()
    history.versions_table(ctx, all_versions)
    editing.name_form(ctx, store, all_versions, who)
    editing.restore_form(ctx, store, all_versions, who)
    st.download_button(ctx.t("editor.backup"), data=store.backup, file_name="ibcr-data-history.zip",
                       mime="application/zip", on_click="ignore", key="backup")
    st.caption(ctx.t("editor.backup_how"))
shell.done(ctx)
