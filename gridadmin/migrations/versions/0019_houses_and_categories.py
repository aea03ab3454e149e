"""houses (实有房屋), people without a 户, the 实有人口 categories

Revision ID: 0019
Revises: 0015
Create Date: 2026-12-07 19:00:00.000000

- ``house``: the standard addresses people live at (one per address key
  and area: a unique index), with 用途 and the 出租房 fields.
- ``person.house_id`` (现住房屋) and ``person_event.from_house_id`` /
  ``to_house_id`` (dated 住所变更 events, the effective-date mechanism of
  0013). 流动人口, 境外人员 and 未落户人口 need no 户: a person without a
  household counts in their house's area.
- The count triggers of 0008 are replaced so a person counts in their
  household's area, or without one in their house's (SQLite and
  PostgreSQL); a house moved to another area takes those people along.
- Categories: 户籍人口/流动人口/境外人员/未落户人口 (new code 5). 常住人口
  (code 2) is retired. The demo and the imports used it for people living
  here with their 户口 elsewhere (人在户不在): those become 流动人口. A 常住
  record whose 人户状态 says the 户口 is here (人户同在, 户在人不在) becomes
  户籍人口. Every mapped person gets an audit row (username ``system``,
  summary ``升级：人口类别…``): the list of what the upgrade mapped.
"""
from datetime import datetime
from importlib.util import module_from_spec, spec_from_file_location
from pathlib import Path
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision: str = '0019'
down_revision: Union[str, Sequence[str], None] = '0018'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

ACTIVE = "'在册'"


def _area(row: str) -> str:
    """SQL: the area a person row counts in (household's, else house's)."""
    return (f"COALESCE((SELECT area_id FROM household WHERE id = {row}.household_id), "
            f"(SELECT area_id FROM house WHERE id = {row}.house_id))")


# --- SQLite ---------------------------------------------------------------------------------

_SQLITE_PERSON_ADD = f"""
    INSERT INTO resident_tally (area_id, category, residents)
    SELECT x.a, COALESCE(NEW.category, ''), 1 FROM (SELECT {_area('NEW')} AS a) x
    WHERE x.a IS NOT NULL AND NEW.status = {ACTIVE}
    ON CONFLICT (area_id, category) DO UPDATE SET residents = residents + 1;"""

_SQLITE_PERSON_REMOVE = f"""
    UPDATE resident_tally SET residents = residents - 1
    WHERE OLD.status = {ACTIVE} AND category = COALESCE(OLD.category, '') AND area_id = {_area('OLD')};"""

_SQLITE_TAGS_OF_PERSON_REMOVE = f"""
    UPDATE tag_tally SET holders = holders - (
        SELECT count(*) FROM person_tag t WHERE t.person_id = OLD.id AND t.end_date IS NULL
          AND t.tag_kind_id = tag_tally.tag_kind_id)
    WHERE OLD.status = {ACTIVE} AND area_id = {_area('OLD')};"""

_SQLITE_TAGS_OF_PERSON_ADD = f"""
    INSERT INTO tag_tally (area_id, tag_kind_id, holders)
    SELECT x.a, t.tag_kind_id, count(*) FROM person_tag t, (SELECT {_area('NEW')} AS a) x
    WHERE t.person_id = NEW.id AND t.end_date IS NULL AND NEW.status = {ACTIVE} AND x.a IS NOT NULL
    GROUP BY x.a, t.tag_kind_id
    ON CONFLICT (area_id, tag_kind_id) DO UPDATE SET holders = holders + excluded.holders;"""

_PERSON_AREA_JOIN = ("FROM person p LEFT JOIN household h ON h.id = p.household_id "
                     "LEFT JOIN house hs ON hs.id = p.house_id")

_SQLITE_TAG_ADD = f"""
    INSERT INTO tag_tally (area_id, tag_kind_id, holders)
    SELECT COALESCE(h.area_id, hs.area_id), NEW.tag_kind_id, 1 {_PERSON_AREA_JOIN}
    WHERE p.id = NEW.person_id AND p.status = {ACTIVE} AND NEW.end_date IS NULL
      AND COALESCE(h.area_id, hs.area_id) IS NOT NULL
    ON CONFLICT (area_id, tag_kind_id) DO UPDATE SET holders = holders + 1;"""

