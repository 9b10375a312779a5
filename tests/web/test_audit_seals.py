"""The sealed audit log: citizens' entries never touch the chain's head, are sealed in batches under a Merkle root
chained like any back-office entry, and a changed, deleted or inserted entry, or a broken seal, is named."""

import hashlib
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from rating import jobs
from rating.extensions import db
from rating.models import AuditEntry, AuditHead
from rating.services import audit, audit_seals, followups
from tests.web.test_audit import _bypass_triggers

pytestmark = pytest.mark.bare


@pytest.fixture
def rated(app, make_posts, make_web_rating) -> list[int]:
    """Five citizens' ratings of five posts; returns their leaves' ids, oldest first."""
    for post in make_posts(5):
        make_web_rating(post, level=4)
    with app.app_context():
        return _leaf_ids()


def _leaf_ids(*conditions) -> list[int]:
    statement = sa.select(AuditEntry.id).where(AuditEntry.seq.is_(None), *conditions).order_by(AuditEntry.id)
    return db.session.scalars(statement).all()


def _seal(app, limit: int = audit_seals.SEAL_BATCH) -> list[AuditEntry]:
    """Seal what waits (as the scheduler does) and return the seals, oldest first."""
    with app.app_context():
        audit_seals.seal_pending(audit.SYSTEM, limit)
        return db.session.scalars(
            sa.select(AuditEntry).where(AuditEntry.action == "audit.seal").order_by(AuditEntry.seq)
        ).all()


def _verify(runner):
    result = runner.invoke(args=["audit-verify"])
    return result.exit_code, result.output


def _tamper(app, statement):
    with app.app_context():
        _bypass_triggers(db.session.connection())
        db.session.execute(statement)
        db.session.commit()


def test_a_citizens_rating_is_a_leaf_and_leaves_the_chains_head_alone(app, make_post, make_web_rating):
    post = make_post()
    make_web_rating(make_post())  # the cycle opened (a chained entry) and one rating already in
    with app.app_context():
        head = db.session.get(AuditHead, 1)
        before = (head.seq, head.last_hash)
    rating = make_web_rating(post, level=1, contact="13800000000")  # a bad review with a contact: a follow-up too
    with app.app_context():
        head = db.session.get(AuditHead, 1)
        assert (head.seq, head.last_hash) == before, "the head row was not touched"
        leaves = db.session.scalars(
            sa.select(AuditEntry).where(AuditEntry.post_id == post.id, AuditEntry.seq.is_(None))
        ).all()
        assert {(leaf.action, leaf.post_id) for leaf in leaves} == {
            ("rating.submit", post.id),
            ("follow_up.open", post.id),
        }
        assert all(leaf.prev_hash is None and leaf.seal_id is None for leaf in leaves)
        assert [leaf.entity_id for leaf in leaves if leaf.action == "rating.submit"] == [str(rating.id)]
        assert audit.verify_chain().unsealed == 3


def test_citizens_rating_of_a_rectification_is_a_leaf_and_staffs_reply_is_chained(app, make_post, make_web_rating):
    rating = make_web_rating(make_post(), level=1, contact="13800000000")
    with app.app_context():
        follow_up = db.session.scalar(sa.select(followups.FollowUp).where(followups.FollowUp.rating_id == rating.id))
        followups.record_rectification(audit.Actor("unit-staff"), follow_up, "已电话回访并整改")
        followups.citizen_rates_rectification(follow_up, 5)
        db.session.commit()
        kinds = dict(
            db.session.execute(
                sa.select(AuditEntry.action, AuditEntry.seq).where(AuditEntry.action.like("follow_up.%"))
            ).all()
        )
    assert kinds["follow_up.rectify"] is not None, "staff's change is chained"
    assert kinds["follow_up.open"] is None and kinds["follow_up.citizen_rate"] is None


def test_leaves_are_sealed_in_batches_each_seal_a_link_of_the_chain(app, runner, rated):
    seals = _seal(app, limit=2)
    assert [seal.after["entries"] for seal in seals] == [2, 2, 1]
    assert [seal.seq for seal in seals] == list(range(seals[0].seq, seals[0].seq + 3))
    with app.app_context():
        for seal in seals:
            leaves = db.session.scalars(
                sa.select(AuditEntry).where(AuditEntry.seal_id == seal.id).order_by(AuditEntry.id)
            ).all()
            assert [leaf.id for leaf in leaves] == _leaf_ids(AuditEntry.seal_id == seal.id)
            assert (seal.after["first"], seal.after["last"]) == (leaves[0].id, leaves[-1].id)
            assert seal.after["root"] == audit_seals.merkle_root([leaf.hash for leaf in leaves])
        assert _leaf_ids(AuditEntry.seal_id.is_(None)) == []
    assert _seal(app)[-1].id == seals[-1].id, "nothing left to seal: no empty seal"
    code, output = _verify(runner)
    assert code == 0 and "audit chain intact" in output and "5 citizens' entries under 3 seals" in output


