"""The dataset's schema, read from data/datapackage.yaml (the single source of truth)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

DESCRIPTOR = "datapackage.yaml"
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C loader is ten times faster


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    description: str = ""
    required: bool = False
    unique: bool = False
    enum: tuple[str, ...] | None = None
    enum_ref: str | None = None
    pattern: str | None = None
    minimum: float | None = None
    maximum: float | None = None


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
    primary_key: str | None
    foreign_keys: tuple[ForeignKey, ...] = ()

    @property
    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)


@dataclass(frozen=True)
class Descriptor:
    path: Path
    resources: tuple[Resource, ...]
    vocabularies: dict[str, dict[str, str]] = field(default_factory=dict)
    meta: dict = field(default_factory=dict)

    def resource(self, name: str) -> Resource:
        return next(r for r in self.resources if r.name == name)

    def allowed(self, f: Field) -> tuple[str, ...] | None:
        """The codes a field accepts, from its own enum or a shared vocabulary."""
        if f.enum is not None:
            return f.enum
        if f.enum_ref is not None:
            return tuple(self.vocabularies.get(f.enum_ref, {}))
        return None


class DescriptorError(Exception):
    """The descriptor itself is missing or malformed."""


def read_descriptor(data_dir: Path) -> Descriptor:
    path = data_dir / DESCRIPTOR
    try:
        raw = yaml.load(path.read_text(encoding="utf-8-sig"), Loader=SAFE_LOADER)  # noqa: S506 (a safe loader)
    except FileNotFoundError as exc:
        raise DescriptorError(f"{path}: the descriptor is missing") from exc
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise DescriptorError(f"{path}: the descriptor cannot be read ({exc})") from exc
    if not isinstance(raw, dict) or not isinstance(raw.get("resources"), list):
        raise DescriptorError(f"{path}: the descriptor has no list of resources")
    resources = []
    for res in raw["resources"]:
        try:
            schema = res["schema"]
            fields = tuple(_field(f) for f in schema["fields"])
            fks = tuple(
                ForeignKey(fk["fields"], fk["reference"]["resource"], fk["reference"]["fields"])
                for fk in schema.get("foreignKeys", [])
            )
            resources.append(Resource(
                name=res["name"], path=res["path"], title=res.get("title", res["name"]),
                description=str(res.get("description", "")).strip(), fields=fields,
                primary_key=schema.get("primaryKey"), foreign_keys=fks,
            ))
        except (KeyError, TypeError) as exc:
            raise DescriptorError(f"{path}: resource {res!r:.60} is incomplete ({exc})") from exc
    vocab = {k: {str(c): str(d) for c, d in v.items()} for k, v in (raw.get("vocabularies") or {}).items()}
    meta = {k: v for k, v in raw.items() if k not in ("resources", "vocabularies")}
    return Descriptor(path=path, resources=tuple(resources), vocabularies=vocab, meta=meta)


def _field(raw: dict) -> Field:
    c = raw.get("constraints") or {}
    enum = c.get("enum")
    return Field(
        name=raw["name"], type=raw.get("type", "string"),
        description=str(raw.get("description", "")),
        required=bool(c.get("required", False)), unique=bool(c.get("unique", False)),
        enum=tuple(str(e) for e in enum) if enum is not None else None,
        enum_ref=c.get("enum_ref"), pattern=c.get("pattern"),
        minimum=c.get("minimum"), maximum=c.get("maximum"),
    )
