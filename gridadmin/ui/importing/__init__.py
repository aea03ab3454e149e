"""The import wizard's widgets (choose file → map columns → preview →
import) and the import history tab; the page is ``ui/pages/import_page``."""
