"""Importing and exporting spreadsheets: read (sniff, reading, xlsxscan) →
header and mapping (headers, mapping) → values → per-kind validation and
matching (residents/resident_plan, grids, staff, attendance) → plan → write
in one transaction (pipeline, resident_write) → error report (report); the
import history and undo (history, undo), templates and exports.

No Qt here; the wizard and the ``import`` command drive ``import_job``.
"""

from gridadmin.services.importing.pipeline import (
    KINDS, ImportResult, file_sha256, import_job, load_table, plan_import,
)
from gridadmin.services.importing.plan import MODES, ImportPlan, RowIssue, RowPlan
from gridadmin.services.importing.sniff import FileRefused

__all__ = ["KINDS", "MODES", "FileRefused", "ImportPlan", "ImportResult", "RowIssue", "RowPlan", "file_sha256",
           "import_job", "load_table", "plan_import"]
