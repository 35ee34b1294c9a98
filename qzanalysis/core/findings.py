"""Findings of named checks, each PASS/WARN/FAIL with a plain Chinese message (eesyscreener style)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Level(StrEnum):
    PASS = "PASS"
    INFO = "INFO"
    WARN = "WARN"
    FAIL = "FAIL"


@dataclass(frozen=True)
class Finding:
    level: Level
    check: str
    message: str
    file: str | None = None
    line: int | None = None
    column: str | None = None
    value: str | None = None
    expected: str | None = None

    def location(self) -> str:
        parts = []
        if self.file:
            parts.append(self.file)
        if self.line is not None:
            parts.append(f"第 {self.line} 行")
        if self.column:
            parts.append(f"列“{self.column}”")
        return "，".join(parts)

    def __str__(self) -> str:
        loc = self.location()
        text = (
            f"[{self.level.value}] {loc}：{self.message}" if loc else f"[{self.level.value}] {self.message}"
        )
        if self.value is not None:
            text += f"（发现：“{self.value}”"
            text += f"；应为：{self.expected}）" if self.expected else "）"
        elif self.expected:
            text += f"（应为：{self.expected}）"
        return text


@dataclass
class Report:
    """All findings of one validation run; nothing stops at the first problem."""

    findings: list[Finding] = field(default_factory=list)
    checks_run: list[str] = field(default_factory=list)
    checks_skipped: list[str] = field(default_factory=list)  # inputs missing: neither PASS nor FAIL

    def add(self, finding: Finding) -> None:
        self.findings.append(finding)

    def extend(self, other: Report) -> None:
        self.findings.extend(other.findings)
        self.checks_run.extend(c for c in other.checks_run if c not in self.checks_run)
        self.checks_skipped.extend(c for c in other.checks_skipped if c not in self.checks_skipped)

    def of(self, level: Level) -> list[Finding]:
        return [f for f in self.findings if f.level is level]

    @property
    def errors(self) -> list[Finding]:
        return self.of(Level.FAIL)

    @property
    def warnings(self) -> list[Finding]:
        return self.of(Level.WARN)

    @property
    def ok(self) -> bool:
        return not self.errors

    def check_status(self) -> dict[str, Level]:
        """Each named check with its worst level: PASS when it ran and found nothing."""
        order = [Level.PASS, Level.INFO, Level.WARN, Level.FAIL]
        status = {name: Level.PASS for name in self.checks_run}
        for f in self.findings:
            current = status.get(f.check, Level.PASS)
            status[f.check] = max(current, f.level, key=order.index)
        return status

    def format(self, include_info: bool = False) -> str:
        shown = [f for f in self.findings if include_info or f.level in (Level.FAIL, Level.WARN)]
        return "\n".join(str(f) for f in shown)


class DataValidationError(Exception):
    """Raised when a year's data has FAIL findings; carries every finding, not just the first."""

    def __init__(self, report: Report, context: str = ""):
        self.report = report
        head = f"{context}数据校验未通过：{len(report.errors)} 个错误，{len(report.warnings)} 个警告。"
        super().__init__(head + "\n" + report.format())
