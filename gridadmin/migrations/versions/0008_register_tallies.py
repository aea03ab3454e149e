"""stored per-area register counts kept by triggers

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27 13:30:00.000000

The grid tree, the residents page and the monthly report need households,
residents and special-group members per area. Counting them reads the whole register, so the
time grew with it (8x from a township to a county). ``household_tally``,
``resident_tally`` and ``tag_tally`` hold the current counts; the triggers
below adjust them in the same transaction as every write to ``person``,
``household`` and ``person_tag`` — forms, imports, undo, restore, anything — so they cannot
drift. The tables are filled from the existing rows here. Indexes on
household (registered_on, …; and dissolved_on, … for dissolved ones only)
and person_tag (end_date, start_date, …) let the monthly report read only
the households and memberships that began or ended lately.

SQLite and PostgreSQL get the same rules in their own trigger language. On
PostgreSQL (several clerks at once) the triggers append signed changes to
the *_delta tables instead of updating shared rows, so no writer waits for
another; readers add the two, and ``services.tallies.fold`` folds them in.
On SQLite (one writer at a time) the delta tables stay empty.
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision: str = '0008'
down_revision: Union[str, Sequence[str], None] = '0007'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

ACTIVE = "'在册'"

# --- SQLite: one trigger per event; UPSERT adds a missing row -----------------------------

_SQLITE_PERSON_ADD = f"""
    INSERT INTO resident_tally (area_id, category, residents)
    SELECT h.area_id, COALESCE(NEW.category, ''), 1 FROM household h
    WHERE h.id = NEW.household_id AND NEW.status = {ACTIVE}
    ON CONFLICT (area_id, category) DO UPDATE SET residents = residents + 1;"""

_SQLITE_PERSON_REMOVE = f"""
    UPDATE resident_tally SET residents = residents - 1
    WHERE OLD.status = {ACTIVE} AND category = COALESCE(OLD.category, '')
      AND area_id = (SELECT area_id FROM household WHERE id = OLD.household_id);"""

_SQLITE_HOUSEHOLD_ADD = """
    INSERT INTO household_tally (area_id, households)
    SELECT NEW.area_id, 1 WHERE NEW.dissolved_on IS NULL
    ON CONFLICT (area_id) DO UPDATE SET households = households + 1;"""

_SQLITE_HOUSEHOLD_REMOVE = """
    UPDATE household_tally SET households = households - 1
    WHERE OLD.dissolved_on IS NULL AND area_id = OLD.area_id;"""

# open memberships (no end date) of a person 在册, counted in their household's area
_SQLITE_TAGS_OF_PERSON_REMOVE = f"""
    UPDATE tag_tally SET holders = holders - (
        SELECT count(*) FROM person_tag t WHERE t.person_id = OLD.id AND t.end_date IS NULL
          AND t.tag_kind_id = tag_tally.tag_kind_id)
    WHERE OLD.status = {ACTIVE} AND area_id = (SELECT area_id FROM household WHERE id = OLD.household_id);"""

_SQLITE_TAGS_OF_PERSON_ADD = f"""
    INSERT INTO tag_tally (area_id, tag_kind_id, holders)
    SELECT h.area_id, t.tag_kind_id, count(*) FROM person_tag t JOIN household h ON h.id = NEW.household_id
    WHERE t.person_id = NEW.id AND t.end_date IS NULL AND NEW.status = {ACTIVE}
    GROUP BY h.area_id, t.tag_kind_id
    ON CONFLICT (area_id, tag_kind_id) DO UPDATE SET holders = holders + excluded.holders;"""

_SQLITE_TAG_ADD = f"""
    INSERT INTO tag_tally (area_id, tag_kind_id, holders)
    SELECT h.area_id, NEW.tag_kind_id, 1 FROM person p JOIN household h ON h.id = p.household_id
    WHERE p.id = NEW.person_id AND p.status = {ACTIVE} AND NEW.end_date IS NULL
    ON CONFLICT (area_id, tag_kind_id) DO UPDATE SET holders = holders + 1;"""

_SQLITE_TAG_REMOVE = f"""
    UPDATE tag_tally SET holders = holders - 1
    WHERE OLD.end_date IS NULL AND tag_kind_id = OLD.tag_kind_id AND area_id = (
        SELECT h.area_id FROM person p JOIN household h ON h.id = p.household_id
        WHERE p.id = OLD.person_id AND p.status = {ACTIVE});"""

SQLITE_TRIGGERS = {
    "tally_person_insert": f"AFTER INSERT ON person BEGIN{_SQLITE_PERSON_ADD}\nEND",
    "tally_person_delete": f"AFTER DELETE ON person BEGIN{_SQLITE_PERSON_REMOVE}\nEND",
    "tally_person_update": (
        "AFTER UPDATE OF status, household_id, category ON person "
        "WHEN OLD.status IS NOT NEW.status OR OLD.household_id IS NOT NEW.household_id "
        f"OR OLD.category IS NOT NEW.category BEGIN{_SQLITE_PERSON_REMOVE}{_SQLITE_PERSON_ADD}"
        f"{_SQLITE_TAGS_OF_PERSON_REMOVE}{_SQLITE_TAGS_OF_PERSON_ADD}\nEND"),
    "tally_household_insert": f"AFTER INSERT ON household BEGIN{_SQLITE_HOUSEHOLD_ADD}\nEND",
    "tally_household_delete": f"AFTER DELETE ON household BEGIN{_SQLITE_HOUSEHOLD_REMOVE}\nEND",
    "tally_household_update": (
        "AFTER UPDATE OF area_id, dissolved_on ON household "
        "WHEN OLD.area_id IS NOT NEW.area_id OR (OLD.dissolved_on IS NULL) <> (NEW.dissolved_on IS NULL) "
        f"BEGIN{_SQLITE_HOUSEHOLD_REMOVE}{_SQLITE_HOUSEHOLD_ADD}"
        # the members move with their household
        f"""
    UPDATE resident_tally SET residents = residents - (
        SELECT count(*) FROM person p WHERE p.household_id = NEW.id AND p.status = {ACTIVE}
          AND COALESCE(p.category, '') = resident_tally.category)
    WHERE area_id = OLD.area_id AND OLD.area_id <> NEW.area_id;
    INSERT INTO resident_tally (area_id, category, residents)
    SELECT NEW.area_id, COALESCE(p.category, ''), count(*) FROM person p
    WHERE p.household_id = NEW.id AND p.status = {ACTIVE} AND OLD.area_id <> NEW.area_id
    GROUP BY COALESCE(p.category, '')
    ON CONFLICT (area_id, category) DO UPDATE SET residents = residents + excluded.residents;
    UPDATE tag_tally SET holders = holders - (
        SELECT count(*) FROM person_tag t JOIN person p ON p.id = t.person_id
        WHERE p.household_id = NEW.id AND p.status = {ACTIVE} AND t.end_date IS NULL
          AND t.tag_kind_id = tag_tally.tag_kind_id)
    WHERE area_id = OLD.area_id AND OLD.area_id <> NEW.area_id;
    INSERT INTO tag_tally (area_id, tag_kind_id, holders)
    SELECT NEW.area_id, t.tag_kind_id, count(*) FROM person_tag t JOIN person p ON p.id = t.person_id
    WHERE p.household_id = NEW.id AND p.status = {ACTIVE} AND t.end_date IS NULL AND OLD.area_id <> NEW.area_id
    GROUP BY t.tag_kind_id
    ON CONFLICT (area_id, tag_kind_id) DO UPDATE SET holders = holders + excluded.holders;
