"""Schema rules: naming (SW1xx), structure and integrity (SW2xx), types (SW3xx), indexes (SW4xx), security
(SW6xx), live databases (SW7xx). Adding one: a module here, one line in ``ALL_RULES``, one fixture in
``tests/lint_schema_cases/``; then ``python scripts/gen_rule_docs.py`` writes its page under ``docs/rules/``."""

from schemawright.lint.schema_rules.sw101_identifier_not_snake_case import IdentifierNotSnakeCase
from schemawright.lint.schema_rules.sw102_table_name_number import TableNameNumber
from schemawright.lint.schema_rules.sw103_reserved_word_identifier import ReservedWordIdentifier
from schemawright.lint.schema_rules.sw104_primary_key_column_name import PrimaryKeyColumnName
from schemawright.lint.schema_rules.sw105_foreign_key_column_name import ForeignKeyColumnName
from schemawright.lint.schema_rules.sw106_index_name_convention import IndexNameConvention
from schemawright.lint.schema_rules.sw107_constraint_name_convention import ConstraintNameConvention
from schemawright.lint.schema_rules.sw108_view_name_convention import ViewNameConvention
from schemawright.lint.schema_rules.sw109_function_name_convention import FunctionNameConvention
from schemawright.lint.schema_rules.sw110_trigger_name_convention import TriggerNameConvention
from schemawright.lint.schema_rules.sw111_boolean_column_name import BooleanColumnName
from schemawright.lint.schema_rules.sw201_no_primary_key import NoPrimaryKey
from schemawright.lint.schema_rules.sw202_missing_foreign_key import MissingForeignKey
from schemawright.lint.schema_rules.sw203_schema_without_foreign_keys import SchemaWithoutForeignKeys
from schemawright.lint.schema_rules.sw204_god_table import GodTable
from schemawright.lint.schema_rules.sw205_eav_table import EavTable
from schemawright.lint.schema_rules.sw206_missing_audit_columns import MissingAuditColumns
from schemawright.lint.schema_rules.sw207_unconstrained_status_column import UnconstrainedStatusColumn
from schemawright.lint.schema_rules.sw208_undocumented_table import UndocumentedTable
from schemawright.lint.schema_rules.sw209_undocumented_columns import UndocumentedColumns
from schemawright.lint.schema_rules.sw210_table_without_constraints import TableWithoutConstraints
from schemawright.lint.schema_rules.sw211_foreign_key_type_mismatch import ForeignKeyTypeMismatch
from schemawright.lint.schema_rules.sw212_repeated_group import RepeatedGroup
from schemawright.lint.schema_rules.sw213_transitive_dependency import TransitiveDependency
from schemawright.lint.schema_rules.sw301_timestamp_without_time_zone import TimestampWithoutTimeZone
from schemawright.lint.schema_rules.sw302_money_type import MoneyType
from schemawright.lint.schema_rules.sw303_float_for_money import FloatForMoney
from schemawright.lint.schema_rules.sw304_char_column import CharColumn
from schemawright.lint.schema_rules.sw305_serial_column import SerialColumn
from schemawright.lint.schema_rules.sw306_varchar_habit_length import VarcharHabitLength
from schemawright.lint.schema_rules.sw307_integer_key import IntegerKey
from schemawright.lint.schema_rules.sw308_json_column import JsonColumn
from schemawright.lint.schema_rules.sw309_unsupported_reg_type import UnsupportedRegType
from schemawright.lint.schema_rules.sw310_timetz_column import TimetzColumn
from schemawright.lint.schema_rules.sw401_unindexed_foreign_key import UnindexedForeignKey
from schemawright.lint.schema_rules.sw402_duplicate_index import DuplicateIndex
from schemawright.lint.schema_rules.sw403_redundant_prefix_index import RedundantPrefixIndex
from schemawright.lint.schema_rules.sw404_too_many_indexes import TooManyIndexes
from schemawright.lint.schema_rules.sw405_table_without_indexes import TableWithoutIndexes
from schemawright.lint.schema_rules.sw406_low_cardinality_index import LowCardinalityIndex
from schemawright.lint.schema_rules.sw601_rls_disabled_exposed_table import RlsDisabledExposedTable
from schemawright.lint.schema_rules.sw602_policy_without_rls import PolicyWithoutRls
from schemawright.lint.schema_rules.sw603_rls_without_policy import RlsWithoutPolicy
from schemawright.lint.schema_rules.sw604_security_definer_search_path import SecurityDefinerSearchPath
from schemawright.lint.schema_rules.sw605_function_search_path_mutable import FunctionSearchPathMutable
from schemawright.lint.schema_rules.sw606_extension_in_public import ExtensionInPublic
from schemawright.lint.schema_rules.sw607_security_definer_view import SecurityDefinerView
from schemawright.lint.schema_rules.sw608_policy_always_true import PolicyAlwaysTrue
from schemawright.lint.schema_rules.sw609_security_definer_function_exposed import SecurityDefinerFunctionExposed
from schemawright.lint.schema_rules.sw610_multiple_permissive_policies import MultiplePermissivePolicies
from schemawright.lint.schema_rules.sw611_public_schema_create import PublicSchemaCreate
from schemawright.lint.schema_rules.sw612_sensitive_columns_exposed import SensitiveColumnsExposed
from schemawright.lint.schema_rules.sw613_materialized_view_exposed import MaterializedViewExposed
from schemawright.lint.schema_rules.sw614_tenant_isolation_gap import TenantIsolationGap
from schemawright.lint.schema_rules.sw701_sequence_near_overflow import SequenceNearOverflow
from schemawright.lint.schema_rules.sw702_unused_index import UnusedIndex
from schemawright.lint.schema_rules.sw703_never_vacuumed_or_analyzed import NeverVacuumedOrAnalyzed
from schemawright.lint.schema_rules.sw704_table_bloat import TableBloat
from schemawright.lint.schema_rules.sw705_sequential_scan_heavy import SequentialScanHeavy
from schemawright.lint.schema_rules.sw706_extension_outdated import ExtensionOutdated

