"""The desktop UI (PySide6). Widgets, dialogs and item models that only
call services; the only package allowed to import Qt."""
