"""The error every migration command raises for a problem it can explain."""

from __future__ import annotations

from schemawright.errors import SchemawrightError


class MigrationError(SchemawrightError):
    """A migration could not be found, read, checked or applied; the message says what and where."""

    exit_code = 5