END"""),
    "tally_tag_insert": f"AFTER INSERT ON person_tag BEGIN{_SQLITE_TAG_ADD}\nEND",
    "tally_tag_delete": f"AFTER DELETE ON person_tag BEGIN{_SQLITE_TAG_REMOVE}\nEND",
    "tally_tag_update": (
        "AFTER UPDATE OF end_date, person_id, tag_kind_id ON person_tag "
        "WHEN (OLD.end_date IS NULL) <> (NEW.end_date IS NULL) OR OLD.person_id <> NEW.person_id "
        f"OR OLD.tag_kind_id <> NEW.tag_kind_id BEGIN{_SQLITE_TAG_REMOVE}{_SQLITE_TAG_ADD}\nEND"),
}

# --- PostgreSQL: a row trigger function per table ---------------------------------------------
# Several clerks write at once here. Updating the shared count rows would hold
# their locks until commit: a clerk's save would wait for a long import in the
# same area, and two writers could deadlock. So the triggers only append
# signed changes to the *_delta tables (no row is ever updated, no waiting);
# readers add them to the base tables, and ``services.tallies.fold`` moves
# them into the base tables after imports.

POSTGRES_FUNCTIONS = {
    "tally_person": f"""
CREATE OR REPLACE FUNCTION tally_person() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status = {ACTIVE} AND OLD.household_id IS NOT NULL THEN
        INSERT INTO resident_tally_delta (area_id, category, residents)
        SELECT area_id, COALESCE(OLD.category, ''), -1 FROM household WHERE id = OLD.household_id;
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') AND NEW.status = {ACTIVE} AND NEW.household_id IS NOT NULL THEN
        INSERT INTO resident_tally_delta (area_id, category, residents)
        SELECT area_id, COALESCE(NEW.category, ''), 1 FROM household WHERE id = NEW.household_id;
    END IF;
    IF TG_OP = 'UPDATE' AND (OLD.status IS DISTINCT FROM NEW.status
                             OR OLD.household_id IS DISTINCT FROM NEW.household_id) THEN
        IF OLD.status = {ACTIVE} AND OLD.household_id IS NOT NULL THEN
            INSERT INTO tag_tally_delta (area_id, tag_kind_id, holders)
            SELECT h.area_id, t.tag_kind_id, -count(*) FROM person_tag t JOIN household h ON h.id = OLD.household_id
            WHERE t.person_id = OLD.id AND t.end_date IS NULL GROUP BY h.area_id, t.tag_kind_id;
        END IF;
        IF NEW.status = {ACTIVE} AND NEW.household_id IS NOT NULL THEN
            INSERT INTO tag_tally_delta (area_id, tag_kind_id, holders)
            SELECT h.area_id, t.tag_kind_id, count(*) FROM person_tag t JOIN household h ON h.id = NEW.household_id
            WHERE t.person_id = NEW.id AND t.end_date IS NULL GROUP BY h.area_id, t.tag_kind_id;
        END IF;
    END IF;
    RETURN NULL;
