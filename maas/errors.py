"""Errors that reach users: each carries a message meant to be printed as one clear line."""
from __future__ import annotations

import json
from dataclasses import dataclass, field


class MaasError(Exception):
    """Base class for every error maas reports to a user (CLI exit 2, HTTP 422)."""


@dataclass
class Issue:
    """One validation finding, located by file, row (1-based data row, header excluded) and field."""

    severity: str  # "error" or "warning"
    file: str
    row: int | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f" row {self.row}"
        if self.field:
            where += f" field {self.field}"
        return f"{self.severity}: {where}: {self.message}"


class FeedError(MaasError):
    """A feed cannot be used; names the file, row and field at fault."""

    def __init__(self, file: str, message: str, row: int | None = None, field: str | None = None,
                 issues: list[Issue] | None = None):
        self.issue = Issue("error", file, row, field, message)
        self.issues = issues or [self.issue]
        extra = f" (and {len(self.issues) - 1} more errors)" if len(self.issues) > 1 else ""
        super().__init__(str(self.issue)[len("error: "):] + extra)


def read_failure(exc: BaseException) -> str:
    """Why a file could not be read, in words that name no path and quote no OS message."""
    if isinstance(exc, FileNotFoundError):
        return "file not found"
    if isinstance(exc, IsADirectoryError):
        return "cannot read: a folder, not a file"
    if isinstance(exc, PermissionError):
        return "cannot read: permission denied"
    if isinstance(exc, UnicodeDecodeError):
        return "cannot read: not UTF-8 text"
    return "cannot read the file"


def show_value(value, limit: int = 40) -> str:
    """A short JSON rendering of a bad value, for the message that names it."""
    try:
        text = json.dumps(value, ensure_ascii=True)
    except (TypeError, ValueError):
        text = type(value).__name__
    return text if len(text) <= limit else text[:limit] + "..."


class UnreadableSource(FeedError):
    """A source that is not there or is not a feed at all (CLI exit 2, even for ``validate``)."""


class BadRequest(MaasError):
    """A request that cannot be answered as asked (HTTP 422, CLI exit 2)."""

    def __init__(self, message: str, field: str | None = None):
        self.field = field
        super().__init__(message)


@dataclass
class ValidationReport:
    """Every error and warning found in a set of feeds."""

    issues: list[Issue] = field(default_factory=list)

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "error"]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "warning"]

    def error(self, file: str, message: str, row: int | None = None, field: str | None = None) -> None:
        self.issues.append(Issue("error", file, row, field, message))

    def warning(self, file: str, message: str, row: int | None = None, field: str | None = None) -> None:
        self.issues.append(Issue("warning", file, row, field, message))

    def raise_if_errors(self) -> None:
        if self.errors:
            first = self.errors[0]
            raise FeedError(first.file, first.message, first.row, first.field, issues=self.errors)


class BuildWarning(UserWarning):
    """Something a build could use only in part (e.g. OSM data that does not cover the stops)."""
