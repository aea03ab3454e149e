"""The township's own staffing rules (网格配备规则).

The "1+3+N" posts (网格长, 专职网格员, 兼职网格员, 网格指导员 + N) are one
county's pattern; most townships have no 专职网格员 and run their grids with
兼职 workers or village cadres. So the township says:

- which posts exist (``posts``: codes of the 网格岗位 code list; the
  staffing view shows those of the four core posts as columns and counts a
  post as vacant only when it exists);
- which post is a grid's responsible worker (``responsible``: 专职网格员 by
  default, or 兼职网格员 / 网格长);
- whether every grid must have one (``required``); a 专属网格 without
  households is never flagged for lacking one;
- the households per responsible worker that apply (``min_households`` –
  ``max_households``, either may be None = not checked): 300–500 by
  default where 专职 staffing is the policy, none by default otherwise.

Stored as settings (one key each); absent keys give the defaults above, so
a database from before this setting behaves as the fixed rule did. The
dashboard, the staffing view (``staffing``) and the monthly report compare
with :func:`staffing_rule`; :meth:`StaffingRule.note` is the one verdict.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridadmin.models import Setting
from gridadmin.models.staff import CORE_ROLES, ROLE_FULLTIME, ROLE_LEADER, ROLE_PARTTIME
from gridadmin.services.common.code_seed import STAFF_ROLE
from gridadmin.services.common.codes import CodeBook
from gridadmin.services.common.errors import ValidationError
from gridadmin.services.common.settings import apply_settings

RESPONSIBLE_CHOICES = (ROLE_FULLTIME, ROLE_PARTTIME, ROLE_LEADER)
DEFAULT_RANGE = (300, 500)  # where 专职 staffing is the policy
MAX_HOUSEHOLDS_LIMIT = 5000
RURAL_GRID = "农村网格"
SPECIAL_GRID = "专属网格"

KEY_POSTS = "staffing_posts"
KEY_RESPONSIBLE = "staffing_responsible"
KEY_REQUIRED = "staffing_required"
KEY_MIN = "staffing_min_households"
KEY_MAX = "staffing_max_households"
KEYS = (KEY_POSTS, KEY_RESPONSIBLE, KEY_REQUIRED, KEY_MIN, KEY_MAX)

FIELD_POSTS, FIELD_RESPONSIBLE, FIELD_REQUIRED = "设置的岗位", "网格责任人岗位", "每个网格必须配备"
FIELD_MIN, FIELD_MAX = "每人服务户数下限", "每人服务户数上限"


@dataclass(frozen=True)
class StaffingRule:
    """One township's staffing rule (see the module docstring).
    ``responsible_label``: the post's name as the code list has it."""

    posts: tuple[str, ...] = CORE_ROLES
    responsible: str = ROLE_FULLTIME
    required: bool = True
    min_households: int | None = DEFAULT_RANGE[0]
    max_households: int | None = DEFAULT_RANGE[1]
    responsible_label: str = "专职网格员"

    @property
    def core_posts(self) -> tuple[str, ...]:
        """The core posts (``CORE_ROLES`` order) that exist here."""
        return tuple(r for r in CORE_ROLES if r in self.posts)

    @property
    def range_text(self) -> str:
        """300–500 户, ≤500 户, ≥300 户 or 不检查."""
        low, high = self.min_households, self.max_households
        if low and high:
            return f"{low}–{high} 户"
        if high:
            return f"不超过 {high} 户"
        return f"不少于 {low} 户" if low else "不检查"

    def lacks(self, households: int, responsible: int, grid_type: str | None) -> bool:
        """A grid without its responsible worker, where the rule wants one
        (a 专属网格 with no households is not flagged)."""
        if responsible or not self.required:
            return False
        return not (grid_type == SPECIAL_GRID and not households)

    def over(self, households: int, responsible: int) -> bool:
        """Each responsible worker serves more than the maximum."""
        return bool(responsible and self.max_households and households / responsible > self.max_households)

    def under(self, households: int, responsible: int, grid_type: str | None) -> bool:
        """Each serves fewer than the minimum (a rural or special grid is
        only judged when too big; a grid without households is not judged)."""
        return bool(responsible and households and self.min_households
                    and grid_type not in (RURAL_GRID, SPECIAL_GRID)
                    and households / responsible < self.min_households)

    def note(self, households: int, responsible: int, grid_type: str | None) -> str:
        """The verdict on one grid: '' when fine or not judged."""
        if self.lacks(households, responsible, grid_type):
            return f"无{self.responsible_label}"
        per = households / responsible if responsible else 0
        if self.over(households, responsible):
            return f"每名{self.responsible_label} {per:.0f} 户，超过 {self.max_households} 户"
        if self.under(households, responsible, grid_type):
            return f"每名{self.responsible_label} {per:.0f} 户，少于 {self.min_households} 户"
        return ""

    def to_dict(self) -> dict:
        return {"posts": list(self.posts), "responsible": self.responsible, "responsible_label": self.responsible_label,
                "required": self.required, "min_households": self.min_households,
                "max_households": self.max_households}


