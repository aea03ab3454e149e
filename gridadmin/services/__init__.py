"""Qt-free service layer: every use case the UI and the command line share.

Services take a ``gridadmin.db.Database``, open one session per action
(unit of work) and return plain dataclasses, never live ORM objects.
They raise ``ServiceError`` with a Chinese message on bad input.
"""