_SQLITE_TAG_REMOVE = f"""
    UPDATE tag_tally SET holders = holders - 1
    WHERE OLD.end_date IS NULL AND tag_kind_id = OLD.tag_kind_id AND area_id = (
        SELECT COALESCE(h.area_id, hs.area_id) {_PERSON_AREA_JOIN}
        WHERE p.id = OLD.person_id AND p.status = {ACTIVE});"""

# people without a household move with their house
_SQLITE_HOUSE_MOVE = f"""
    UPDATE resident_tally SET residents = residents - (
        SELECT count(*) FROM person p WHERE p.house_id = NEW.id AND p.household_id IS NULL
          AND p.status = {ACTIVE} AND COALESCE(p.category, '') = resident_tally.category)
    WHERE area_id = OLD.area_id;
    INSERT INTO resident_tally (area_id, category, residents)
    SELECT NEW.area_id, COALESCE(p.category, ''), count(*) FROM person p
    WHERE p.house_id = NEW.id AND p.household_id IS NULL AND p.status = {ACTIVE}
    GROUP BY COALESCE(p.category, '')
    ON CONFLICT (area_id, category) DO UPDATE SET residents = residents + excluded.residents;
    UPDATE tag_tally SET holders = holders - (
        SELECT count(*) FROM person_tag t JOIN person p ON p.id = t.person_id
        WHERE p.house_id = NEW.id AND p.household_id IS NULL AND p.status = {ACTIVE} AND t.end_date IS NULL
          AND t.tag_kind_id = tag_tally.tag_kind_id)
    WHERE area_id = OLD.area_id;
    INSERT INTO tag_tally (area_id, tag_kind_id, holders)
    SELECT NEW.area_id, t.tag_kind_id, count(*) FROM person_tag t JOIN person p ON p.id = t.person_id
    WHERE p.house_id = NEW.id AND p.household_id IS NULL AND p.status = {ACTIVE} AND t.end_date IS NULL
    GROUP BY t.tag_kind_id
    ON CONFLICT (area_id, tag_kind_id) DO UPDATE SET holders = holders + excluded.holders;"""

SQLITE_TRIGGERS = {
    "tally_person_insert": f"AFTER INSERT ON person BEGIN{_SQLITE_PERSON_ADD}\nEND",
    "tally_person_delete": f"AFTER DELETE ON person BEGIN{_SQLITE_PERSON_REMOVE}\nEND",
    "tally_person_update": (
        "AFTER UPDATE OF status, household_id, house_id, category ON person "
        "WHEN OLD.status IS NOT NEW.status OR OLD.household_id IS NOT NEW.household_id "
        "OR OLD.house_id IS NOT NEW.house_id "
        f"OR OLD.category IS NOT NEW.category BEGIN{_SQLITE_PERSON_REMOVE}{_SQLITE_PERSON_ADD}"
        f"{_SQLITE_TAGS_OF_PERSON_REMOVE}{_SQLITE_TAGS_OF_PERSON_ADD}\nEND"),
    "tally_tag_insert": f"AFTER INSERT ON person_tag BEGIN{_SQLITE_TAG_ADD}\nEND",
    "tally_tag_delete": f"AFTER DELETE ON person_tag BEGIN{_SQLITE_TAG_REMOVE}\nEND",
    "tally_tag_update": (
        "AFTER UPDATE OF end_date, person_id, tag_kind_id ON person_tag "
        "WHEN (OLD.end_date IS NULL) <> (NEW.end_date IS NULL) OR OLD.person_id <> NEW.person_id "
        f"OR OLD.tag_kind_id <> NEW.tag_kind_id BEGIN{_SQLITE_TAG_REMOVE}{_SQLITE_TAG_ADD}\nEND"),
    "tally_house_update": (
        f"AFTER UPDATE OF area_id ON house WHEN OLD.area_id <> NEW.area_id BEGIN{_SQLITE_HOUSE_MOVE}\nEND"),
}

# --- PostgreSQL (signed rows into the *_delta tables, as in 0008) -------------------------------

_PG_AREA_OLD = _area("OLD")
_PG_AREA_NEW = _area("NEW")

