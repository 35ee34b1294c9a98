"""The declarative metadata: table schemas, the fact catalogue, indicator definitions, cross-table checks.

Everything a reader sees about a table or a number (Chinese title, unit, section, decimals) comes from
`qzanalysis/metadata/`; code reads it from here and nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

import yaml

from qzanalysis.core.paths import METADATA_DIR, SCHEMA_DIR

# Keys of our YAML that are not part of the frictionless Table Schema standard.
# Keys of ours: `unit`; `optional: true` lets a CSV omit the column (read as empty), for columns added later.
_FIELD_EXTRA_KEYS = {"unit", "optional"}


@dataclass(frozen=True)
class FieldSpec:
    name: str
    title: str
    type: str
    unit: str | None
    constraints: dict[str, Any]
    descriptor: dict[str, Any]

    @property
    def required(self) -> bool:
        return bool(self.constraints.get("required"))

    @property
    def optional_column(self) -> bool:
        return bool(self.descriptor.get("optional"))

    @property
    def is_numeric(self) -> bool:
        return self.type in ("integer", "number")


@dataclass(frozen=True)
class TableSpec:
    name: str
    title: str
    section: str
    description: str
    fields: tuple[FieldSpec, ...]
    primary_key: tuple[str, ...]
    row_key: tuple[str, ...] = ()

    @property
    def filename(self) -> str:
        return f"{self.name}.csv"

    @property
    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]

    def field(self, name: str) -> FieldSpec:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    def titles(self) -> dict[str, str]:
        """Column name → Chinese title with unit, for display."""
        return {f.name: f"{f.title}（{f.unit}）" if f.unit else f.title for f in self.fields}

    def frictionless_descriptor(self) -> dict[str, Any]:
        fields = [{k: v for k, v in f.descriptor.items() if k not in _FIELD_EXTRA_KEYS} for f in self.fields]
        return {"fields": fields, "primaryKey": list(self.primary_key), "missingValues": [""]}


@dataclass(frozen=True)
class FactSpec:
    id: str
    label: str
    unit: str
    section: str
    type: str
    kind: str
    maximum: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _load_yaml(path) -> Any:
    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@cache
def table_specs() -> dict[str, TableSpec]:
    specs = {}
    for path in sorted(SCHEMA_DIR.glob("*.yaml")):
        raw = _load_yaml(path)
        fields = tuple(
            FieldSpec(
                name=f["name"],
                title=f.get("title", f["name"]),
                type=f.get("type", "string"),
                unit=f.get("unit"),
                constraints=dict(f.get("constraints", {})),
                descriptor=dict(f),
            )
            for f in raw["fields"]
        )
        specs[path.stem] = TableSpec(
            name=path.stem,
            title=raw["title"],
            section=str(raw.get("section", "")),
            description=str(raw.get("description", "")).strip(),
            fields=fields,
            primary_key=tuple(raw.get("primaryKey", [])),
            row_key=tuple(raw.get("rowKey") or raw.get("primaryKey", [])),
        )
    return specs


@cache
def fact_specs() -> dict[str, FactSpec]:
    raw = _load_yaml(METADATA_DIR / "facts.yaml")["facts"]
    out = {}
    for item in raw:
        known = {k: item[k] for k in ("id", "label", "unit", "section", "type", "kind") if k in item}
        known["section"] = str(known["section"])
        extra = {k: v for k, v in item.items() if k not in known and k != "maximum"}
        out[item["id"]] = FactSpec(**known, maximum=item.get("maximum"), extra=extra)
    return out


@cache
def cross_checks() -> dict[str, list[dict[str, Any]]]:
    return _load_yaml(METADATA_DIR / "checks.yaml")
