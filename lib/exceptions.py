"""One exception hierarchy for the whole core; every error carries its Vietnamese user message."""

from __future__ import annotations


class BCDError(Exception):
    """Base of every error the app may show a user: ``message`` is Vietnamese and says what to fix."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class ConfigError(BCDError):
    """A configuration file is missing, unreadable or invalid; ``problems`` lists each one (file: key: what)."""

    def __init__(self, message: str, problems: list[str] | None = None):
        super().__init__(message)
        self.problems = problems or [message]


class SourceError(BCDError):
    """The data source (workbook or spreadsheet) could not be read."""


class SheetsError(SourceError):
    """Google Sheets answered with an error or could not be reached."""


class SpreadsheetNotFound(SheetsError):
    """The spreadsheet does not exist or is not shared with the service account."""


class CredentialsError(SheetsError):
    """The service-account key is missing, invalid or revoked."""


class ApiDisabled(SheetsError):
    """The Google Sheets API is not enabled for the service account's project."""


class QuotaExceeded(SheetsError):
    """Google kept answering 'too many requests' after every retry."""


class PeriodError(BCDError):
    """A reporting period could not be understood."""


class ReportError(BCDError):
    """The report draft could not be rendered."""