POSTGRES_FUNCTIONS = {
    "tally_person": f"""
CREATE OR REPLACE FUNCTION tally_person() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    old_area integer;
    new_area integer;
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        old_area := {_PG_AREA_OLD};
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        new_area := {_PG_AREA_NEW};
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status = {ACTIVE} AND old_area IS NOT NULL THEN
        INSERT INTO resident_tally_delta (area_id, category, residents)
        VALUES (old_area, COALESCE(OLD.category, ''), -1);
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') AND NEW.status = {ACTIVE} AND new_area IS NOT NULL THEN
        INSERT INTO resident_tally_delta (area_id, category, residents)
        VALUES (new_area, COALESCE(NEW.category, ''), 1);
    END IF;
    IF TG_OP = 'UPDATE' AND (OLD.status IS DISTINCT FROM NEW.status
                             OR old_area IS DISTINCT FROM new_area) THEN
        IF OLD.status = {ACTIVE} AND old_area IS NOT NULL THEN
            INSERT INTO tag_tally_delta (area_id, tag_kind_id, holders)
            SELECT old_area, t.tag_kind_id, -count(*) FROM person_tag t
            WHERE t.person_id = OLD.id AND t.end_date IS NULL GROUP BY t.tag_kind_id;
        END IF;
        IF NEW.status = {ACTIVE} AND new_area IS NOT NULL THEN
            INSERT INTO tag_tally_delta (area_id, tag_kind_id, holders)
            SELECT new_area, t.tag_kind_id, count(*) FROM person_tag t
            WHERE t.person_id = NEW.id AND t.end_date IS NULL GROUP BY t.tag_kind_id;
        END IF;
    END IF;
    RETURN NULL;
END $$""",
    "tally_tag": f"""
CREATE OR REPLACE FUNCTION tally_tag() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.end_date IS NULL THEN
        INSERT INTO tag_tally_delta (area_id, tag_kind_id, holders)
        SELECT COALESCE(h.area_id, hs.area_id), OLD.tag_kind_id, -1 {_PERSON_AREA_JOIN}
        WHERE p.id = OLD.person_id AND p.status = {ACTIVE} AND COALESCE(h.area_id, hs.area_id) IS NOT NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') AND NEW.end_date IS NULL THEN
        INSERT INTO tag_tally_delta (area_id, tag_kind_id, holders)
        SELECT COALESCE(h.area_id, hs.area_id), NEW.tag_kind_id, 1 {_PERSON_AREA_JOIN}
        WHERE p.id = NEW.person_id AND p.status = {ACTIVE} AND COALESCE(h.area_id, hs.area_id) IS NOT NULL;
    END IF;
    RETURN NULL;
END $$""",
    "tally_house": f"""
CREATE OR REPLACE FUNCTION tally_house() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.area_id <> NEW.area_id THEN
        INSERT INTO resident_tally_delta (area_id, category, residents)
        SELECT a.area_id, COALESCE(p.category, ''), a.sign * count(*)
        FROM person p, (VALUES (OLD.area_id, -1), (NEW.area_id, 1)) AS a (area_id, sign)
        WHERE p.house_id = NEW.id AND p.household_id IS NULL AND p.status = {ACTIVE}
        GROUP BY a.area_id, a.sign, COALESCE(p.category, '');
        INSERT INTO tag_tally_delta (area_id, tag_kind_id, holders)
        SELECT a.area_id, t.tag_kind_id, a.sign * count(*)
        FROM person_tag t JOIN person p ON p.id = t.person_id,
             (VALUES (OLD.area_id, -1), (NEW.area_id, 1)) AS a (area_id, sign)
        WHERE p.house_id = NEW.id AND p.household_id IS NULL AND p.status = {ACTIVE} AND t.end_date IS NULL
        GROUP BY a.area_id, a.sign, t.tag_kind_id;
    END IF;
    RETURN NULL;
END $$""",
}

POSTGRES_TRIGGERS = {
    "tally_person_change": (
        "person", "AFTER INSERT OR DELETE OR UPDATE OF status, household_id, house_id, category ON person "
        "FOR EACH ROW EXECUTE FUNCTION tally_person()"),
    "tally_house_change": (
        "house", "AFTER UPDATE OF area_id ON house FOR EACH ROW EXECUTE FUNCTION tally_house()"),
}

