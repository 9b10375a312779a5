"""Reading the post directory (岗位名录): the one query behind the public list, the API and the back office."""

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


def find_unit(text: str) -> Unit | None:
    """The unit a person names by its code (any case) or its full name, as Open311's ``address_string`` does."""
    text = (text or "").strip()[:100]
    if not text:
        return None
    return db.session.scalar(select(Unit).where(or_(Unit.code == text.upper(), Unit.name == text)).limit(1))
