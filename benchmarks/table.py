"""The result table: one Row per figure, with its floor, ratio and target, printed and written as JSON."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field


@dataclass
class Row:
    section: str
    figure: str
    unit: str
    samples: list[float] = field(default_factory=list)
    floor_samples: list[float] = field(default_factory=list)
    floor_name: str = ""
    target: str = ""            # human form, e.g. "≤ 1.3× floor", "≤ 400 ms"
    limit: float | None = None  # the number the target compares with
    on_ratio: bool = False      # compare the ratio (True) or the value (False) with `limit`
    note: str = ""
    value: float | None = None
    floor: float | None = None
    ratio: float | None = None
    met: bool | None = None
    detail: dict = field(default_factory=dict)  # extra measurements, in the JSON only

    def finish(self) -> Row:
        if self.samples and self.value is None:
            self.value = statistics.median(self.samples)
        if self.floor_samples:
            self.floor = statistics.median(self.floor_samples)
        if self.value is not None and self.floor:
            self.ratio = self.value / self.floor
        compared = self.ratio if self.on_ratio else self.value
        if self.limit is not None:
            self.met = compared is not None and compared <= self.limit
        return self


def _fmt(v: float | None, unit: str) -> str:
    if v is None:
        return "—"
    if unit == "s":
        return f"{v:.2f} s"
    if unit == "count":
        return f"{v:.0f}"
    if unit == "bool":
        return "yes" if v else "no"
    return f"{v:,.0f} {unit}"


def print_table(rows: list[Row]) -> None:
    head = ("figure", "value", "floor", "ratio", "target", "met")
    body = [(f"{r.section}: {r.figure}", _fmt(r.value, r.unit),
             f"{_fmt(r.floor, r.unit)}" + (f" ({r.floor_name})" if r.floor_name and r.floor is not None else ""),
             "—" if r.ratio is None else f"{r.ratio:.2f}×", r.target or "—",
             "—" if r.met is None else ("yes" if r.met else "NO")) for r in rows]
    widths = [max(len(x[i]) for x in [head, *body]) for i in range(len(head))]
    line = lambda cells: " | ".join(c.ljust(w) for c, w in zip(cells, widths))  # noqa: E731
    print(line(head))
    print("-+-".join("-" * w for w in widths))
    for cells in body:
        print(line(cells))
    notes = [f"- {r.section}: {r.figure}: {r.note}" for r in rows if r.note]
    if notes:
        print("\nNotes:\n" + "\n".join(notes))
