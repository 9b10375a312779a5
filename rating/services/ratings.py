"""Citizens rate key posts (服务对象评议): submission with one-time codes, stuffing resistance, staff keying,
moderation. Follow-ups of bad reviews live in services.followups.

Rules, in the order a submission meets them:
1. the post's cycle must be open and today inside its dates;
2. a code, if given, must exist, belong to this post, be unused and unexpired — the rating is then verified;
   a bad code is refused with its reason and the citizen may submit again without it; without a code, a phone
   confirmed by a one-time SMS code (rating.services.phones) verifies it too, one rating per phone, post and cycle;
3. an unverified rating: one device (salted hash of network + device) rates one post at most once a day;
4. bounded influence of one source (rating.services.sources): within the cycle, the unverified ratings one network
   (/24 or /64) gives one post beyond a small allowance are held, whatever their pace; in a registered service hall
   the allowance is per device, post and day. A source that pushes one post in one direction is held as a whole
   for review. A rating with a valid code is verified and outside the allowance.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, datetime
from types import SimpleNamespace

from flask_babel import gettext as _
from sqlalchemy import and_, func, select, update
from sqlalchemy.exc import IntegrityError

from rating.clock import local_today
from rating.extensions import db
from rating.models.base import utcnow
from rating.models.cycles import Cycle, CycleStatus
from rating.models.posts import Post
from rating.models.ratings import Channel, Rating, RatingCode, RatingStatus
from rating.privacy import mask_personal_numbers
from rating.scoring import sources as source_rules
from rating.services import audit, intake, phones, sources
from rating.services.cycles import open_cycle
from rating.services.errors import Conflict, DomainError, InvalidInput, NotFound
from rating.services.lookups import chunks
from rating.services.tenures import holder_on

LEVELS = (1, 2, 3, 4, 5)
ASPECTS = ("attitude", "efficiency", "integrity", "competence")
RECEIPT_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
assert len(RECEIPT_ALPHABET) == 32  # new_receipt picks a character with five random bits


class CycleClosed(DomainError):
    status_code = 409


class CodeRefused(DomainError):
    """A one-time code that cannot be used: the rating can still be given without it."""

    status_code = 409


class AlreadyRatedToday(Conflict):
    pass


@dataclass(frozen=True)
class Submission:
    level: int
    comment: str = ""
    code: str = ""
    contact: str = ""
    attitude: int | None = None
    efficiency: int | None = None
    integrity: int | None = None
    competence: int | None = None
    #: A phone verification under way (rating.services.phones): the challenge and the code typed.
    phone_challenge: int | None = None
    sms_code: str = ""


@dataclass(frozen=True)
class Rater:
    """Where a web rating came from; only salted hashes of it are stored."""

    network: str
    device: str


def rater_hashes(rater: Rater, salt: str) -> tuple[str, str]:
    network = hashlib.sha256(f"{salt}|net|{rater.network}".encode()).hexdigest()
    device = hashlib.sha256(f"{salt}|dev|{rater.network}|{rater.device}".encode()).hexdigest()
    return device, network


def intake_closed() -> str | None:
    """Why citizens cannot rate today (shown instead of a rate button or form), or None while rating is open."""
    try:
        check_cycle_open(open_cycle())
    except CycleClosed as closed:
        return str(closed)
    return None


def check_cycle_open(cycle: Cycle | None) -> Cycle:
    today = local_today()
    if cycle is None or cycle.status != CycleStatus.OPEN or today > cycle.ends_on:
        raise CycleClosed(_("本年度评议已经结束,下一评议周期开始后即可重新评价。感谢您的关注。"))
    if today < cycle.starts_on:
        raise CycleClosed(_("评议将于 %(d)s 开始,届时欢迎评价。", d=cycle.starts_on.isoformat()))
    return cycle


def _validate(sub: Submission) -> None:
    if sub.level not in LEVELS:
        raise InvalidInput(_("请选择总体评价(非常满意至非常不满意)。"))
    for aspect in ASPECTS:
        value = getattr(sub, aspect)
        if value is not None and value not in LEVELS:
            raise InvalidInput(_("分项评价无效。"))
    if len(sub.comment) > 500:
        raise InvalidInput(_("意见建议不能超过 500 字。"))
    if len(sub.contact) > 100:
        raise InvalidInput(_("联系方式过长。"))


def normalise_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())[:16]


def code_refusal(post: Post, code_text: str) -> str | None:
    """Why a code (from a scanned QR card) cannot be used for this post, told before the form is filled; None if
    it can. Nothing is marked: the code is taken only on submit."""
    try:
        _usable_code(post, code_text)
    except CodeRefused as refused:
        return str(refused)
    return None


def _usable_code(post: Post, code_text: str) -> RatingCode:
    code = db.session.scalar(select(RatingCode).where(RatingCode.code == normalise_code(code_text)))
    if code is None:
        raise CodeRefused(_("评价码无效,请核对后重新输入,或不使用评价码直接提交。"))
    if code.post_id != post.id:
        raise CodeRefused(_("该评价码不属于这个岗位,请核对,或不使用评价码直接提交。"))
    if code.used_at is not None:
        raise CodeRefused(_("该评价码已经使用过(一次一评),您可以不使用评价码直接提交。"))
    if code.expires_at <= utcnow():
        raise CodeRefused(_("该评价码已过期,您可以不使用评价码直接提交。"))
    return code


def _take_code(post: Post, code_text: str) -> RatingCode:
    """Check a code and mark it used in one conditional UPDATE, so two citizens can never both use it."""
    code = _usable_code(post, code_text)
    taken = db.session.execute(
        update(RatingCode)
        .where(RatingCode.id == code.id, RatingCode.used_at.is_(None))
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if taken.rowcount != 1:
        raise CodeRefused(_("该评价码已经使用过(一次一评),您可以不使用评价码直接提交。"))
    return code


def new_receipt(on: date | None = None) -> str:
    """``R``, the local day of the rating (today unless ``on`` is given) and seven random characters."""
    day = on or local_today()
    # 32 characters: the low five bits of a random byte pick one uniformly, in one call for all seven
    return "R" + day.strftime("%y%m%d") + "".join(RECEIPT_ALPHABET[byte & 31] for byte in secrets.token_bytes(7))


def rating_snapshot(rating) -> dict:
    """What the audit log keeps of a rating (a Rating, or the rating path's values by the same names)."""
    return {
        "receipt": rating.receipt,
        "level": rating.level,
        "channel": str(rating.channel),
        "verified": rating.verified,
        "status": str(rating.status),
        "reason": rating.status_reason,
    }


def _already_rated() -> AlreadyRatedToday:
    return AlreadyRatedToday(_("您今天已经评价过这个岗位了。每台设备每天对同一岗位只能评价一次。"))


def _take_allowance(cycle: Cycle, post: Post, origin: sources.Origin, rater: Rater, salt: str) -> sources.Taken:
    """An unverified rating: refused if this device rated the post today, else counted against its source."""
    if origin.rated_today:
        raise _already_rated()
    return sources.take(cycle, post, origin, rater.device, salt)


#: Draws of a receipt before giving up: one of 32⁷ a day is taken by another rating now and then, twice in a row
#: practically never.
RECEIPT_DRAWS = 5


def _insert(values: dict, today: date) -> int:
    """The rating's row, under a new receipt (in ``values``) while the one drawn is taken. The same device's other
    submit of this post today (or the same phone's other confirmed rating of it this cycle), read as not yet there
    and stored first, makes the database refuse this one (uq_ratings_device_day, uq_ratings_phone): it is refused as
    the checks before would have refused it."""
    try:
        for _draw in range(RECEIPT_DRAWS):
            rating_id = intake.insert_rating(values)
            if rating_id is not None:
                return rating_id
            values["receipt"] = new_receipt(today)
        raise RuntimeError(f"no free receipt after {RECEIPT_DRAWS} draws")
    except IntegrityError as error:
        said = str(error.orig)
        if values["rated_on"] is not None and ("uq_ratings_device_day" in said or "rated_on" in said):
            raise _already_rated() from None
        if values["phone_hash"] is not None and ("uq_ratings_phone" in said or "phone_hash" in said):
            raise Conflict(_("该手机号本评议周期已经评价过这个岗位(一机一岗一评)。")) from None
        raise


@dataclass(frozen=True)
class Submitted:
    """What the citizen is told after committing: the receipt, and the private follow-up key for a bad review."""

    receipt: str
    follow_up_token: str | None


def submit_rating(post: Post, sub: Submission, rater: Rater, salt: str) -> Submitted:
    """A citizen's web rating. Writes with Core statements (rating.services.intake), the view commits. Raises
    CycleClosed, CodeRefused, PhoneRefused, AlreadyRatedToday."""
    today = local_today()
    device_hash, network_hash = rater_hashes(rater, salt)
    prefix = source_rules.network_prefix(rater.network)
    seen = intake.situation(post.id, today, sources.day_start(today), prefix, device_hash)
    cycle = check_cycle_open(seen.cycle)
    if not post.active:
        raise NotFound(_("该岗位已停止评价。"))
    _validate(sub)
    code = _take_code(post, sub.code) if sub.code.strip() else None
    phone = phones.confirm(cycle, post, sub.phone_challenge, sub.sms_code) if not code and sub.sms_code else None
    origin = sources.Origin(prefix, seen.hall_id, seen.rated_today)
    taken = None if code or phone else _take_allowance(cycle, post, origin, rater, salt)
    status, reason = (taken.status, taken.reason) if taken else (RatingStatus.COUNTED, "")
    values = dict(
        receipt=new_receipt(today),
        cycle_id=cycle.id,
        post_id=post.id,
        holder_id=seen.holder_id,
        level=sub.level,
        comment=mask_personal_numbers(sub.comment.strip()),
        channel=Channel.WINDOW if code else Channel.WEB,
        verified=code is not None or phone is not None,
        code_id=code.id if code else None,
        phone_hash=phone,
        status=status,
        status_reason=reason,
        rater_hash=device_hash,
        rated_on=None if code or phone else today,  # the database's hold on one per device, post and day
        network_hash=network_hash,
        source_id=taken.source_id if taken else None,
        created_at=utcnow(),
        **{aspect: getattr(sub, aspect) for aspect in ASPECTS},
    )
    rating_id = _insert(values, today)
    if taken:
        sources.after_rating(cycle, taken)
    snapshot = rating_snapshot(SimpleNamespace(**values))
    audit.append(audit.CITIZEN, "rating.submit", "rating", rating_id, post_id=post.id, after=snapshot)
    token = None
    if sub.level <= 2 and sub.contact.strip():
        from rating.services.followups import open_follow_up

        rating = db.session.get(Rating, rating_id)
        token = open_follow_up(rating, post, sub.contact.strip(), cycle).citizen_token
    return Submitted(values["receipt"], token)


def key_in_rating(
    actor: audit.Actor,
    post: Post,
    level: int,
    channel: str,
    verified: bool,
    when: datetime | None = None,
    comment: str = "",
) -> Rating:
    """A hotline or paper rating keyed in by staff: counted as given (no device or burst rules), audited."""
    cycle = check_cycle_open(open_cycle()) if when is None else None
    if channel not in (Channel.HOTLINE, Channel.PAPER):
        raise InvalidInput(_("只能录入热线或问卷渠道的评议。"))
    if level not in LEVELS:
        raise InvalidInput(_("请选择总体评价(非常满意至非常不满意)。"))
    return _insert_keyed(actor, cycle, post, level, Channel(channel), verified, when or utcnow(), comment)


def _insert_keyed(actor, cycle, post, level, channel, verified, when, comment="") -> Rating:
    rating = Rating(
        receipt=new_receipt(),
        cycle_id=cycle.id,
        post_id=post.id,
        holder_id=holder_on(post.id, when),
        level=level,
        comment=mask_personal_numbers(comment.strip()),
        channel=channel,
        verified=verified,
        status=RatingStatus.COUNTED,
        entered_by=actor.name,
        created_at=when,
    )
    db.session.add(rating)
    db.session.flush()
    audit.record(actor, "rating.key_in", "rating", rating.id, post_id=post.id, after=rating_snapshot(rating))
    return rating


def import_ratings(actor: audit.Actor, cycle: Cycle, rows) -> int:
    """Validated rows of an import-ratings file; the cycle must take entries (until notice)."""
    from rating.services.officials import Amendment, check_open_for_entries

    check_open_for_entries(cycle, Amendment())
    posts = {
        p.id: p
        for ids in chunks(r.post_id for r in rows)
        for p in db.session.scalars(select(Post).where(Post.id.in_(ids)))
    }
    for row in rows:
        _insert_keyed(actor, cycle, posts[row.post_id], row.level, Channel(row.channel), row.verified, row.created_at)
    cycle.inputs_changed()
    return len(rows)


def hold(actor: audit.Actor, rating: Rating, reason: str) -> None:
    """Put a counted rating on hold for review (待审核), as the burst rule does on submission: for ratings that came
    in by a batch (the demo's held ones). An administrator then counts or excludes it with ``moderate``."""
    if rating.status != RatingStatus.COUNTED:
        raise Conflict(_("只有计入的评议可以暂缓计入、待审核。"))
    if not reason.strip():
        raise InvalidInput(_("请填写审核理由。"))
    before = rating_snapshot(rating)
    rating.status, rating.status_reason = RatingStatus.HELD, reason.strip()[:500]
    db.session.get(Cycle, rating.cycle_id).inputs_changed()
    db.session.flush()
    audit.record(
        actor, "rating.hold", "rating", rating.id, post_id=rating.post_id, before=before, after=rating_snapshot(rating)
    )


def moderate(actor: audit.Actor, rating: Rating, decision: str, reason: str) -> None:
    """Count or exclude a rating (held or counted), with a reason. Excluded ratings are kept, never deleted."""
    if decision not in (RatingStatus.COUNTED, RatingStatus.EXCLUDED):
        raise InvalidInput(_("无效的审核决定。"))
    if not reason.strip():
        raise InvalidInput(_("请填写审核理由。"))
    before = rating_snapshot(rating)
    rating.status, rating.status_reason, rating.decided_by = RatingStatus(decision), reason.strip()[:500], actor.name
    if before["status"] != str(rating.status):
        db.session.get(Cycle, rating.cycle_id).inputs_changed()
    db.session.flush()
    audit.record(
        actor,
        "rating.moderate",
        "rating",
        rating.id,
        post_id=rating.post_id,
        before=before,
        after=rating_snapshot(rating),
    )


@dataclass(frozen=True)
class PublicTally:
    ratings: int
    satisfied: int

    @property
    def satisfaction_rate(self) -> float | None:
        return self.satisfied / self.ratings if self.ratings else None


def public_tally(post: Post, cycle: Cycle | None) -> PublicTally:
    """Counted ratings so far and the satisfied share (非常满意 + 满意), for the public post page."""
    if cycle is None:
        return PublicTally(0, 0)
    row = db.session.execute(
        select(func.count(Rating.id), func.count(Rating.id).filter(Rating.level >= 4)).where(
            and_(Rating.post_id == post.id, Rating.cycle_id == cycle.id, Rating.status == RatingStatus.COUNTED)
        )
    ).one()
    return PublicTally(row[0], row[1])
