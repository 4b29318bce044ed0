"""The editing workbook: one sheet per editable table, with drop-downs, for staff to fill in Excel.

`template(ds, lang)` writes the current records exactly as in the CSVs (years and figures as
numbers when they read back identically), a "Read me" sheet with the rules, every coded column as
a drop-down, and each field's description as its header's comment. ibcr_updates/upload.py reads it back.
"""

from __future__ import annotations

import io
import re

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from ibcr_data import Dataset
from ibcr_data.checks import MAX_CELL_CHARS
from ibcr_data.csvread import read_raw
from ibcr_data.schema import Field, Resource
from ibcr_present import i18n

from .compare import editable_tables

README_SHEET = {"en": "Read me", "fr": "À lire", "es": "Léame"}
LISTS_SHEET = "lists"  # hidden: the codes the drop-downs offer
SPARE_ROWS = 500  # rows below the records that keep the drop-downs, for new records
MAX_WIDTH = 60
INT_RE = re.compile(r"^-?\d+$")

README = {
    "en": [
        "IBCR records — editing workbook",
        "",
        "How to edit",
        "1. One sheet per table. Edit, add or delete rows; keep the header row (the first row) exactly as it is.",
        "2. Do not rename, hide or add sheets, and do not merge cells.",
        "3. Use the drop-downs: coded columns (kind_code, status_code, country_iso3…) accept only the listed codes.",
        "4. Every record needs a source_id from the 'sources' sheet (add the source there first if it is new) "
        "and a confidence_code (exact, approximate or inferred).",
        "5. Write descriptions in your own words, in English (…_en), French (…_fr) and Spanish (…_es): each is "
        "required.",
        "6. Paste values only, never formulas: use Paste Special → Values.",
        "7. Years are whole numbers (2016), never dates. Partial dates are text: 2016, 2016-03 or 2016-03-15.",
        "8. Leave a cell empty when it is unknown; never write 0 for an unknown figure.",
        "9. Save as an Excel workbook (.xlsx), not .xlsm or .csv, then upload it on the dashboard's Data page.",
        "10. A cell holds at most {limit} characters (Excel's own limit). A new line inside a cell is "
        "Alt+Enter. Text pasted from another program may bring invisible control characters or carriage "
        "returns, which are refused: type such text again.",
        "",
        "Each column's header has a note saying what it holds (hover over it).",
        "Nothing changes until an editor has seen the list of changes and accepted it; every version is kept.",
    ],
    "fr": [
        "Fiches de l'IBCR — classeur de saisie",
        "",
        "Comment modifier",
        "1. Une feuille par table. Modifiez, ajoutez ou supprimez des lignes ; gardez la ligne d'en-tête "
        "(la première ligne) telle quelle.",
        "2. Ne renommez, ne masquez et n'ajoutez aucune feuille, et ne fusionnez pas de cellules.",
        "3. Utilisez les listes déroulantes : les colonnes codées (kind_code, status_code, country_iso3…) "
        "n'acceptent que les codes proposés.",
        "4. Chaque fiche doit avoir un source_id de la feuille « sources » (ajoutez-y d'abord la source si elle "
        "est nouvelle) et un confidence_code (exact, approximate ou inferred).",
        "5. Rédigez les descriptions dans vos propres mots, en anglais (…_en), en français (…_fr) et en "
        "espagnol (…_es) : chacune est obligatoire.",
        "6. Collez des valeurs seulement, jamais de formules : Collage spécial → Valeurs.",
        "7. Les années sont des nombres entiers (2016), jamais des dates. Les dates partielles sont du texte : "
        "2016, 2016-03 ou 2016-03-15.",
        "8. Laissez vide une cellule inconnue ; n'écrivez jamais 0 pour un chiffre inconnu.",
        "9. Enregistrez au format classeur Excel (.xlsx), pas .xlsm ni .csv, puis téléversez-le sur la page "
        "Données du tableau de bord.",
        "10. Une cellule contient au plus {limit} caractères (la limite d'Excel)."
        " Un retour à la ligne dans une cellule se tape Alt+Entrée. Un texte collé depuis un autre programme "
        "peut apporter des caractères de contrôle invisibles ou des retours chariot, qui sont refusés : "
        "retapez ce texte.",
        "",
        "L'en-tête de chaque colonne porte une note qui dit ce qu'elle contient (survolez-la).",
        "Rien ne change avant qu'un éditeur ait vu la liste des changements et l'ait acceptée ; chaque version "
        "est conservée.",
    ],
    "es": [
        "Registros de la IBCR — libro de edición",
        "",
        "Cómo editar",
        "1. Una hoja por tabla. Modifique, añada o elimine filas; deje la fila de encabezado (la primera fila) "
        "tal como está.",
        "2. No cambie el nombre de las hojas, no las oculte ni añada otras, y no combine celdas.",
        "3. Use las listas desplegables: las columnas codificadas (kind_code, status_code, country_iso3…) solo "
        "aceptan los códigos de la lista.",
        "4. Cada registro necesita un source_id de la hoja «sources» (añada allí primero la fuente si es nueva) "
        "y un confidence_code (exact, approximate o inferred).",
        "5. Redacte las descripciones con sus propias palabras, en inglés (…_en), en francés (…_fr) y en "
        "español (…_es): cada una es obligatoria.",
        "6. Pegue solo valores, nunca fórmulas: use Pegado especial → Valores.",
        "7. Los años son números enteros (2016), nunca fechas. Las fechas parciales son texto: 2016, 2016-03 o "
        "2016-03-15.",
        "8. Deje vacía una celda desconocida; nunca escriba 0 para una cifra desconocida.",
        "9. Guarde como libro de Excel (.xlsx), no .xlsm ni .csv, y luego súbalo en la página Datos del tablero.",
        "10. Una celda contiene como máximo {limit} caracteres (el límite de Excel)."
        " Un salto de línea dentro de una celda se escribe con Alt+Entrar. Un texto pegado desde otro programa "
        "puede traer caracteres de control invisibles o retornos de carro, que se rechazan: vuelva a escribir "
        "ese texto.",
        "",
        "El encabezado de cada columna lleva una nota que dice lo que contiene (pase el cursor por encima).",
        "Nada cambia hasta que un editor haya visto la lista de cambios y la haya aceptado; cada versión se "
        "conserva.",
    ],
}
MADE_FROM = {"en": "Made from version {version} of the data (last updated {updated}).",
             "fr": "Établi à partir de la version {version} des données (dernière mise à jour : {updated}).",
             "es": "Hecho a partir de la versión {version} de los datos (última actualización: {updated})."}
