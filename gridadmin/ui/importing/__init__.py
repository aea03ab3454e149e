"""The import page (数据导入): the wizard (choose file → map columns → preview →
import), the import history with undo, and the export tab."""
