"""Migration-safety rules (SW5xx). Adding one: a module here, one line in ``ALL_RULES``, one fixture in
``tests/lint_cases/``; then ``python scripts/gen_rule_docs.py`` writes its page under ``docs/rules/``."""

from schemawright.lint.migration_rules.sw501_not_null_column_without_default import NotNullColumnWithoutDefault
from schemawright.lint.migration_rules.sw502_volatile_column_default import VolatileColumnDefault
from schemawright.lint.migration_rules.sw503_set_not_null import SetNotNull
from schemawright.lint.migration_rules.sw504_create_index_without_concurrently import CreateIndexWithoutConcurrently
from schemawright.lint.migration_rules.sw505_drop_index_without_concurrently import DropIndexWithoutConcurrently
from schemawright.lint.migration_rules.sw506_reindex_without_concurrently import ReindexWithoutConcurrently
from schemawright.lint.migration_rules.sw507_foreign_key_without_not_valid import ForeignKeyWithoutNotValid
from schemawright.lint.migration_rules.sw508_check_without_not_valid import CheckWithoutNotValid
from schemawright.lint.migration_rules.sw509_validate_in_same_transaction import ValidateInSameTransaction
from schemawright.lint.migration_rules.sw510_unique_constraint_without_index import UniqueConstraintWithoutIndex
from schemawright.lint.migration_rules.sw511_primary_key_without_index import PrimaryKeyWithoutIndex
from schemawright.lint.migration_rules.sw512_exclusion_constraint import ExclusionConstraint
from schemawright.lint.migration_rules.sw513_column_type_change import ColumnTypeChange
from schemawright.lint.migration_rules.sw514_varchar_narrowing import VarcharNarrowing
from schemawright.lint.migration_rules.sw515_table_rewrite import TableRewrite
from schemawright.lint.migration_rules.sw516_cluster_or_vacuum_full import ClusterOrVacuumFull
from schemawright.lint.migration_rules.sw517_rename_column import RenameColumn
from schemawright.lint.migration_rules.sw518_rename_table import RenameTable
from schemawright.lint.migration_rules.sw519_drop_column import DropColumn
from schemawright.lint.migration_rules.sw520_drop_table import DropTable
from schemawright.lint.migration_rules.sw521_drop_not_null import DropNotNull
from schemawright.lint.migration_rules.sw522_truncate_cascade import TruncateCascade
from schemawright.lint.migration_rules.sw523_missing_lock_timeout import MissingLockTimeout
from schemawright.lint.migration_rules.sw524_non_transactional_in_transaction import NonTransactionalInTransaction
from schemawright.lint.migration_rules.sw525_enum_value_in_transaction import EnumValueInTransaction
from schemawright.lint.migration_rules.sw526_transaction_nesting import TransactionNesting
from schemawright.lint.migration_rules.sw527_uncommitted_transaction import UncommittedTransaction
from schemawright.lint.migration_rules.sw528_backfill_in_ddl_transaction import BackfillInDdlTransaction
from schemawright.lint.migration_rules.sw529_disable_trigger import DisableTrigger
from schemawright.lint.migration_rules.sw530_detach_partition_without_concurrently import (
    DetachPartitionWithoutConcurrently)
from schemawright.lint.migration_rules.sw531_refresh_matview_without_concurrently import (
    RefreshMatviewWithoutConcurrently)
from schemawright.lint.migration_rules.sw532_int_key_overflow import IntKeyOverflow
from schemawright.lint.migration_rules.sw533_timestamp_without_time_zone import TimestampWithoutTimeZone
from schemawright.lint.migration_rules.sw534_char_column import CharColumn
from schemawright.lint.migration_rules.sw535_json_column import JsonColumn
from schemawright.lint.migration_rules.sw536_serial_column import SerialColumn
from schemawright.lint.migration_rules.sw537_identifier_too_long import IdentifierTooLong

ALL_RULES = (
    NotNullColumnWithoutDefault,
    VolatileColumnDefault,
    SetNotNull,
    CreateIndexWithoutConcurrently,
    DropIndexWithoutConcurrently,
    ReindexWithoutConcurrently,
    ForeignKeyWithoutNotValid,
    CheckWithoutNotValid,
    ValidateInSameTransaction,
    UniqueConstraintWithoutIndex,
    PrimaryKeyWithoutIndex,
    ExclusionConstraint,
    ColumnTypeChange,
    VarcharNarrowing,
    TableRewrite,
    ClusterOrVacuumFull,
    RenameColumn,
    RenameTable,
    DropColumn,
    DropTable,
    DropNotNull,
    TruncateCascade,
    MissingLockTimeout,
    NonTransactionalInTransaction,
    EnumValueInTransaction,
    TransactionNesting,
    UncommittedTransaction,
    BackfillInDdlTransaction,
    DisableTrigger,
    DetachPartitionWithoutConcurrently,
    RefreshMatviewWithoutConcurrently,
    IntKeyOverflow,
    TimestampWithoutTimeZone,
    CharColumn,
    JsonColumn,
    SerialColumn,
    IdentifierTooLong,
)

__all__ = ["ALL_RULES"]
