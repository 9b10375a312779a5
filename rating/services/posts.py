"""Use cases on key posts and their holders: create, update, change holder, import a posts file."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from rating.clock import local_today
from rating.extensions import db
from rating.imports.posts import PostRow
from rating.imports.reader import ImportFailed, RowError
from rating.models.posts import Holder, Post, Tenure
from rating.models.units import Unit
from rating.services import audit
from rating.services.errors import InvalidInput
from rating.services.lookups import chunks
from rating.services.tenures import reattribute
from rating.services.units import upsert_unit


def current_tenure(post: Post) -> Tenure | None:
    return next((t for t in post.tenures if t.ended_on is None), None)


def snapshot(post: Post) -> dict:
    tenure = current_tenure(post)
    return {
        "code": post.code,
        "unit": post.unit.code if post.unit else None,
        "title": post.title,
        "responsibilities": post.responsibility_lines,
        "commitments": post.commitment_lines,
        "active": post.active,
        "holder": tenure.holder.name if tenure else None,
    }


def change_holder(actor: audit.Actor, post: Post, name: str, on: date, reason: str = "") -> Tenure:
    """调岗/任职: end the current tenure the day before ``on`` and start a new holder's tenure on ``on``. The post's
    ratings, complaints and findings dated from ``on`` count for the new holder (the transfer may be recorded
    late); results already written are not touched."""
    name = name.strip()
    if not name or len(name) > 50:
        raise InvalidInput(_("岗位责任人姓名须为 1–50 个字符"))
    current = current_tenure(post)
    if current is not None:
        if current.started_on is not None and on <= current.started_on:
            raise InvalidInput(_("新任职日期必须晚于现任责任人的任职日期 %(d)s", d=current.started_on.isoformat()))
        current.ended_on = on - timedelta(days=1)
    tenure = Tenure(post=post, holder=Holder(name=name), started_on=on)
    db.session.add(tenure)
    db.session.flush()
    reattribute(post.id, tenure.holder_id, on)
    after = {"holder": name, "started_on": on.isoformat()}
    if reason.strip():
        after["reason"] = reason.strip()[:500]
    audit.record(
        actor,
        "holder.change",
        "post",
        post.id,
        post_id=post.id,
        before={"holder": current.holder.name if current else None},
        after=after,
    )
    return tenure


def update_post(actor: audit.Actor, post: Post, *, title, responsibilities, commitments, active, unit=None) -> bool:
    before = snapshot(post)
    post.title = title.strip()
    post.responsibilities = "\n".join(responsibilities)
    post.commitments = "\n".join(commitments)
    post.active = active
    if unit is not None:
        post.unit = unit
    after = snapshot(post)
    if after == before:
        return False
    db.session.flush()
    audit.record(actor, "post.update", "post", post.id, post_id=post.id, before=before, after=after)
    return True


@dataclass
class ImportSummary:
    counts: Counter = field(default_factory=Counter)

    def __str__(self) -> str:
        c = self.counts
        return _(
            "新增岗位 %(created)d 个,更新 %(updated)d 个,未变 %(unchanged)d 个;"  # noqa: E501
            "新增单位 %(units)d 个;责任人变更 %(holders)d 人。",
            created=c["created"],
            updated=c["updated"],
            unchanged=c["unchanged"],
            units=c["units"],
            holders=c["holders"],
        )


def _check_against_database(rows: list[PostRow]) -> None:
    kinds = {
        name: kind
        for names in chunks(row.unit for row in rows)
        for name, kind in db.session.execute(select(Unit.name, Unit.kind).where(Unit.name.in_(names)))
    }
    errors = [
        RowError(row.line, _("单位“%(unit)s”已登记为其他类别", unit=row.unit))
        for row in rows
        if row.unit in kinds and kinds[row.unit] != row.unit_kind
    ]
    if errors:
        raise ImportFailed(errors)


def import_posts(actor: audit.Actor, rows: list[PostRow], started_on: date | None = None) -> ImportSummary:
    """Write validated rows: create or update each post and its holder. All or nothing: flushes, never commits.

    A new post's holder holds it from the beginning (no start date), or from the row's ``holder_since`` (or
    ``started_on``) when given. A row naming another holder transfers the post on ``holder_since``, today
    without it (see change_holder)."""
    _check_against_database(rows)
    summary = ImportSummary()
    units: dict[str, Unit] = {}
    existing = {
        post.code: post
        for codes in chunks(row.code for row in rows)
        for post in db.session.scalars(
            select(Post)
            .where(Post.code.in_(codes))
            .options(selectinload(Post.tenures).joinedload(Tenure.holder), selectinload(Post.unit))
        )
    }
    for row in rows:
        if row.unit not in units:
            units[row.unit], created = upsert_unit(actor, name=row.unit, kind=row.unit_kind)
            summary.counts["units"] += created
        unit = units[row.unit]
        post = existing.get(row.code)
        if post is None:
            post = Post(
                code=row.code,
                unit=unit,
                title=row.title,
                responsibilities="\n".join(row.responsibilities),
                commitments="\n".join(row.commitments),
                active=True,
            )
            db.session.add(post)
            db.session.flush()
            db.session.add(Tenure(post=post, holder=Holder(name=row.holder), started_on=row.holder_since or started_on))
            db.session.flush()
            audit.record(actor, "post.create", "post", post.id, post_id=post.id, after=snapshot(post))
            summary.counts["created"] += 1
            continue
        changed = update_post(
            actor,
            post,
            title=row.title,
            responsibilities=row.responsibilities,
            commitments=row.commitments,
            active=True,
            unit=unit,
        )
        tenure = current_tenure(post)
        if tenure is None or tenure.holder.name != row.holder:
            _transfer(actor, post, tenure, row)
            summary.counts["holders"] += 1
            changed = True
        summary.counts["updated" if changed else "unchanged"] += 1
    return summary


def _transfer(actor: audit.Actor, post: Post, tenure: Tenure | None, row: PostRow) -> None:
    on = row.holder_since or local_today()
    if tenure is not None and tenure.started_on is not None and on <= tenure.started_on:
        if row.holder_since is not None:
            message = _(
                "holder_since %(d)s 须晚于现任责任人 %(name)s 的任职日期 %(start)s",
                d=on.isoformat(),
                name=tenure.holder.name,
                start=tenure.started_on.isoformat(),
            )
            raise ImportFailed([RowError(row.line, message)])
        on = tenure.started_on + timedelta(days=1)  # a second change on one day: the day after
    change_holder(actor, post, row.holder, on)
