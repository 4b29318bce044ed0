"""Read a data file as text: the CSV parsed into columns of strings, with the file line of each record.

Every reader of the data's CSV files goes through `read_raw` (the validator, the loader, the
editing workbook, the comparison of versions), so a cell means the same thing everywhere.
"""

from __future__ import annotations

import csv
import difflib
import io
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from .problems import MAX_PER_RULE, Problem, more
from .schema import Descriptor, Resource

BOM = b"\xef\xbb\xbf"
MAX_FILE_BYTES = 200 * 1024 * 1024

@dataclass
class RawTable:
    """A CSV read as text, with the file line where each record starts."""

    resource: Resource
    frame: pd.DataFrame
    lines: list[int]


def read_raw(data_dir: Path, res: Resource) -> tuple[RawTable | None, list[Problem]]:
    path = data_dir / res.path
    name = res.path
    if not path.is_file():
        return None, [Problem(name, None, None, None, "the file listed in datapackage.yaml is missing",
                              f"restore {name} or remove the resource '{res.name}' from datapackage.yaml", code="file_missing")]
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        return None, [Problem(name, None, None, f"{size / 1e6:.0f} MB", "the file is too large to load",
                              f"keep each file under {MAX_FILE_BYTES // 2**20} MB; check it was not "
                              "saved with stray content", code="file_too_large")]
    raw = path.read_bytes()
    if raw.startswith(BOM):
        raw = raw[len(BOM):]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, [Problem(name, line, None, raw[exc.start: exc.start + 8].decode("latin-1"),
                              "the file is not UTF-8 text (probably Latin-1 from an older Excel)",
                              'in Excel use "Save As" and choose "CSV UTF-8 (Comma delimited)"', code="not_utf8")]
    if not text or text.isspace():
        return None, [Problem(name, None, None, None, "the file is empty",
                              "restore the header row and the records (see git history)", code="file_empty")]
    try:
        header = [h.strip() for h in next(csv.reader(io.StringIO(_first_line(text), newline="")))]
    except csv.Error as exc:
        return None, [Problem(name, 1, None, None, f"the header row cannot be parsed ({exc})",
                              "check the quotes in the first row", code="header_unparsable")]
    problems: list[Problem] = []
    fast = _fast_rows(raw, header) if len(set(header)) == len(header) else None
    if fast is not None:
        columns, lines = fast
    else:
        parsed = _exact_rows(text, header, name)
        if isinstance(parsed, Problem):
            return None, [parsed]
        columns, lines, problems = parsed
        columns = {h: c.str.strip() for h, c in columns.items()}
    expected = res.field_names
    missing = [c for c in expected if c not in header]
    extra = [c for c in header if c not in expected]
    dupes = sorted({c for c in header if header.count(c) > 1})
    for c in missing:
        close = difflib.get_close_matches(c, extra, n=1)
        problems.append(Problem(name, 1, c, None, "a column the schema requires is missing",
                                f"rename column '{close[0]}' to '{c}'" if close else f"add a column '{c}'", code="column_missing"))
    for c in extra:
        if not difflib.get_close_matches(c, missing, n=1):
            problems.append(Problem(name, 1, c, None, "the column is not in datapackage.yaml",
                                    "remove it, or declare it in datapackage.yaml with a type and description", code="column_extra"))
    for c in dupes:
        problems.append(Problem(name, 1, c, None, "the column appears twice", "keep one of them", code="column_twice"))
    if missing or dupes:
        return None, problems
    frame = pd.DataFrame({c: columns[c] for c in expected}, index=pd.RangeIndex(len(lines)))
    return RawTable(res, frame, lines), problems


def _first_line(text: str) -> str:
    """The text up to its first line break, or all of it when the header may span lines.

    NOTE: parsing the header from the whole text copies a file of 100 MB into a buffer first.
    """
    end = text.find("\n")
    head = text if end < 0 else text[: end + 1]
    return text if '"' in head or "\r" in head[:-2] else head