def test_the_scheduler_job_seals_what_waits_every_minute(app, rated):
    assert jobs.JOBS["seal_audit_log"].trigger == {"trigger": "cron", "minute": "*"}
    assert jobs.seal_audit_log(app) == 5
    assert jobs.seal_audit_log(app) == 0
    with app.app_context():
        assert _leaf_ids(AuditEntry.seal_id.is_(None)) == []
        assert jobs.verify_audit_chain(app) is True


def test_the_command_seals_now(app, runner, rated):
    result = runner.invoke(args=["audit-seal"])
    assert result.exit_code == 0 and "audit entries sealed: 5" in result.output


def test_database_lets_a_leaf_be_sealed_once_and_nothing_else(app, rated):
    first, second = _seal(app, limit=3)
    with app.app_context():
        leaf = _leaf_ids(AuditEntry.seal_id == first.id)[0]
        for statement in (
            f"UPDATE audit_log SET seal_id = NULL WHERE id = {leaf}",
            f"UPDATE audit_log SET seal_id = {second.id} WHERE id = {leaf}",  # into another batch
            f"UPDATE audit_log SET actor = 'someone' WHERE id = {leaf}",
            f"DELETE FROM audit_log WHERE id = {leaf}",
            f"UPDATE audit_log SET seal_id = {first.id} WHERE id = {second.id}",  # a chained entry
        ):
            with pytest.raises(sa.exc.DatabaseError):
                db.session.execute(sa.text(statement))
            db.session.rollback()


def test_a_changed_sealed_rating_entry_is_named(app, runner, rated):
    seal = _seal(app, limit=2)[1]
    changed = rated[2]  # the first leaf of the second seal
    _tamper(app, sa.update(AuditEntry).where(AuditEntry.id == changed).values(after={"level": 1}))
    code, output = _verify(runner)
    assert code == 1 and f"entry id {changed} (rating.submit" in output and "edited" in output
    assert f"sealed at entry {seal.seq}" in output


def test_the_nightly_job_names_a_broken_batch_in_the_run_log(app, rated):
    seal = _seal(app)[0]
    _tamper(app, sa.delete(AuditEntry).where(AuditEntry.id == rated[4]))
    with pytest.raises(jobs.AuditChainBroken, match=f"审计链在第 {seal.seq} 条记录处断裂:the seal at entry {seal.seq}"):
        jobs.verify_audit_chain(app)


def test_a_changed_entry_with_its_hash_recomputed_breaks_its_seals_root(app, runner, rated):
    seal = _seal(app, limit=2)[1]
    with app.app_context():
        leaf = db.session.get(AuditEntry, rated[3])
        forged = audit.entry_hash(
            **{k: getattr(leaf, k) for k in audit.HASHED if k != "after"}, after={"level": 1}, prev_hash=None
        )
    _tamper(app, sa.update(AuditEntry).where(AuditEntry.id == rated[3]).values(after={"level": 1}, hash=forged))
    code, output = _verify(runner)
    assert code == 1 and f"the seal at entry {seal.seq}" in output and "Merkle root" in output


def test_a_deleted_rating_entry_names_its_batch(app, runner, rated):
    seal = _seal(app, limit=2)[0]
    _tamper(app, sa.delete(AuditEntry).where(AuditEntry.id == rated[1]))
    code, output = _verify(runner)
    assert code == 1 and f"the seal at entry {seal.seq}" in output and "deleted" in output


def test_a_rating_entry_inserted_into_a_sealed_batch_is_caught(app, runner, rated, make_post, make_web_rating):
    seal = _seal(app)[0]
    make_web_rating(make_post())
    with app.app_context():  # the triggers allow setting a seal: the root and count still tell
        late = _leaf_ids(AuditEntry.seal_id.is_(None))[0]
        db.session.execute(sa.update(AuditEntry).where(AuditEntry.id == late).values(seal_id=seal.id))
        db.session.commit()
    code, output = _verify(runner)
    assert code == 1 and f"the seal at entry {seal.seq}" in output and "6 entries found, 5 sealed" in output