ALL_RULES = (
    IdentifierNotSnakeCase,
    TableNameNumber,
    ReservedWordIdentifier,
    PrimaryKeyColumnName,
    ForeignKeyColumnName,
    IndexNameConvention,
    ConstraintNameConvention,
    ViewNameConvention,
    FunctionNameConvention,
    TriggerNameConvention,
    BooleanColumnName,
    NoPrimaryKey,
    MissingForeignKey,
    SchemaWithoutForeignKeys,
    GodTable,
    EavTable,
    MissingAuditColumns,
    UnconstrainedStatusColumn,
    UndocumentedTable,
    UndocumentedColumns,
    TableWithoutConstraints,
    ForeignKeyTypeMismatch,
    RepeatedGroup,
    TransitiveDependency,
    TimestampWithoutTimeZone,
    MoneyType,
    FloatForMoney,
    CharColumn,
    SerialColumn,
    VarcharHabitLength,
    IntegerKey,
    JsonColumn,
    UnsupportedRegType,
    TimetzColumn,
    UnindexedForeignKey,
    DuplicateIndex,
    RedundantPrefixIndex,
    TooManyIndexes,
    TableWithoutIndexes,
    LowCardinalityIndex,
    RlsDisabledExposedTable,
    PolicyWithoutRls,
    RlsWithoutPolicy,
    SecurityDefinerSearchPath,
    FunctionSearchPathMutable,
    ExtensionInPublic,
    SecurityDefinerView,
    PolicyAlwaysTrue,
    SecurityDefinerFunctionExposed,
    MultiplePermissivePolicies,
    PublicSchemaCreate,
    SensitiveColumnsExposed,
    MaterializedViewExposed,
    TenantIsolationGap,
    SequenceNearOverflow,
    UnusedIndex,
    NeverVacuumedOrAnalyzed,
    TableBloat,
    SequentialScanHeavy,
    ExtensionOutdated,
)

__all__ = ["ALL_RULES"]
