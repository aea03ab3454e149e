"""Two clerks on one database, for the concurrency tests: a second
``Database`` on the same SQLite file or PostgreSQL database (its own
engine and connections), and a way to hold one clerk's action at a chosen
statement while the other's runs to its commit — real services, real
connections; only the interleaving is chosen, so the race the test is
about happens every time instead of now and then."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import event

from gridadmin.db import Database, open_database

WAIT = 60  # seconds a held clerk waits at most (a test that hangs fails)


def second_clerk(db: Database) -> Database:
    """Another clerk's connection to ``db``'s database (another PC)."""
    return open_database(db.url).as_actor(db.actor) if db.actor is not None else open_database(db.url)


@dataclass
class Outcome:
    """What a clerk's action running in a thread returned or raised."""

    value: object = None
    error: BaseException | None = None
    done: threading.Event = field(default_factory=threading.Event)

    def result(self, timeout: float = WAIT) -> object:
        assert self.done.wait(timeout), "the held clerk's action did not finish"
        if self.error is not None:
            raise self.error
        return self.value


def in_thread(action: Callable[[], object]) -> Outcome:
    outcome = Outcome()

    def run() -> None:
        try:
            outcome.value = action()
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            outcome.error = exc
        finally:
            outcome.done.set()

    threading.Thread(target=run, daemon=True).start()
    return outcome


@contextmanager
def held_at(db: Database, statement_start: str) -> Iterator[Callable[[], None]]:
    """Hold ``db``'s first statement that starts with ``statement_start``
    (e.g. ``"INSERT INTO person "``) until the function yielded is called.
    Use: start the held clerk's action in a thread, ``wait_reached``, let
    the other clerk act, then release."""
    reached, release = threading.Event(), threading.Event()
    prefix = statement_start.upper()

    def before(conn, cursor, statement, parameters, context, executemany):
        if not reached.is_set() and statement.lstrip().upper().startswith(prefix):
            reached.set()
            release.wait(WAIT)

    event.listen(db.engine, "before_cursor_execute", before)

    def go() -> None:
        release.set()

    go.reached = reached  # type: ignore[attr-defined]
    try:
        yield go
    finally:
        release.set()
        event.remove(db.engine, "before_cursor_execute", before)


def wait_reached(go, outcome: Outcome) -> None:
    """Wait until the held clerk is at its statement (or failed early)."""
    for _ in range(WAIT * 20):
        if go.reached.wait(0.05) or outcome.done.is_set():
            break
    if outcome.done.is_set() and outcome.error is not None:
        raise outcome.error
    assert go.reached.is_set(), "the held clerk never reached the statement"
