"""The dataset's schema, read strictly from data/datapackage.yaml (the single source of truth)."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Literal

import pydantic
import yaml
from pydantic import BaseModel, ConfigDict

from .problems import Problem

DESCRIPTOR = "datapackage.yaml"
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C loader is ten times faster
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


# The descriptor's grammar. Pydantic does the strict part: `extra="forbid"` turns any key not
# declared below into an error with its exact place, and wrong types or missing keys likewise.
# Only the keys the loader acts on are allowed, so a constraint it would not enforce (say
# `minLength`) is refused rather than silently ignored. Pydantic does not suggest the closest
# valid key, so `_issue` adds that with difflib.

class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class _Constraints(_Strict):
    required: bool = False
    unique: bool = False
    enum: list[str] | None = None
    pattern: str | None = None
    minimum: float | None = None
    maximum: float | None = None


class _Field(_Strict):
    name: str
    type: FieldType = "string"
    description: str
    description_fr: str  # extension: the French description
    description_es: str = ""  # extension: the Spanish description (tests/test_data.py requires it)
    constraints: _Constraints = _Constraints()


class _Reference(_Strict):
    resource: str
    fields: str


class _ForeignKey(_Strict):
    fields: str
    reference: _Reference


class _Schema(_Strict):
    fields: list[_Field]
    primaryKey: str | list[str] | None = None  # noqa: N815 (Frictionless spelling; a list is a composite key)
    foreignKeys: list[_ForeignKey] = []  # noqa: N815


class _Resource(_Strict):
    name: str
    path: str
    title: str | None = None
    description: str = ""
    profile: str | None = None
    format: str | None = None
    mediatype: str | None = None
    encoding: str | None = None
    table_schema: _Schema = pydantic.Field(alias="schema")
    derived: list[_Field] = []  # extension: columns added at load


class _Source(_Strict):
    title: str
    path: str | None = None


class _License(_Strict):
    name: str | None = None
    title: str | None = None
    path: str | None = None


class _Contributor(_Strict):
    title: str
    role: str | None = None


class _Package(_Strict):
    name: str
    title: str | None = None
    description: str | None = None
    version: str | None = None
    profile: str | None = None
    last_updated: str | None = None  # extension: the date the data were last reviewed
    licenses: list[_License] = []
    sources: list[_Source] = []
    contributors: list[_Contributor] = []
    resources: list[_Resource]


# The model that reads the keys found under each container, to name the valid keys in a hint.
_MODEL_AT = {None: _Package, "resources": _Resource, "schema": _Schema, "fields": _Field, "derived": _Field,
             "constraints": _Constraints, "foreignKeys": _ForeignKey, "reference": _Reference,
             "licenses": _License, "sources": _Source, "contributors": _Contributor}


def read_descriptor(data_dir: Path) -> Descriptor:
    """Read and check the descriptor; raise DescriptorError listing every unknown or wrong key."""
    path = data_dir / DESCRIPTOR
    try:
        text = path.read_text(encoding="utf-8-sig")
        raw = yaml.load(text, Loader=SAFE_LOADER)  # noqa: S506 (a safe loader)
    except FileNotFoundError as exc:
        raise DescriptorError(f"{path}: the descriptor is missing") from exc
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise DescriptorError(f"{path}: the descriptor cannot be read ({exc})") from exc
    if not isinstance(raw, dict) or not isinstance(raw.get("resources"), list):
        raise DescriptorError(f"{path}: the descriptor has no list of resources")
    try:
        package = _Package.model_validate(raw)
    except pydantic.ValidationError as exc:
        issues = [_issue(raw, text, err) for err in exc.errors()]
        raise DescriptorError(f"{path}: {len(issues)} problem(s) in the descriptor", issues) from None
    issues = _check_references(package)
    if issues:
        raise DescriptorError(f"{path}: {len(issues)} problem(s) in the descriptor", issues)
    resources = tuple(_resource(r) for r in package.resources)
    meta = {k: v for k, v in raw.items() if k != "resources"}
    return Descriptor(path=path, resources=resources, meta=meta)


def _resource(r: _Resource) -> Resource:
    schema = r.table_schema
    fks = tuple(ForeignKey(fk.fields, fk.reference.resource, fk.reference.fields) for fk in schema.foreignKeys)
    # A foreign key to a `_code` primary key makes the field take codes from that code table.
    codes = {fk.field: fk.ref_field for fk in fks if fk.ref_field.endswith("_code")}
    key = schema.primaryKey
    key_fields = tuple(key) if isinstance(key, list) else ((key,) if key else ())
    return Resource(
        name=r.name, path=r.path, title=r.title or r.name, description=r.description.strip(),
        fields=tuple(_field(f, codes.get(f.name)) for f in schema.fields),
        primary_key=key if isinstance(key, str) else None,
        foreign_keys=fks, derived=tuple(_field(f) for f in r.derived), key_fields=key_fields,
    )


def _field(f: _Field, code_list: str | None = None) -> Field:
    c = f.constraints
    return Field(
        name=f.name, type=f.type, description=f.description, description_fr=f.description_fr,
        description_es=f.description_es, required=c.required, unique=c.unique,
        enum=tuple(c.enum) if c.enum is not None else None, pattern=c.pattern, minimum=c.minimum, maximum=c.maximum, code_list=code_list,
    )


def _check_references(package: _Package) -> list[Problem]:
    """Keys, foreign keys and derived columns name fields that exist (pydantic checks shapes, not names)."""
    issues = []
    fields = {r.name: [f.name for f in r.table_schema.fields] for r in package.resources}

    def unknown(name: str, known: list[str], what: str, where: str) -> None:
        close = difflib.get_close_matches(name, known, n=1)
        issues.append(descriptor_problem(None, None, name, f"{what} '{name}' does not exist ({where})",
                            f"did you mean '{close[0]}'?" if close else f"use one of: {', '.join(known)}", code="descriptor_unknown_name"))

    for r in package.resources:
        parts = PurePosixPath(r.path).parts
        if not r.path or r.path.startswith("/") or ".." in parts or "\\" in r.path or ":" in r.path:
            issues.append(descriptor_problem(None, "path", r.path, f"the path of resource '{r.name}' leads outside "
                                             "the data folder", "write the file's path inside the data folder, "
                                             "e.g. engagements.csv or codes/kind.csv", code="descriptor_unsafe_path"))
        s = r.table_schema
        keys = s.primaryKey if isinstance(s.primaryKey, list) else [s.primaryKey] if s.primaryKey else []
        for key in keys:
            if key not in fields[r.name]:
                unknown(key, fields[r.name], "the primary-key field", f"resource '{r.name}'")
        for fk in s.foreignKeys:
            if fk.fields not in fields[r.name]:
                unknown(fk.fields, fields[r.name], "the foreign-key field", f"resource '{r.name}'")
            if fk.reference.resource not in fields:
                unknown(fk.reference.resource, list(fields), "the referenced resource",
                        f"foreign key {fk.fields} of resource '{r.name}'")
            elif fk.reference.fields not in fields[fk.reference.resource]:
                unknown(fk.reference.fields, fields[fk.reference.resource], "the referenced field",
                        f"foreign key {fk.fields} of resource '{r.name}'")
        for d in r.derived:
            if d.name in fields[r.name]:
                issues.append(descriptor_problem(None, d.name, d.name, f"the derived column '{d.name}' of resource "
                                    f"'{r.name}' is also a CSV field", "rename the derived column", code="descriptor_derived_clash"))
    return issues


def _line(text: str, loc: list) -> int | None:
    """The line of the descriptor where the key at `loc` is written (or its closest parent)."""
    node = yaml.compose(text, Loader=SAFE_LOADER)
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            pair = next(((k, v) for k, v in node.value if k.value == part), None)
            if pair is None:
                break
            if part == loc[-1]:
                return pair[0].start_mark.line + 1
            node = pair[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
        else:
            break
    return node.start_mark.line + 1 if node is not None else None


def _issue(raw: dict, text: str, err: dict) -> Problem:
    """A pydantic error as a located, human message: key, resource, field and a suggestion."""
    loc = [p for p in err["loc"] if p != "function-after"]
    place, node, container, field_name = [], raw, None, None
    for part in loc[:-1]:
        node = node[part] if isinstance(node, (dict, list)) else None
        if isinstance(part, str):
            container = part
        elif isinstance(node, dict) and "name" in node:
            if container == "resources":
                place.append(f"resource '{node['name']}'")
            else:
                field_name = str(node["name"])
                place.append(f"{'derived column' if container == 'derived' else 'field'} '{field_name}'")
    if container in ("constraints", "reference"):
        place.append(container)
    key = str(loc[-1]) if loc else ""
    line = _line(text, loc)
    where = ", ".join(place) or "the package"
    if err["type"] == "extra_forbidden":
        model = _MODEL_AT.get(container, _Package)
        valid = sorted(f.alias or name for name, f in model.model_fields.items())
        close = difflib.get_close_matches(key, valid, n=1, cutoff=0.6)
        hint = (f"did you mean '{close[0]}'? " if close else "") + f"Keys allowed here: {', '.join(valid)}"
        return descriptor_problem(line, field_name, key, f"unknown key '{key}' in {where}", hint, code="descriptor_unknown_key")
    if err["type"] == "missing":
        return descriptor_problem(line, field_name, None, f"the key '{key}' is missing in {where}", f"add '{key}'", code="descriptor_missing_key")
    value = err.get("input")
    return descriptor_problem(line, field_name, value if isinstance(value, str) else None,
                 f"'{key}' in {where}: {err['msg']}", "correct the value in datapackage.yaml", code="descriptor_bad_value")
