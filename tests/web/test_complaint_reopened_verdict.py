"""A dissatisfied return visit does not silently take a substantiated finding out of the verdict: the reopened
case's finding still counts in the conduct component, and the post's public breakdown says it is being handled
again (on the demo's current cycle, which has every component)."""

from sqlalchemy import func, select

from rating.clock import local_today
from rating.extensions import db
from rating.models import Complaint, Post
from rating.models.cycles import Cycle
from rating.services import audit
from rating.services import complaints as svc
from rating.services.verdict import lifecycle, publication

YEAR = local_today().year
CODE = "DT-001"


def _line(cycle, holder_id):
    return next(
        row for row in publication.public_result(cycle).rows if row.post_code == CODE and row.holder_id == holder_id
    )


def test_the_breakdown_says_a_reopened_finding_still_counts(app, client):
    handler, unit = audit.Actor("handler"), audit.Actor("staff")
    with app.app_context():
        cycle = db.session.scalar(select(Cycle).where(Cycle.year == YEAR))
        post = db.session.scalar(select(Post).where(Post.code == CODE))
        intake = svc.Intake(
            channel="phone",
            category="conduct",
            text="窗口工作人员上班时间长时间离岗,群众排队无人办理。",
            post_code=post.code,
        )
        complaint, _code = svc.file_complaint(handler, intake)
        svc.refer(handler, complaint)
        svc.sign(unit, complaint)
        svc.conclude(handler, complaint, "substantiated", "经核实反映问题属实,已责令整改。")
        svc.record_return_call(handler, complaint, True, "dissatisfied", "认为整改没有落实")
        lifecycle.compute_final(audit.CLI, cycle)
        lifecycle.start_notice(audit.CLI, cycle)
        db.session.commit()
        line = _line(cycle, complaint.holder_id)
        standing = select(func.count(Complaint.id)).where(
            Complaint.post_id == post.id,
            Complaint.holder_id == complaint.holder_id,
            Complaint.cycle_id == cycle.id,
            Complaint.finding == "substantiated",
            Complaint.merged_into_id.is_(None),
        )
        assert complaint.status == "in_progress" and line.complaints_reopened == 1
        assert line.complaints_substantiated == db.session.scalar(standing)  # the reopened one among them
    page = client.get(f"/results/{YEAR}/posts/{CODE}").get_data(as_text=True)
    assert "其中 1 件投诉经回访不满意正在重新办理:原核查结论在重新办结前继续有效,仍计入扣分。" in page