def default_range(responsible: str) -> tuple[int | None, int | None]:
    """300–500 where the responsible post is 专职网格员, else not checked."""
    return DEFAULT_RANGE if responsible == ROLE_FULLTIME else (None, None)


def _int_or_none(text: str | None) -> int | None:
    try:
        return int(text) if text not in (None, "") else None
    except ValueError:
        return None


def staffing_rule_in(session: Session, book: CodeBook | None = None) -> StaffingRule:
    """The township's rule, read in ``session`` (one query for the settings)."""
    book = book or CodeBook.load(session)
    stored = dict(session.execute(select(Setting.key, Setting.value).where(Setting.key.in_(KEYS))).all())
    known = {code for code, _label in book.items("staff_role")}
    posts = tuple(p for p in (stored.get(KEY_POSTS) or "").split(",") if p in known) or CORE_ROLES
    responsible = stored.get(KEY_RESPONSIBLE) or ROLE_FULLTIME
    if responsible not in RESPONSIBLE_CHOICES:
        responsible = ROLE_FULLTIME
    required = stored.get(KEY_REQUIRED) != "0"
    low, high = default_range(responsible)
    if stored.get(KEY_MIN) is not None or stored.get(KEY_MAX) is not None:  # "" = not checked
        low, high = _int_or_none(stored.get(KEY_MIN)), _int_or_none(stored.get(KEY_MAX))
    return StaffingRule(posts, responsible, required, low, high, _label(book, responsible))


def _label(book: CodeBook, role: str) -> str:
    """The post's label; the built-in one when the code list lacks it."""
    label = book.label("staff_role", role)
    return label if label != role else next((name for code, name, _s in STAFF_ROLE if code == role), role)


def staffing_rule(db) -> StaffingRule:
    """The township's rule (defaults when never set)."""
    with db.session() as session:
        return staffing_rule_in(session)


def check_rule(session: Session, rule: StaffingRule) -> StaffingRule:
    """``rule`` checked against the code list (``ValidationError`` naming
    the field and the value), with the responsible post's label filled in."""
    book = CodeBook.load(session)
    labels = dict(book.items("staff_role"))
    if rule.responsible not in RESPONSIBLE_CHOICES:
        choices = "、".join(labels.get(r, r) for r in RESPONSIBLE_CHOICES)
        raise ValidationError(f"{FIELD_RESPONSIBLE}“{labels.get(rule.responsible, rule.responsible)}”无效，应为：{choices}。",
                              field=FIELD_RESPONSIBLE, value=labels.get(rule.responsible, rule.responsible))
    unknown = [p for p in rule.posts if p not in labels]
    if unknown:
        raise ValidationError(f"{FIELD_POSTS}中的“{unknown[0]}”不在网格岗位代码表中。", field=FIELD_POSTS,
                              value=unknown[0])
    if not rule.posts:
        raise ValidationError(f"{FIELD_POSTS}不能为空，至少要有网格责任人的岗位。", field=FIELD_POSTS, value="")
    if rule.responsible not in rule.posts:
        raise ValidationError(f"网格责任人岗位“{labels[rule.responsible]}”不在{FIELD_POSTS}中，请先设置该岗位。",
                              field=FIELD_RESPONSIBLE, value=labels[rule.responsible])
    for field, value in ((FIELD_MIN, rule.min_households), (FIELD_MAX, rule.max_households)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)
                                  or not 1 <= value <= MAX_HOUSEHOLDS_LIMIT):
            raise ValidationError(f"{field}“{value}”无效，应为 1–{MAX_HOUSEHOLDS_LIMIT} 的整数，或留空表示不检查。",
                                  field=field, value=value)
    if rule.min_households and rule.max_households and rule.min_households > rule.max_households:
        raise ValidationError(f"{FIELD_MIN}“{rule.min_households}”大于{FIELD_MAX}“{rule.max_households}”。",
                              field=FIELD_MIN, value=rule.min_households)
    posts = tuple(code for code in labels if code in rule.posts)  # code-list order, no repeats
    return replace(rule, posts=posts, responsible_label=labels[rule.responsible])


