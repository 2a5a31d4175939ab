"""Versioned migrations: Flyway-named V/U files applied, undone, checked and verified on PostgreSQL.

    apply_migrations(dir, dsn, to=None)   pending V files in order (resumes one that stopped part-way)
    undo_migrations(dir, dsn, to=None)    U files newest first (None: the newest only; "0": all)
    migration_status(dir, dsn)            each version: applied/pending/failed/checksum-mismatch/...
    verify_migrations(dir, dsn)           up, down to zero, up again in a scratch database
    new_migration(dir, description)       the next V/U pair of empty files
"""

from schemawright.migrate.files import Migration, load_migrations, new_migration
from schemawright.migrate.history import DEFAULT_TABLE
from schemawright.migrate.runner import MigrationResult, Reporter, apply_migrations, undo_migrations
from schemawright.migrate.status import StatusReport, VersionStatus, migration_status
from schemawright.migrate.verify import VerifyResult, verify_migrations
from schemawright.project.errors import MigrationError

__all__ = ["DEFAULT_TABLE", "Migration", "MigrationError", "MigrationResult", "Reporter", "StatusReport",
           "VerifyResult", "VersionStatus", "apply_migrations", "load_migrations", "migration_status",
           "new_migration", "undo_migrations", "verify_migrations"]
