"""the area a person counts in, stored and trigger-kept; the group filter's index covers the due end

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-08 02:00:00.000000

A user of some areas (a community's clerk) sees the people who count in
them: their household's area, or without a 户 their house's. As an SQL
condition that was an OR of two subqueries (households of the areas, houses
of the areas), which no index serves: a clerk's one-letter search walked
every match of the county (0.21 s at 525,000 residents, ratio 5.5 to the
township). ``person.area_id`` holds that area (a grid, the leaf a household
or house lies in), so the scope is one indexed column, and
``ix_person_area_name`` (area_id, status, name_pinyin, name_initials) gives
a clerk's list in name order and their search's matches inside the index.

Triggers keep it in the same transaction as every write that can change it,
whoever writes (forms, imports, undo, restore, raw SQL): a person added or
given another household or house, a household or a house moved to another
grid. A grid moved to another community changes nothing stored (the scope
is the subtree of areas, computed when read). SQLite: AFTER triggers that
write the row only when the value differs (one writer at a time); PostgreSQL:
a BEFORE trigger that sets it on the row written, reading the household or
house ``FOR SHARE`` so that a clerk adding a person to a household another
clerk is moving waits for that move and reads its grid (or the move waits
for the new person and then updates them), and AFTER triggers on household
and house. The
program never writes it (an import that drops the person triggers fills it
in ``importing.reindex.restore_indexes``).

``house.residents`` (persons 在册 living there), kept by triggers on person
(SQLite and PostgreSQL), and the partial index ``ix_house_overcrowded``
(address, id) of the houses with more residents than their limit: the 超员
list counted the residents of every 出租房 with a limit for each page
(13,000 in the county: ratio 2–3.6 to the township); now it walks the index
of the overcrowded ones.

``ix_person_tag_holders`` gains ``due_end``: the group filter's condition
(``tags.holds_on``) reads start, end and due end, so the holders of a group
are read from the index alone instead of one table lookup per membership
(130,000 for the county's largest group).
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision: str = '0025'
down_revision: Union[str, Sequence[str], None] = '0024'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def placed(row: str) -> str:
    """SQL: the area the person row ``row`` (NEW, OLD or a table name)
    counts in — their household's, or without one their house's (as the
    stored tallies of 0019 count)."""
    return (f"COALESCE((SELECT area_id FROM household WHERE id = {row}.household_id), "
            f"(SELECT area_id FROM house WHERE id = {row}.house_id))")


# the statement that fills the column from the rows (upgrade; after a bulk write without triggers)
FILL = f"UPDATE person SET area_id = {placed('person')}"

SQLITE_TRIGGERS = {
    "person_area_insert": (
        f"AFTER INSERT ON person WHEN NEW.area_id IS NOT {placed('NEW')} "
        f"BEGIN UPDATE person SET area_id = {placed('NEW')} WHERE id = NEW.id; END"),
    "person_area_update": (
        f"AFTER UPDATE OF household_id, house_id, area_id ON person WHEN NEW.area_id IS NOT {placed('NEW')} "
        f"BEGIN UPDATE person SET area_id = {placed('NEW')} WHERE id = NEW.id; END"),
    "person_area_household": (
        "AFTER UPDATE OF area_id ON household WHEN OLD.area_id IS NOT NEW.area_id "
        "BEGIN UPDATE person SET area_id = NEW.area_id WHERE household_id = NEW.id; END"),
    "person_area_house": (
        "AFTER UPDATE OF area_id ON house WHEN OLD.area_id IS NOT NEW.area_id "
        "BEGIN UPDATE person SET area_id = NEW.area_id WHERE house_id = NEW.id AND household_id IS NULL; END"),
}

POSTGRES_FUNCTIONS = """
CREATE OR REPLACE FUNCTION person_area() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.household_id IS NOT NULL AND NEW.household_id = OLD.household_id
            AND NEW.area_id IS NOT DISTINCT FROM OLD.area_id THEN
        RETURN NEW;  -- placed by the same household (its move updates the row itself)
    END IF;
    -- FOR SHARE: a household or house being moved by another clerk is read once that
    -- move commits (its trigger cannot see this uncommitted row), and the move waits
    -- for this row's transaction otherwise
    IF NEW.household_id IS NOT NULL THEN
        SELECT area_id INTO NEW.area_id FROM household WHERE id = NEW.household_id FOR SHARE;
    ELSIF NEW.house_id IS NOT NULL THEN
        SELECT area_id INTO NEW.area_id FROM house WHERE id = NEW.house_id FOR SHARE;
    ELSE
        NEW.area_id := NULL;
    END IF;
    RETURN NEW;
END $$;
CREATE OR REPLACE FUNCTION person_area_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.area_id IS DISTINCT FROM NEW.area_id THEN
        IF TG_TABLE_NAME = 'household' THEN
            UPDATE person SET area_id = NEW.area_id WHERE household_id = NEW.id;
        ELSE
            UPDATE person SET area_id = NEW.area_id WHERE house_id = NEW.id AND household_id IS NULL;
        END IF;
    END IF;
    RETURN NULL;
