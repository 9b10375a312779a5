"""Reading the post directory (岗位名录): the one query behind the public list, the API and the back office, and the
posts and units the back office's pickers find by name."""

from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import aliased, contains_eager

from rating.extensions import db
from rating.models.posts import Holder, Post, Tenure
from rating.models.units import Unit


@lru_cache(maxsize=512)
def posts_query(
    q: str = "", unit_code: str = "", include_inactive: bool = False, unit_id: int | None = None, with_desks=False
) -> Select:
    """Posts with their unit and current holder loaded in the same query, ordered by post code; stations' rating
    desks only ``with_desks`` (the rating codes page: a station's cards are printed like a post's).

    ``q`` matches the holder's name, the post title or code, the unit name or any responsibility line.
    Statements are immutable, so the built statement is memoised: building it costs more than running it.
    """
    tenure, holder = aliased(Tenure), aliased(Holder)
    stmt = (
        select(Post)
        .join(Post.unit)
        .outerjoin(tenure, Post.current_tenure.of_type(tenure))
        .outerjoin(holder, tenure.holder.of_type(holder))
        .options(
            contains_eager(Post.unit),
            contains_eager(Post.current_tenure.of_type(tenure)).contains_eager(tenure.holder.of_type(holder)),
        )
        .order_by(Post.code)
    )
    if not with_desks:  # stations' rating desks are not key posts: the directory lists stations on their own
        stmt = stmt.where(Post.rates_unit.is_(False))
    if not include_inactive:
        stmt = stmt.where(Post.active.is_(True))
    if unit_code:
        stmt = stmt.where(Unit.code == unit_code)
    if unit_id is not None:
        stmt = stmt.where(Post.unit_id == unit_id)
    for word in q.split()[:5]:
        stmt = stmt.where(
            or_(
                holder.name.icontains(word, autoescape=True),
                Post.title.icontains(word, autoescape=True),
                Post.code.icontains(word, autoescape=True),
                Unit.name.icontains(word, autoescape=True),
                Post.responsibilities.icontains(word, autoescape=True),
            )
        )
    return stmt


def units_with_posts() -> Select:
    """Units that have at least one active post, for the directory's unit filter."""
    return (
        select(Unit)
        .where(Unit.id.in_(select(Post.unit_id).where(Post.active.is_(True), Post.rates_unit.is_(False))))
        .order_by(Unit.kind, Unit.code)
    )


def stations() -> Select:
    """Grassroots stations citizens can rate (those with an active rating desk), by code."""
    return (
        select(Unit)
        .where(Unit.id.in_(select(Post.unit_id).where(Post.active.is_(True), Post.rates_unit.is_(True))))
        .order_by(Unit.code)
    )


@dataclass(frozen=True)
class Target:
    """A post or unit offered by the back office's pickers (phone intake, inspection findings)."""

    code: str
    #: What the picker shows and a suggestion fills in: the code first ("DT-001 婚姻登记窗口岗 · 市民政局"), so the
    #: text goes back in as the code (``resolve_target`` reads the first word).
    label: str


#: Suggestions offered for one search.
TARGET_LIMIT = 12


def find_targets(text: str, *, posts: bool = True, units: bool = False, limit: int = TARGET_LIMIT) -> list[Target]:
    """Active key posts and units whose code or name holds every word typed (婚姻登记 finds the marriage
    registration post; 民政 its unit and posts): posts by code, then units by code."""
    words = text.split()[:5]
    if not words:
        return []
    found = []
    if posts:
        stmt = (
            select(Post.code, Post.title, Unit.name)
            .join(Post.unit)
            .where(Post.active.is_(True), Post.rates_unit.is_(False))
            .order_by(Post.code)
            .limit(limit)
        )
        for word in words:
            stmt = stmt.where(
                or_(
                    Post.code.icontains(word, autoescape=True),
                    Post.title.icontains(word, autoescape=True),
                    Unit.name.icontains(word, autoescape=True),
                )
            )
        found += [Target(code, f"{code} {title} · {unit}") for code, title, unit in db.session.execute(stmt)]
    if units and len(found) < limit:
        stmt = select(Unit.code, Unit.name).order_by(Unit.code).limit(limit - len(found))
        for word in words:
            stmt = stmt.where(
                or_(Unit.code.icontains(word, autoescape=True), Unit.name.icontains(word, autoescape=True))
            )
        found += [Target(code, f"{code} {name}") for code, name in db.session.execute(stmt)]
    return found


def resolve_target(text: str, *, posts: bool = True, units: bool = False) -> tuple[str | None, list[Target]]:
    """What a picker's text names: the code when its first word is the code of a post (or of a unit, with
    ``units``), else None and the posts and units it finds by name for the user to choose from."""
    words = text.split()
    if not words:
        return None, []
    code = words[0].upper()
    if posts and db.session.scalar(select(Post.id).where(Post.code == code)):
        return code, []
    if units and db.session.scalar(select(Unit.id).where(Unit.code == code)):
        return code, []
    return None, find_targets(text, posts=posts, units=units)


def find_unit(text: str) -> Unit | None:
    """The unit a person names by its code (any case) or its full name, as Open311's ``address_string`` does."""
    text = (text or "").strip()[:100]
    if not text:
        return None
    return db.session.scalar(select(Unit).where(or_(Unit.code == text.upper(), Unit.name == text)).limit(1))