def save_staffing_rule(db, rule: StaffingRule) -> StaffingRule:
    """Save the township's rule (needs 修改系统设置), audited; returns it as stored."""
    from gridadmin.services.access import audit
    from gridadmin.services.access.permissions import MANAGE_SETTINGS, acting, require

    with db.session() as session:
        require(session, acting(db), MANAGE_SETTINGS)
        rule = check_rule(session, rule)
        new = {KEY_POSTS: ",".join(rule.posts), KEY_RESPONSIBLE: rule.responsible,
               KEY_REQUIRED: "1" if rule.required else "0",
               KEY_MIN: "" if rule.min_households is None else str(rule.min_households),
               KEY_MAX: "" if rule.max_households is None else str(rule.max_households)}
        changes = apply_settings(session, new)
        if changes:
            audit.record(session, acting(db), audit.ACTION_UPDATE, "setting", None, changes=changes,
                         summary=f"修改网格配备规则：责任人 {rule.responsible_label}，"
                                 f"{'必须配备' if rule.required else '不强制配备'}，每人 {rule.range_text}")
        return rule


def parse_households(text: str) -> tuple[int | None, int | None]:
    """"300-500" / "300–500" / "≤500" ("-500") / "300-" / "不检查" ("none", "") → (min, max);
    ``ValidationError`` naming the field and the value otherwise."""
    raw = (text or "").strip()
    if raw.lower() in ("", "none", "不检查", "无"):
        return None, None
    parts = raw.replace("–", "-").replace("—", "-").replace("~", "-").replace("～", "-").split("-")
    if len(parts) == 2 and all(p.strip() == "" or p.strip().isdigit() for p in parts) and any(p.strip() for p in parts):
        low, high = (int(p) if p.strip() else None for p in parts)
        return low, high
    raise ValidationError(f"每人服务户数“{raw}”无效，应写成 300-500、-500（只设上限）、300-（只设下限）或“不检查”。",
                          field="每人服务户数", value=raw)


def changed_rule(db, *, posts: list[str] | None = None, responsible: str | None = None,
                 required: bool | None = None, households: str | None = None) -> StaffingRule:
    """The township's rule with the typed changes applied (posts and the
    responsible post by name or code: 专职网格员, 专职, fulltime); not saved.
    Changing the responsible post without a range takes that post's default
    range (300–500 for 专职网格员, none otherwise)."""
    with db.session() as session:
        book = CodeBook.load(session)
        rule = staffing_rule_in(session, book)

        def code_of(text: str, field: str) -> str:
            code = text if text in dict(book.items("staff_role")) else book.lookup("staff_role", text)
            if code is None:
                names = "、".join(label for _code, label in book.items("staff_role"))
                raise ValidationError(f"{field}“{text}”不是网格岗位，可选：{names}。", field=field, value=text)
            return code

        if posts is not None:
            rule = replace(rule, posts=tuple(code_of(p.strip(), FIELD_POSTS) for p in posts if p.strip()))
        if responsible is not None:
            code = code_of(responsible.strip(), FIELD_RESPONSIBLE)
            if code != rule.responsible and households is None:
                low, high = default_range(code)
                rule = replace(rule, min_households=low, max_households=high)
            rule = replace(rule, responsible=code)
        if required is not None:
            rule = replace(rule, required=required)
        if households is not None:
            low, high = parse_households(households)
            rule = replace(rule, min_households=low, max_households=high)
        return check_rule(session, rule)


def post_choices(db) -> list[tuple[str, str]]:
    """``[(code, label), …]`` of the 网格岗位 code list, in display order."""
    with db.session() as session:
        return CodeBook.load(session).items("staff_role")