FILL = [
    "DELETE FROM resident_tally_delta",
    "DELETE FROM tag_tally_delta",
    "DELETE FROM resident_tally",
    "DELETE FROM tag_tally",
    "INSERT INTO resident_tally (area_id, category, residents) "
    "SELECT COALESCE(h.area_id, hs.area_id), COALESCE(p.category, ''), count(*) " + _PERSON_AREA_JOIN
    + f" WHERE p.status = {ACTIVE} AND COALESCE(h.area_id, hs.area_id) IS NOT NULL "
    "GROUP BY COALESCE(h.area_id, hs.area_id), COALESCE(p.category, '')",
    "INSERT INTO tag_tally (area_id, tag_kind_id, holders) "
    "SELECT COALESCE(h.area_id, hs.area_id), t.tag_kind_id, count(*) FROM person_tag t "
    "JOIN person p ON p.id = t.person_id LEFT JOIN household h ON h.id = p.household_id "
    f"LEFT JOIN house hs ON hs.id = p.house_id WHERE p.status = {ACTIVE} AND t.end_date IS NULL "
    "AND COALESCE(h.area_id, hs.area_id) IS NOT NULL GROUP BY COALESCE(h.area_id, hs.area_id), t.tag_kind_id",
]

# 常住人口 (2) → 户籍人口 (1) when the 户口 is here, else 流动人口 (3)
_HUKOU_HERE = "COALESCE(residence_status, '') IN ('1', '2')"
CATEGORY_MAP = (
    ("1", "户籍人口", _HUKOU_HERE),
    ("3", "流动人口", f"NOT ({_HUKOU_HERE})"),
)


def _old_tallies():
    spec = spec_from_file_location("tallies_0008", Path(__file__).with_name("0008_register_tallies.py"))
    module = module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _map_categories(now: datetime) -> None:
    for code, label, condition in CATEGORY_MAP:
        changes = '{"category": ["2", "%s"]}' % code
        op.execute(sa.text(
            "INSERT INTO audit_log (at, username, action, entity, entity_id, changes, summary) "
            "SELECT :now, 'system', 'update', 'person', id, :changes, "
            f"'升级：人口类别“常住人口”改为“{label}”：' || name FROM person "
            f"WHERE category = '2' AND {condition}").bindparams(now=now, changes=changes))
        op.execute(f"UPDATE person SET category = '{code}', version = version + 1 "
                   f"WHERE category = '2' AND {condition}")


def _codes(yes, no) -> None:
    op.execute(sa.text("UPDATE code_item SET active = :no, label = '常住人口（已停用）' "
                       "WHERE list_key = 'resident_category' AND code = '2'").bindparams(no=no))
    op.execute("DELETE FROM code_alias WHERE list_key = 'resident_category' AND code = '2'")
    op.execute(sa.text(
        "INSERT INTO code_item (list_key, code, label, sort_order, builtin, active) "
        "SELECT 'resident_category', '5', '未落户人口', 4, :yes, :yes "
        "WHERE EXISTS (SELECT 1 FROM code_item WHERE list_key = 'resident_category') "
        "AND NOT EXISTS (SELECT 1 FROM code_item WHERE list_key = 'resident_category' AND code = '5')")
        .bindparams(yes=yes))
    for alias in ("未落户", "无户口人员", "未落户人员"):
        op.execute(sa.text(
            "INSERT INTO code_alias (list_key, alias, code) SELECT 'resident_category', :alias, '5' "
            "WHERE EXISTS (SELECT 1 FROM code_item WHERE list_key = 'resident_category' AND code = '5') "
            "AND NOT EXISTS (SELECT 1 FROM code_alias WHERE list_key = 'resident_category' AND alias = :alias)")
            .bindparams(alias=alias))


