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
# Keys of ours: `unit`; `optional: true` lets a CSV omit the column (read as empty), for columns added later;
# `decimals`: the decimals a number column is shown with (otherwise as many as its values need).
_FIELD_EXTRA_KEYS = {"unit", "optional", "decimals"}


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

    @property
    def decimals(self) -> int | None:
        """Display decimals declared in the schema (`decimals:`), None when the values decide."""
        value = self.descriptor.get("decimals")
        return None if value is None else int(value)


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
    """One entry of the fact catalogue. `substitutes`: facts accepted in its place when it is missing,
    in order of preference (converted to this fact's unit; see qzanalysis.core.units)."""

    id: str
    label: str
    unit: str
    section: str
    type: str
    kind: str
    maximum: float | None = None
    substitutes: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        """The label without the “（报告值）” marker, for sentences and formulas."""
        return self.label.replace("（报告值）", "")


# libyaml's loader reads the metadata ~10× faster than the pure-Python one (every kernel reads it: ~0.3 s).
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _load_yaml(path) -> Any:
    with open(path, encoding="utf-8") as fh:
        return yaml.load(fh, Loader=_YAML_LOADER)


def table_spec(name: str, raw: dict[str, Any]) -> TableSpec:
    """A TableSpec from a Table Schema descriptor (a schema file, or a table a year declares itself)."""
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
    return TableSpec(
        name=name,
        title=raw["title"],
        section=str(raw.get("section", "")),
        description=str(raw.get("description", "")).strip(),
        fields=fields,
        primary_key=tuple(raw.get("primaryKey", [])),
        row_key=tuple(raw.get("rowKey") or raw.get("primaryKey", [])),
    )


def fact_spec(item: dict[str, Any]) -> FactSpec:
    """A FactSpec from one catalogue entry (metadata/facts.yaml, or a year's own catalogue.yaml)."""
    known = {k: item[k] for k in ("id", "label", "unit", "section", "type", "kind") if k in item}
    known["section"] = str(known["section"])
    extra = {k: v for k, v in item.items() if k not in known and k not in ("maximum", "substitutes")}
    substitutes = tuple(str(s) for s in item.get("substitutes") or ())
    return FactSpec(**known, maximum=item.get("maximum"), substitutes=substitutes, extra=extra)


@cache
def table_specs() -> dict[str, TableSpec]:
    """The built-in tables every school and year share (qzanalysis/metadata/schemas/)."""
    return {path.stem: table_spec(path.stem, _load_yaml(path)) for path in sorted(SCHEMA_DIR.glob("*.yaml"))}


@cache
def fact_specs() -> dict[str, FactSpec]:
    """The built-in fact catalogue (qzanalysis/metadata/facts.yaml): what the national outline, the
    indicators and the standards need. A year adds its own facts in its catalogue.yaml (see Catalogue)."""
    out = {}
    for item in _load_yaml(METADATA_DIR / "facts.yaml")["facts"]:
        out[item["id"]] = fact_spec(item)
    return out


@dataclass(frozen=True)
class Catalogue:
    """What one year's data may hold: the built-in facts and tables plus the year's own declarations
    (``data/<year>/catalogue.yaml``). `own_facts` / `own_tables` name the ones the year declared;
    `rules` are the year's own audit rules over them (same format as metadata/audit_rules.yaml);
    `elsewhere` the facts only other years declare (see qzanalysis.core.year_catalogue)."""

    facts: dict[str, FactSpec]
    tables: dict[str, TableSpec]
    own_facts: frozenset[str] = frozenset()
    own_tables: frozenset[str] = frozenset()
    rules: tuple[dict[str, Any], ...] = ()
    # facts other years of the same data root declare and this one does not: known, never provided here
    elsewhere: dict[str, FactSpec] = field(default_factory=dict)

    @classmethod
    def builtin(cls) -> Catalogue:
        return cls(dict(fact_specs()), dict(table_specs()))


@cache
def cross_checks() -> dict[str, list[dict[str, Any]]]:
    return _load_yaml(METADATA_DIR / "checks.yaml")


@cache
def indicator_options() -> dict[str, dict[str, tuple[str, ...]]]:
    """Each indicator's definition options and their allowed choices (metadata/indicators.yaml), e.g.
    ``{"dual_qualified_ratio": {"denominator": ("specialty", "full_time", …)}}``. The data core checks a
    school's `definitions` (school.yaml) against these; the indicator registry evaluates them."""
    out: dict[str, dict[str, tuple[str, ...]]] = {}
    for item in _load_yaml(METADATA_DIR / "indicators.yaml")["indicators"]:
        out[item["id"]] = {name: tuple(spec["choices"]) for name, spec in (item.get("options") or {}).items()}
    return out