CHOOSE = {"en": "Choose a value from the list.", "fr": "Choisissez une valeur de la liste.",
          "es": "Elija un valor de la lista."}
HEADER_FILL = PatternFill("solid", fgColor="DDE4EE")


def template(ds: Dataset, lang: str = "en") -> bytes:
    """The current records as an .xlsx workbook to edit, with the rules in `lang` ("en", "fr" or "es")."""
    lang = lang if lang in README else "en"
    wb = Workbook()
    readme = wb.active
    readme.title = README_SHEET[lang]
    _write_readme(readme, ds, lang)
    lists = wb.create_sheet(LISTS_SHEET)
    tables = editable_tables(ds)
    sheets = {res.name: wb.create_sheet(res.name) for res in tables}
    columns = _write_lists(lists, ds, tables)
    for res in tables:
        _write_table(sheets[res.name], res, ds, columns, lang)
    wb.move_sheet(lists, offset=len(tables))  # last, hidden
    lists.sheet_state = "hidden"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def sheet_names(ds: Dataset) -> list[str]:
    """The table sheets a workbook must have, in order."""
    return [res.name for res in editable_tables(ds)]


def _write_readme(ws, ds: Dataset, lang: str) -> None:
    limit = i18n.number(lang, MAX_CELL_CHARS)  # the reader's way of writing 32,767
    for i, line in enumerate(README[lang], start=1):
        cell = ws.cell(i, 1, line.replace("{limit}", limit))
        cell.data_type = "s"
        if i == 1:
            cell.font = Font(bold=True, size=14)
        elif i == 3:
            cell.font = Font(bold=True)
    made = MADE_FROM[lang].format(version=ds.version or "—", updated=ds.last_updated or "—")
    ws.cell(len(README[lang]) + 2, 1, made).font = Font(italic=True)
    ws.column_dimensions["A"].width = 120