END $$""",
    "tally_household": f"""
CREATE OR REPLACE FUNCTION tally_household() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.dissolved_on IS NULL THEN
        INSERT INTO household_tally_delta (area_id, households) VALUES (OLD.area_id, -1);
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') AND NEW.dissolved_on IS NULL THEN
        INSERT INTO household_tally_delta (area_id, households) VALUES (NEW.area_id, 1);
    END IF;
    IF TG_OP = 'UPDATE' AND OLD.area_id <> NEW.area_id THEN
        INSERT INTO resident_tally_delta (area_id, category, residents)
        SELECT a.area_id, COALESCE(p.category, ''), a.sign * count(*)
        FROM person p, (VALUES (OLD.area_id, -1), (NEW.area_id, 1)) AS a (area_id, sign)
        WHERE p.household_id = NEW.id AND p.status = {ACTIVE} GROUP BY a.area_id, a.sign, COALESCE(p.category, '');
        INSERT INTO tag_tally_delta (area_id, tag_kind_id, holders)
        SELECT a.area_id, t.tag_kind_id, a.sign * count(*)
        FROM person_tag t JOIN person p ON p.id = t.person_id,
             (VALUES (OLD.area_id, -1), (NEW.area_id, 1)) AS a (area_id, sign)
        WHERE p.household_id = NEW.id AND p.status = {ACTIVE} AND t.end_date IS NULL
        GROUP BY a.area_id, a.sign, t.tag_kind_id;
    END IF;
    RETURN NULL;
END $$""",
    "tally_tag": f"""
CREATE OR REPLACE FUNCTION tally_tag() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.end_date IS NULL THEN
        INSERT INTO tag_tally_delta (area_id, tag_kind_id, holders)
        SELECT h.area_id, OLD.tag_kind_id, -1 FROM person p JOIN household h ON h.id = p.household_id
        WHERE p.id = OLD.person_id AND p.status = {ACTIVE};
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') AND NEW.end_date IS NULL THEN
        INSERT INTO tag_tally_delta (area_id, tag_kind_id, holders)
        SELECT h.area_id, NEW.tag_kind_id, 1 FROM person p JOIN household h ON h.id = p.household_id
        WHERE p.id = NEW.person_id AND p.status = {ACTIVE};
    END IF;
    RETURN NULL;
