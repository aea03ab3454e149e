"""Weighted random choice with precomputed cumulative weights (faster than
``random.choices`` when one table is drawn from many times)."""

from __future__ import annotations

import random
from bisect import bisect
from collections.abc import Iterable
from itertools import accumulate
from typing import TypeVar

V = TypeVar("V")
Weighted = tuple[tuple, tuple[int, ...]]


def weighted(pairs: Iterable[tuple[V, int]]) -> Weighted:
    """(values, cumulative weights) from (value, weight) pairs, for :func:`pick`."""
    pairs = tuple(pairs)
    return tuple(v for v, _ in pairs), tuple(accumulate(w for _, w in pairs))


def pick(rng: random.Random, table: Weighted):
    """One value of a :func:`weighted` table (one ``rng.random()`` call)."""
    values, cum = table
    return values[bisect(cum, rng.random() * cum[-1])]


def seeded_rng(size_key: str, seed: int) -> random.Random:
    """The one random stream of a demo run: same size and seed, same data."""
    return random.Random(f"gridadmin-demo:{size_key}:{seed}")