END $$"""

POSTGRES_TRIGGERS = {
    "person_area_row": ("person", "BEFORE INSERT OR UPDATE OF household_id, house_id, area_id ON person "
                                  "FOR EACH ROW EXECUTE FUNCTION person_area()"),
    "person_area_household": ("household", "AFTER UPDATE OF area_id ON household "
                                           "FOR EACH ROW EXECUTE FUNCTION person_area_moved()"),
    "person_area_house": ("house", "AFTER UPDATE OF area_id ON house FOR EACH ROW EXECUTE FUNCTION person_area_moved()"),
}

# --- the residents of each house (``house.residents``) and the 超员 index -----------------------

ACTIVE = "'在册'"
# the column filled from the rows (upgrade; after a bulk write without triggers)
COUNT_HOUSE_RESIDENTS = (f"UPDATE house SET residents = (SELECT count(*) FROM person "
                         f"WHERE person.house_id = house.id AND person.status = {ACTIVE})")
OVERCROWDED = "residents > occupancy_limit"

SQLITE_HOUSE_TRIGGERS = {
    "house_residents_insert": (
        f"AFTER INSERT ON person WHEN NEW.house_id IS NOT NULL AND NEW.status = {ACTIVE} "
        "BEGIN UPDATE house SET residents = residents + 1 WHERE id = NEW.house_id; END"),
    "house_residents_delete": (
        f"AFTER DELETE ON person WHEN OLD.house_id IS NOT NULL AND OLD.status = {ACTIVE} "
        "BEGIN UPDATE house SET residents = residents - 1 WHERE id = OLD.house_id; END"),
    "house_residents_update": (
        "AFTER UPDATE OF house_id, status ON person "
        "WHEN OLD.house_id IS NOT NEW.house_id OR OLD.status IS NOT NEW.status BEGIN "
        f"UPDATE house SET residents = residents - 1 WHERE id = OLD.house_id AND OLD.status = {ACTIVE}; "
        f"UPDATE house SET residents = residents + 1 WHERE id = NEW.house_id AND NEW.status = {ACTIVE}; END"),
}

# One UPDATE for the house left and the house entered: its rows are locked in the order of
# the scan, the same for every clerk, so two moves between the same two houses in opposite
# directions wait for each other instead of deadlocking.
POSTGRES_HOUSE_FUNCTION = f"""
CREATE OR REPLACE FUNCTION house_residents() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    old_house integer := NULL;
    new_house integer := NULL;
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status = {ACTIVE} THEN
        old_house := OLD.house_id;
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') AND NEW.status = {ACTIVE} THEN
        new_house := NEW.house_id;
    END IF;
    IF old_house IS DISTINCT FROM new_house THEN
        UPDATE house SET residents = residents + (CASE WHEN id = new_house THEN 1 ELSE 0 END)
                                               - (CASE WHEN id = old_house THEN 1 ELSE 0 END)
        WHERE id IN (old_house, new_house);
    END IF;
    RETURN NULL;
END $$"""

POSTGRES_HOUSE_TRIGGER = ("house_residents", "person",
                          "AFTER INSERT OR DELETE OR UPDATE OF house_id, status ON person "
                          "FOR EACH ROW EXECUTE FUNCTION house_residents()")

HOLDERS_BEFORE = ["tag_kind_id", "person_id", "start_date", "end_date"]
HOLDERS_AFTER = [*HOLDERS_BEFORE, "due_end"]


def upgrade() -> None:
    # a plain ADD COLUMN (no foreign key: the value is derived), so SQLite keeps the table and its triggers
    op.add_column('person', sa.Column('area_id', sa.Integer(), nullable=True))
    op.execute(FILL)
    op.create_index('ix_person_area_name', 'person', ['area_id', 'status', 'name_pinyin', 'name_initials'],
                    unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(POSTGRES_FUNCTIONS)
        for name, (_table, body) in POSTGRES_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {body}")
    else:
        for name, body in SQLITE_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {body}")
    op.drop_index('ix_person_tag_holders', table_name='person_tag')
    op.create_index('ix_person_tag_holders', 'person_tag', HOLDERS_AFTER, unique=False)
    op.add_column('house', sa.Column('residents', sa.Integer(), server_default=sa.text("0"), nullable=False))
    op.execute(COUNT_HOUSE_RESIDENTS)
    op.create_index('ix_house_overcrowded', 'house', ['address', 'id'], unique=False,
                    sqlite_where=sa.text(OVERCROWDED), postgresql_where=sa.text(OVERCROWDED))
    if op.get_bind().dialect.name == "postgresql":
        op.execute(POSTGRES_HOUSE_FUNCTION)
        name, table, body = POSTGRES_HOUSE_TRIGGER
        op.execute(f"CREATE TRIGGER {name} {body}")
    else:
        for name, body in SQLITE_HOUSE_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {body}")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        name, table, _body = POSTGRES_HOUSE_TRIGGER
        op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        op.execute("DROP FUNCTION IF EXISTS house_residents()")
    else:
        for name in SQLITE_HOUSE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_index('ix_house_overcrowded', table_name='house')
    op.execute("ALTER TABLE house DROP COLUMN residents")
    op.drop_index('ix_person_tag_holders', table_name='person_tag')
    op.create_index('ix_person_tag_holders', 'person_tag', HOLDERS_BEFORE, unique=False)
    if op.get_bind().dialect.name == "postgresql":
        for name, (table, _body) in POSTGRES_TRIGGERS.items():
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        op.execute("DROP FUNCTION IF EXISTS person_area()")
        op.execute("DROP FUNCTION IF EXISTS person_area_moved()")
    else:
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_index('ix_person_area_name', table_name='person')
    # (not a batch: SQLite would copy the table and lose its count triggers; DROP COLUMN needs 3.35)
    op.execute("ALTER TABLE person DROP COLUMN area_id")
