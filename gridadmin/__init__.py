"""GridAdmin (网格中心管理系统): township grid-center management.

Layers: ``gridadmin.models`` (tables, no Qt), ``gridadmin.services``
(Qt-free use cases), ``gridadmin.ui`` (PySide6 widgets that call services),
``gridadmin.cli`` (headless command line over the same services).
"""

__version__ = "0.1.0"
APP_NAME = "GridAdmin"
APP_TITLE = "网格中心管理系统"
