"""Demo data: real townships of 镇平县 (南阳市) with grids, households,
residents, staff on the "1+3+N" pattern and two years of training.

For trying the program out, screenshots, reports and load tests. Everything
is made up except the division names and codes; the data follow the rules
in DOMAIN.md (grid sizes, ID numbers, code lists, plausible families).

``generate_demo(db, size, seed, today)`` is a progress job (see
:mod:`gridadmin.services.common.progress`): it yields ``Progress`` and returns a
``DemoSummary``. All writes happen on one connection in one transaction,
so a driver that stops iterating and calls ``close()`` leaves the database
as it was. The same seed and ``today`` give the same data.

The parts: :mod:`.plan` (communities and their grids), :mod:`.areas`,
:mod:`.addresses`, :mod:`.family` / :mod:`.households` / :mod:`.persons` /
:mod:`.tags` / :mod:`.register` (the population), :mod:`.posts` /
:mod:`.staff` / :mod:`.staff_history`, :mod:`.training`, :mod:`.writer`
(ids, buffers, the transaction) and :mod:`.job` (the order of it all).
"""

# The parts load on first use (PEP 562): the login dialog reads only
# ``.account``, and the generator's modules (pinyin tables and all) would
# add a second to the start of the app.
_EXPORTS = {"age_on": "dates", "create_demo_database": "job", "generate_demo": "job",
            "planned_grid_count": "plan", "DEMO_SIZES": "sizes", "DemoSize": "sizes", "DemoSummary": "sizes"}


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    return getattr(import_module(f"{__name__}.{module}"), name)


__all__ = sorted(_EXPORTS)
