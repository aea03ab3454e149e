"""What every part of the generator shares: the size, the seeded random
stream, today and the two-year history window, names, regions, the row
writer, the ID numbers in use and the progress counters."""

from __future__ import annotations

from datetime import date

from gridadmin.services.demo.dates import add_years
from gridadmin.services.demo.names import Names
from gridadmin.services.demo.picking import Weighted, pick, seeded_rng
from gridadmin.services.demo.regions import Regions
from gridadmin.services.demo.sizes import DemoSize
from gridadmin.services.demo.writer import Writer
from gridadmin.services.common.idcard import make_id_number
from gridadmin.services.common.progress import Progress

_MOBILE_PREFIXES = ("130 131 132 133 134 135 136 137 138 139 150 151 152 153 155 156 157 158 159 "
                    "166 173 175 176 177 178 180 181 182 183 185 186 187 188 189 191 198 199").split()
_PROGRESS_EVERY = 5_000


class Context:
    """Shared state of one run. Dates are ordinals: ``T`` is today, ``W0``
    two years earlier (the start of the history: events, staff changes and
    training fall in [W0, T])."""

    def __init__(self, spec: DemoSize, seed: int, today: date, writer: Writer):
        self.spec = spec
        self.seed = seed
        self.rng = seeded_rng(spec.key, seed)
        self.today = today
        self.T = today.toordinal()
        self.W0 = add_years(self.T, -2)
        self.names = Names(self.rng)
        self.regions = Regions(spec.county, self.rng)
        self.county_code = spec.county
        self.county_name = self.regions.county_name
        self.writer = writer
        self.new_id = writer.new_id
        self.add = writer.add
        self._used_ids: set[str] = set()
        self._spans = {age: (add_years(self.T, -(age + 1)) + 1, add_years(self.T, -age)) for age in range(111)}
        self.progress_done = 0
        self.progress_total = 1
        self._next_progress = _PROGRESS_EVERY

    # -- random values ---------------------------------------------------

    def pick(self, table: Weighted):
        return pick(self.rng, table)

    def born(self, age: int) -> int:
        """A birth day of someone ``age`` years old today (0–110)."""
        lo, hi = self._spans[max(0, min(110, age))]
        return self.rng.randint(lo, hi)

    def between(self, lo: int, hi: int) -> int:
        """A random day in [lo, hi] (lo when the range is empty)."""
        return lo if hi <= lo else self.rng.randint(lo, hi)

    def age(self, birth: int) -> int:
        """Approximate age today (fast; for choices, not for rules)."""
        return int((self.T - birth) / 365.2425)

    def id_number(self, region: str, birth: int, male: bool) -> str:
        """A valid resident ID number not used before in this run."""
        bd = date.fromordinal(birth)
        rng = self.rng
        while True:
            seq = rng.randrange(500) * 2 + 1 if male else rng.randrange(1, 500) * 2
            number = make_id_number(region, bd, seq)
            if number not in self._used_ids:
                self._used_ids.add(number)
                return number

    def phone(self) -> str:
        return self.rng.choice(_MOBILE_PREFIXES) + f"{self.rng.randrange(100_000_000):08d}"

    # -- progress ----------------------------------------------------------

    def step(self, message: str) -> Progress:
        return Progress(min(self.progress_done, self.progress_total), self.progress_total, message)

    def maybe_progress(self, message: str) -> Progress | None:
        """A step every 5,000 units of work, else None."""
        if self.progress_done >= self._next_progress:
            self._next_progress = self.progress_done + _PROGRESS_EVERY
            return self.step(message)
        return None