def _fast_rows(raw: bytes, header: list[str]) -> tuple[dict[str, pd.Series], list[int]] | None:
    """Parse a well-formed file with Arrow's CSV reader, cells stripped; None when the exact path is needed.

    Well-formed: every record on one line with as many cells as the header. Anything else (a
    ragged row, a line break inside a quoted cell) goes to `_exact_rows`, which reports it.
    NOTE: cells are stripped and blank records dropped in Arrow, before pandas sees them: on the
    1,000x data that is a third of the time the pandas string methods took.
    """
    try:
        table = pa_csv.read_csv(
            io.BytesIO(raw),
            parse_options=pa_csv.ParseOptions(newlines_in_values=False, ignore_empty_lines=False),
            convert_options=pa_csv.ConvertOptions(column_types={h: pa.string() for h in header},
                                                  strings_can_be_null=False, quoted_strings_can_be_null=False))
    except (pa.ArrowInvalid, ValueError):
        return None
    physical = raw.count(b"\n") + (0 if raw.endswith(b"\n") else 1) - 1
    if table.num_rows != physical or [c.strip() for c in table.column_names] != header:
        return None  # a quoted cell spans lines: the record-to-line map needs the exact parser
    # One chunk per column: Arrow takes a few rows out of a chunked column by walking all of it,
    # and every filtered view takes rows.
    cells = [pc.utf8_trim_whitespace(col).combine_chunks() for col in table.columns]
    lines = pa.array(range(2, table.num_rows + 2), type=pa.int64())
    if cells:
        filled = [pc.not_equal(c, "") for c in cells]
        keep = filled[0]
        for f in filled[1:]:
            keep = pc.or_(keep, f)
        if not pc.all(keep).as_py():
            cells = [c.filter(keep) for c in cells]
            lines = lines.filter(keep)
    df = pa.Table.from_arrays(cells, names=[f"c{i}" for i in range(len(cells))]).to_pandas()
    return {h: df[f"c{i}"] for i, h in enumerate(header)}, lines.to_pylist()


def _exact_rows(text: str, header: list[str], name: str):
    """Parse record by record, noting the line each starts on and every row of the wrong width."""
    reader = csv.reader(io.StringIO(text, newline=""))
    problems: list[Problem] = []
    rows: list[list[str]] = []
    lines: list[int] = []
    ragged = 0
    try:
        next(reader)
        start = reader.line_num + 1
        for row in reader:
            if any(row) and "".join(row).strip():
                if len(row) != len(header):
                    ragged += 1
                    if ragged <= MAX_PER_RULE:
                        problems.append(Problem(name, start, None, None,
                                                f"the row has {len(row)} cells but the header has {len(header)}",
                                                "check for a stray comma or an unquoted comma inside a text cell", code="row_width"))
                    row = (row + [""] * len(header))[: len(header)]
                rows.append(row)
                lines.append(start)
            start = reader.line_num + 1
    except csv.Error as exc:
        return Problem(name, reader.line_num, None, None, f"the CSV cannot be parsed ({exc})",
                       "check the quotes around text cells", code="csv_unparsable")
    if ragged > MAX_PER_RULE:
        problems.append(more(name, "", "rows with the wrong number of cells", ragged - MAX_PER_RULE, "row_width"))
    cells = list(zip(*rows)) if rows else [() for _ in header]
    columns = {}
    for i, h in enumerate(header):
        columns.setdefault(h, pd.Series(cells[i], dtype="str"))
    return columns, lines, problems


def unlisted_files(data_dir: Path, descriptor: Descriptor) -> list[Problem]:
    listed = {Path(r.path) for r in descriptor.resources}
    out = []
    for path in sorted(data_dir.rglob("*.csv")):
        rel = path.relative_to(data_dir)
        if rel not in listed:
            out.append(Problem(str(rel), None, None, None, "the file is not listed in datapackage.yaml",
                               "add it as a resource with its schema, or move it out of data/", code="file_unlisted"))
    return out
