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

from gridadmin.services.demo.dates import age_on
from gridadmin.services.demo.job import create_demo_database, generate_demo
from gridadmin.services.demo.plan import planned_grid_count
from gridadmin.services.demo.sizes import DEMO_SIZES, DemoSize, DemoSummary

__all__ = ["DEMO_SIZES", "DemoSize", "DemoSummary", "age_on", "create_demo_database", "generate_demo",
           "planned_grid_count"]
