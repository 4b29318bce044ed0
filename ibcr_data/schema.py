"""The dataset's schema as read from data/datapackage.yaml (the single source of truth): fields, resources, keys.

Reading the file strictly (its grammar in pydantic) is descriptor.py: a server that starts from the
dataset a previous one validated (snapshot.py) never reads it, and never loads pydantic (9 MB).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from .problems import Problem

DESCRIPTOR = "datapackage.yaml"
# The languages a field is described in: `description` (English) and a `description_<lang>` extension
# for each other one.
DESCRIPTION_LANGUAGES = ("en", "fr", "es")
FieldType = Literal["string", "integer", "number", "boolean", "date"]  # the types the loader checks


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    description: str = ""
    required: bool = False
    unique: bool = False
    enum: tuple[str, ...] | None = None
    pattern: str | None = None
    minimum: float | None = None
    maximum: float | None = None
    description_fr: str = ""
    code_list: str | None = None  # the code table (vocabulary) its foreign key points at, e.g. "kind_code"
    description_es: str = ""

    def description_in(self, lang: str) -> str:
        """The description in `lang` ("en", "fr", "es"); English when there is none in that language."""
        if lang in DESCRIPTION_LANGUAGES and lang != "en":
            return getattr(self, f"description_{lang}") or self.description
        return self.description


@dataclass(frozen=True)
class ForeignKey:
    field: str
    resource: str
    ref_field: str


@dataclass(frozen=True)
class Resource:
    name: str
    path: str
    title: str
    description: str
    fields: tuple[Field, ...]
    primary_key: str | None  # a single-field key; None for a composite key (see key_fields)
    foreign_keys: tuple[ForeignKey, ...] = ()
    derived: tuple[Field, ...] = ()  # columns added at load (ibcr_data/load.py), declared in the descriptor
    key_fields: tuple[str, ...] = ()  # every field of the primary key, single or composite

    @property
    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]

    @property
    def derived_names(self) -> list[str]:
        return [f.name for f in self.derived]

    @property
    def is_code_table(self) -> bool:
        """A list of codes (codes/*.csv, regions.csv): its primary key is a `_code` column, each code with a label
        (policy_metrics.csv, keyed on the codes it picks from metric.csv, is a table of records, not a list)."""
        names = {f.name for f in self.fields}
        return bool(self.primary_key and self.primary_key.endswith("_code") and names & {"label_en", "name_en"})

    def field(self, name: str) -> Field:
        return next(f for f in (*self.fields, *self.derived) if f.name == name)


@dataclass(frozen=True)
class Descriptor:
    path: Path
    resources: tuple[Resource, ...]
    vocabularies: dict[str, dict[str, str]] = field(default_factory=dict)  # filled from the code tables
    meta: dict = field(default_factory=dict)

    def resource(self, name: str) -> Resource:
        return next(r for r in self.resources if r.name == name)

    @property
    def record_tables(self) -> dict[str, str]:
        """The tables of records that name their sources, each with its id column, in the descriptor's order.

        They are the tables `record_sources.record_table` may name: the descriptor lists them once there.
        """
        links = next((r for r in self.resources if r.name == "record_sources"), None)
        names = links.field("record_table").enum if links is not None else None
        return {name: self.resource(name).primary_key for name in names or ()}

    def code_table(self, vocabulary: str) -> Resource:
        """The code table of a vocabulary ("kind_code" -> the resource `kind`)."""
        return next(r for r in self.resources if r.is_code_table and r.primary_key == vocabulary)

    def allowed(self, f: Field) -> tuple[str, ...] | None:
        """The codes a field accepts, from its own enum or from the code table its foreign key points at."""
        if f.enum is not None:
            return f.enum
        if f.code_list is not None:
            return tuple(self.vocabularies.get(f.code_list, {}))
        return None

    def with_vocabularies(self, vocabularies: dict[str, dict[str, str]]) -> Descriptor:
        return replace(self, vocabularies=vocabularies)


def descriptor_problem(line: int | None, column: str | None, value: str | None, message: str, hint: str, code: str) -> Problem:
    """One thing wrong in the descriptor itself, as a Problem located in datapackage.yaml."""
    return Problem(DESCRIPTOR, line, column, value, message, hint, code=code)


class DescriptorError(Exception):
    """The descriptor itself is missing or malformed; `issues` says where (Problems in datapackage.yaml)."""

    def __init__(self, message: str, issues: list[Problem] | None = None):
        super().__init__(message)
        self.issues = issues or []
