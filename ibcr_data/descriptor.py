"""Read datapackage.yaml strictly into a Descriptor (schema.py): its grammar in pydantic, each mistake located.

NOTE: apart from schema.py so that only a process that reads a descriptor loads pydantic and the
models (9 MB): load.validate and the record comparison import it where they read one.
"""

from __future__ import annotations

import difflib
from pathlib import Path, PurePosixPath

import pydantic
import yaml
from pydantic import BaseModel, ConfigDict

from .problems import Problem
from .schema import (
    DESCRIPTOR,
    Descriptor,
    DescriptorError,
    Field,
    FieldType,
    ForeignKey,
    Resource,
    descriptor_problem,
)

SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C loader is ten times faster

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