def upgrade() -> None:
    op.create_table(
        'house',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('house_no', sa.String(length=30), nullable=False),
        sa.Column('area_id', sa.Integer(), nullable=False),
        sa.Column('compound', sa.String(length=60), nullable=True),
        sa.Column('building', sa.String(length=20), nullable=True),
        sa.Column('unit', sa.String(length=20), nullable=True),
        sa.Column('room', sa.String(length=20), nullable=True),
        sa.Column('village_group', sa.String(length=40), nullable=True),
        sa.Column('door_no', sa.String(length=20), nullable=True),
        sa.Column('address', sa.String(length=200), nullable=False),
        sa.Column('address_key', sa.String(length=200), nullable=False),
        sa.Column('purpose', sa.String(length=4), nullable=False),
        sa.Column('owner', sa.String(length=50), nullable=True),
        sa.Column('landlord', sa.String(length=50), nullable=True),
        sa.Column('landlord_pinyin', sa.String(length=120), nullable=True),
        sa.Column('landlord_initials', sa.String(length=20), nullable=True),
        sa.Column('landlord_phone', sa.String(length=20), nullable=True),
        sa.Column('rooms_let', sa.Integer(), nullable=True),
        sa.Column('occupancy_limit', sa.Integer(), nullable=True),
        sa.Column('hazard_note', sa.Text(), nullable=True),
        sa.Column('registered_on', sa.Date(), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
        sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
        sa.ForeignKeyConstraint(['area_id'], ['area.id'], name=op.f('fk_house_area_id_area')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_house')),
        sa.UniqueConstraint('house_no', name=op.f('uq_house_house_no')),
    )
    with op.batch_alter_table('house', schema=None) as batch_op:
        batch_op.create_index('uq_house_area_address', ['area_id', 'address_key'], unique=True)
        batch_op.create_index('ix_house_area_purpose', ['area_id', 'purpose', 'address'], unique=False)
        batch_op.create_index('ix_house_purpose_address', ['purpose', 'address'], unique=False)
        batch_op.create_index(batch_op.f('ix_house_address'), ['address'], unique=False)
        batch_op.create_index(batch_op.f('ix_house_area_id'), ['area_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_house_landlord_pinyin'), ['landlord_pinyin'], unique=False)
        batch_op.create_index(batch_op.f('ix_house_landlord_initials'), ['landlord_initials'], unique=False)
    # Plain ADD COLUMN (no rebuild of person/person_event on SQLite: rows and triggers stay).
    for table, column in (("person", "house_id"), ("person_event", "from_house_id"),
                          ("person_event", "to_house_id")):
        fk = f"fk_{table}_{column}_house"
        if op.get_bind().dialect.name == "postgresql":
            op.add_column(table, sa.Column(column, sa.Integer(), nullable=True))
            op.create_foreign_key(fk, table, "house", [column], ["id"])
        else:
            op.execute(f"ALTER TABLE {table} ADD COLUMN {column} INTEGER CONSTRAINT {fk} REFERENCES house (id)")
    op.create_index('ix_person_house_status', 'person', ['house_id', 'status'], unique=False)
    op.create_index('ix_person_event_to_house_id', 'person_event', ['to_house_id'], unique=False)
    op.create_index('ix_person_event_from_house_id', 'person_event', ['from_house_id'], unique=False)

    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        for sql in POSTGRES_FUNCTIONS.values():
            op.execute(sql)
        for name, (table, body) in POSTGRES_TRIGGERS.items():
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            op.execute(f"CREATE TRIGGER {name} {body}")
    else:
        for name, body in SQLITE_TRIGGERS.items():
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
            op.execute(f"CREATE TRIGGER {name} {body}")
    for sql in FILL:
        op.execute(sql)
    _map_categories(datetime.now().replace(microsecond=0))
    _codes(True, False)


def downgrade() -> None:
    old = _old_tallies()
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS tally_house_change ON house")
        op.execute("DROP FUNCTION IF EXISTS tally_house()")
    for name in SQLITE_TRIGGERS if bind.dialect.name != "postgresql" else ():
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_index('ix_person_event_from_house_id', table_name='person_event')
    op.drop_index('ix_person_event_to_house_id', table_name='person_event')
    op.drop_index('ix_person_house_status', table_name='person')
    with op.batch_alter_table('person_event') as batch:
        batch.drop_column('to_house_id')
        batch.drop_column('from_house_id')
    with op.batch_alter_table('person') as batch:
        batch.drop_column('house_id')
    op.drop_table('house')
    # the 0008 triggers again (after the rebuilds above, which drop a table's triggers on SQLite)
    if bind.dialect.name == "postgresql":
        for sql in old.POSTGRES_FUNCTIONS.values():
            op.execute(sql)
        op.execute("DROP TRIGGER IF EXISTS tally_person_change ON person")
        op.execute(f"CREATE TRIGGER tally_person_change {old.POSTGRES_TRIGGERS['tally_person_change']}")
    else:
        for name, body in old.SQLITE_TRIGGERS.items():
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
            op.execute(f"CREATE TRIGGER {name} {body}")
    for sql in old.FILL:
        op.execute(sql)
