"""What is wrong in the data: one error type, located well enough to fix, with a code that says what it is.

Code decides what to do from `Problem.code`, never from the wording of a message or a hint: the
words are for people and may be rewritten at any time.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

MAX_PER_RULE = 100  # rows listed for one rule in one column; the rest are counted in one line


@dataclass(frozen=True)
class Problem:
    """One thing wrong in the data: where (file, line, column), the value, what is wrong, how to fix it."""

    file: str
    line: int | None
    column: str | None
    value: str | None
    message: str
    hint: str
    code: str = field(kw_only=True)  # what kind of problem: "missing_file", "sheet_renamed", "likely_duplicate"…

    def __str__(self) -> str:
        where = self.file + (f":{self.line}" if self.line else "")
        col = f" [{self.column}]" if self.column else ""
        val = f" value {self.value!r}" if self.value not in (None, "") else ""
        return f"{where}{col}{val}: {self.message}. Fix: {self.hint}"


class ValidationError(Exception):
    """The data failed validation; `problems` lists every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        files = sorted({p.file for p in problems})
        super().__init__(f"{len(problems)} problem(s) in {', '.join(files)}")


def more(file: str, column: str, message: str, n: int, code: str) -> Problem:
    """The line that counts the rows of one rule beyond the first MAX_PER_RULE."""
    return Problem(file, None, column, None, f"{message}: {n} more rows like the ones above",
                   "fix the rows listed (they often share one cause), then validate again", code=code)


def suggest(value: str, allowed, fallback: str) -> str:
    """'did you mean …? Otherwise <fallback>' when a close match exists, else the fallback."""
    close = difflib.get_close_matches(value, list(allowed), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'? Otherwise {fallback}" if close else fallback