END $$""",
}

POSTGRES_TRIGGERS = {
    "tally_person_change": (
        "AFTER INSERT OR DELETE OR UPDATE OF status, household_id, category ON person "
        "FOR EACH ROW EXECUTE FUNCTION tally_person()"),
    "tally_household_change": (
        "AFTER INSERT OR DELETE OR UPDATE OF area_id, dissolved_on ON household "
        "FOR EACH ROW EXECUTE FUNCTION tally_household()"),
    "tally_tag_change": (
        "AFTER INSERT OR DELETE OR UPDATE OF end_date, person_id, tag_kind_id ON person_tag "
        "FOR EACH ROW EXECUTE FUNCTION tally_tag()"),
}

FILL = [
    "DELETE FROM household_tally",
    "DELETE FROM resident_tally",
    "DELETE FROM tag_tally",
    "INSERT INTO household_tally (area_id, households) "
    "SELECT area_id, count(*) FROM household WHERE dissolved_on IS NULL GROUP BY area_id",
    "INSERT INTO resident_tally (area_id, category, residents) "
    "SELECT h.area_id, COALESCE(p.category, ''), count(*) FROM person p JOIN household h ON h.id = p.household_id "
    f"WHERE p.status = {ACTIVE} GROUP BY h.area_id, COALESCE(p.category, '')",
    "INSERT INTO tag_tally (area_id, tag_kind_id, holders) "
    "SELECT h.area_id, t.tag_kind_id, count(*) FROM person_tag t JOIN person p ON p.id = t.person_id "
    f"JOIN household h ON h.id = p.household_id WHERE p.status = {ACTIVE} AND t.end_date IS NULL "
    "GROUP BY h.area_id, t.tag_kind_id",
]


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        'household_tally',
        sa.Column('area_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('households', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('area_id', name=op.f('pk_household_tally')),
    )
    op.create_table(
        'resident_tally',
        sa.Column('area_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('category', sa.String(length=2), nullable=False),
        sa.Column('residents', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('area_id', 'category', name=op.f('pk_resident_tally')),
    )
    op.create_table(
        'tag_tally',
        sa.Column('area_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('tag_kind_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('holders', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('area_id', 'tag_kind_id', name=op.f('pk_tag_tally')),
    )
    op.create_table(
        'household_tally_delta',
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
        sa.Column('area_id', sa.Integer(), nullable=False),
        sa.Column('households', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_household_tally_delta')),
    )
    op.create_table(
        'resident_tally_delta',
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
        sa.Column('area_id', sa.Integer(), nullable=False),
        sa.Column('category', sa.String(length=2), nullable=False),
        sa.Column('residents', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_resident_tally_delta')),
    )
    op.create_table(
        'tag_tally_delta',
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
        sa.Column('area_id', sa.Integer(), nullable=False),
        sa.Column('tag_kind_id', sa.Integer(), nullable=False),
        sa.Column('holders', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_tag_tally_delta')),
    )
    if op.get_bind().dialect.name == "postgresql":
        for sql in POSTGRES_FUNCTIONS.values():
            op.execute(sql)
        for name, body in POSTGRES_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {body}")
    else:
        for name, body in SQLITE_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {body}")
    for sql in FILL:
        op.execute(sql)
    # the monthly report reads only households registered or dissolved lately
    with op.batch_alter_table('household', schema=None) as batch_op:
        batch_op.create_index('ix_household_registered', ['registered_on', 'dissolved_on', 'area_id'], unique=False)
        batch_op.create_index('ix_household_dissolved', ['dissolved_on', 'area_id', 'registered_on'], unique=False,
                              sqlite_where=sa.text('dissolved_on IS NOT NULL'),
                              postgresql_where=sa.text('dissolved_on IS NOT NULL'))
    with op.batch_alter_table('person_tag', schema=None) as batch_op:
        batch_op.create_index('ix_person_tag_end_start', ['end_date', 'start_date', 'tag_kind_id', 'person_id'],
                                unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS tally_person_change ON person")
        op.execute("DROP TRIGGER IF EXISTS tally_household_change ON household")
        op.execute("DROP TRIGGER IF EXISTS tally_tag_change ON person_tag")
        for name in POSTGRES_FUNCTIONS:
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")
    else:
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    with op.batch_alter_table('person_tag', schema=None) as batch_op:
        batch_op.drop_index('ix_person_tag_end_start')
    with op.batch_alter_table('household', schema=None) as batch_op:
        batch_op.drop_index('ix_household_dissolved')
        batch_op.drop_index('ix_household_registered')
    op.drop_table('tag_tally_delta')
    op.drop_table('resident_tally_delta')
    op.drop_table('household_tally_delta')
    op.drop_table('tag_tally')
    op.drop_table('resident_tally')
    op.drop_table('household_tally')