def test_an_entry_claiming_a_seal_that_is_none_is_caught(app, runner, rated):
    with app.app_context():
        chained = db.session.scalar(sa.select(sa.func.max(AuditEntry.id)).where(AuditEntry.seq.is_not(None)))
        db.session.execute(sa.update(AuditEntry).where(AuditEntry.id == rated[2]).values(seal_id=chained))
        db.session.commit()
    code, output = _verify(runner)
    assert code == 1 and f"entry id {rated[2]}" in output and "which is no seal" in output


def test_a_backdated_entry_inserted_after_sealing_is_caught_sealed_or_not(app, runner, rated):
    seal = _seal(app)[0]
    with app.app_context():
        fields = dict(
            seq=None,
            at=seal.at - timedelta(hours=1),
            actor="citizen",
            action="rating.submit",
            entity="rating",
            entity_id="999999",
            post_id=None,
            before=None,
            after={"level": 5},
            prev_hash=None,
        )
        db.session.execute(sa.insert(AuditEntry).values(**fields, hash=audit.entry_hash(**fields)))
        db.session.commit()
        forged = _leaf_ids(AuditEntry.seal_id.is_(None))[0]
    code, output = _verify(runner)
    assert code == 1 and f"entry id {forged}" in output and "inserted after sealing" in output
    _seal(app)  # sealing it later does not launder it
    code, output = _verify(runner)
    assert code == 1 and f"entry id {forged}" in output and "inserted after sealing" in output


def test_an_edited_unsealed_entry_is_named(app, runner, rated):
    _tamper(app, sa.update(AuditEntry).where(AuditEntry.id == rated[0]).values(actor="intruder"))
    code, output = _verify(runner)
    assert code == 1 and f"entry id {rated[0]}" in output and "not yet sealed" in output and "edited" in output


def test_a_broken_seal_is_named(app, runner, rated):
    seal = _seal(app, limit=2)[0]
    root = hashlib.sha256(b"another batch").hexdigest()
    _tamper(app, sa.update(AuditEntry).where(AuditEntry.id == seal.id).values(after={**seal.after, "root": root}))
    code, output = _verify(runner)
    assert code == 1 and f"entry {seal.seq}" in output and "edited" in output


def test_a_deleted_newest_seal_is_caught_by_the_head(app, runner, rated):
    seal = _seal(app)[-1]
    with app.app_context():
        _bypass_triggers(db.session.connection())
        db.session.execute(sa.update(AuditEntry).where(AuditEntry.seal_id == seal.id).values(seal_id=None))
        db.session.execute(sa.delete(AuditEntry).where(AuditEntry.id == seal.id))
        db.session.commit()
    code, output = _verify(runner)
    assert code == 1 and f"entry {seal.seq}" in output and "newest entries were removed" in output


def _rfc6962(leaves: list[bytes]) -> bytes:
    """RFC 6962 §2.1, as written: split at the largest power of two below n."""
    if len(leaves) == 1:
        return hashlib.sha256(b"\x00" + leaves[0]).digest()
    k = 1 << ((len(leaves) - 1).bit_length() - 1)
    return hashlib.sha256(b"\x01" + _rfc6962(leaves[:k]) + _rfc6962(leaves[k:])).digest()


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 7, 8, 9, 13])
def test_merkle_root_is_rfc_6962s(n):
    hashes = [hashlib.sha256(str(i).encode()).hexdigest() for i in range(n)]
    assert audit_seals.merkle_root(hashes) == _rfc6962([bytes.fromhex(h) for h in hashes]).hex()


def test_the_viewer_shows_citizens_entries_in_order_without_a_chain_position(app, login_as, rated):
    _seal(app)
    page = login_as("auditor").get("/admin/audit").get_data(as_text=True)
    rows = re.findall(r"<tr>\s*<td>([^<]*)</td>(.*?)</tr>", page, re.S)
    shown = [
        (position, action) for position, rest in rows for action in ("audit.seal", "rating.submit") if action in rest
    ]
    assert shown[0][0].isdigit() and shown[0][1] == "audit.seal", "the seal, newest, is chained"
    assert shown[1:] == [("—", "rating.submit")] * 5, "the five ratings, newest first, have no chain position"