def _write_lists(ws, ds: Dataset, tables: list[Resource]) -> dict[str, str]:
    """One column per code list on the hidden sheet; returns field name -> list formula."""
    formulas: dict[str, str] = {}
    col = 1
    sheet_cols = {res.name: res.field_names.index(res.primary_key) + 1 for res in tables
                  if res.primary_key and res.primary_key in res.field_names}
    needed = {f.name: f for res in tables for f in res.fields}
    fks = {fk.field: fk for res in tables for fk in res.foreign_keys}
    for name, f in needed.items():
        fk = fks.get(name)
        if fk is not None and fk.resource in sheet_cols:  # an id of another sheet: list that sheet's column
            letter = get_column_letter(sheet_cols[fk.resource])
            rows = len(ds.table(fk.resource)) + SPARE_ROWS + 1
            formulas[name] = f"{quote_sheetname(fk.resource)}!${letter}$2:${letter}${rows}"
            continue
        codes, labels = _codes(ds, f, fk.resource if fk else None)
        if codes is None:
            continue
        ws.cell(1, col, name).font = Font(bold=True)
        for i, code in enumerate(codes, start=2):
            ws.cell(i, col, code).data_type = "s"
            if labels:
                ws.cell(i, col + 1, labels[i - 2])
        letter = get_column_letter(col)
        formulas[name] = f"{quote_sheetname(LISTS_SHEET)}!${letter}$2:${letter}${len(codes) + 1}"
        col += 2 if labels else 1
    return formulas


def _codes(ds: Dataset, f: Field, target: str | None) -> tuple[list[str] | None, list[str] | None]:
    if f.enum is not None:
        return list(f.enum), None
    if f.type == "boolean":
        return ["true", "false"], None
    if target is None:
        return None, None
    ref = ds.table(target)
    key = ds.descriptor.resource(target).primary_key
    if target == "countries":
        return list(ref[key]), list(ref["name_en"])
    return list(ref[key]), None


def _write_table(ws, res: Resource, ds: Dataset, formulas: dict[str, str], lang: str) -> None:
    table, _ = read_raw(ds.data_dir, res)
    frame = table.frame if table is not None else None
    n = len(frame) if frame is not None else 0
    last = n + SPARE_ROWS + 1
    for j, f in enumerate(res.fields, start=1):
        cell = ws.cell(1, j, f.name)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(vertical="top")
        comment = Comment(f.description_in(lang) or f.name, "IBCR")
        comment.width, comment.height = 300, 110
        cell.comment = comment
        letter = get_column_letter(j)
        if f.type == "string":
            ws.column_dimensions[letter].number_format = "@"  # typed text stays text (no 2016-03 -> a date)
        values = frame[f.name].tolist() if frame is not None else []
        for i, text in enumerate(values, start=2):
            if text == "":
                continue
            c = ws.cell(i, j, _value(text, f))
            if isinstance(c.value, str):
                c.data_type = "s"  # never a formula, even when the text starts with "="
                c.number_format = "@"
        longest = max([len(f.name) + 2, *(min(len(v), MAX_WIDTH) for v in values[:400])])
        ws.column_dimensions[letter].width = min(max(longest, 8) + 2, MAX_WIDTH)
        if f.name in formulas:
            dv = DataValidation(type="list", formula1=formulas[f.name], allow_blank=True, showDropDown=False,
                                showErrorMessage=True, errorTitle=f.name,
                                error=CHOOSE[lang])
            dv.add(f"{letter}2:{letter}{last}")
            ws.add_data_validation(dv)
    ws.freeze_panes = "A2"


def _value(text: str, f: Field):
    """A cell value that reads back as exactly `text`: numbers as numbers when they round-trip."""
    if f.type == "integer" and INT_RE.match(text) and str(int(text)) == text:
        return int(text)
    if f.type == "number":
        if INT_RE.match(text) and str(int(text)) == text:
            return int(text)
        try:
            x = float(text)
        except ValueError:
            return text
        if repr(x) == text:
            return x
    return text
