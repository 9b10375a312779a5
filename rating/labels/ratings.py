"""Labels of citizens' ratings: the five levels of the national 好差评 scale, a rating's status and its channel."""

from flask_babel import lazy_gettext as _l

from rating.models.ratings import Channel, RatingStatus
from rating.models.sources import SourceState
from rating.scoring.sources import Direction, WithheldRule

#: Highest first, as the rating form lists them.
LEVEL_LABELS = {
    5: _l("非常满意"),
    4: _l("满意"),
    3: _l("基本满意"),
    2: _l("不满意"),
    1: _l("非常不满意"),
}
RATING_STATUS_LABELS = {
    RatingStatus.COUNTED: _l("计入"),
    RatingStatus.HELD: _l("待审核"),
    RatingStatus.EXCLUDED: _l("不计入"),
}
CHANNEL_LABELS = {
    Channel.WEB: _l("网上"),
    Channel.WINDOW: _l("窗口扫码"),
    Channel.HOTLINE: _l("热线"),
    Channel.PAPER: _l("问卷"),
}
SOURCE_STATE_LABELS = {
    SourceState.OPEN: _l("超出限额待审核"),
    SourceState.REVIEW: _l("疑似刷评,整组待审核"),
    SourceState.RELEASED: _l("已审核,整组计入"),
    SourceState.EXCLUDED: _l("已审核,整组不计入"),
}
DIRECTION_LABELS = {Direction.UP: _l("集中好评"), Direction.DOWN: _l("集中差评"), Direction.MIXED: _l("有好有差")}
#: Why ratings were not counted, as the public breakdown counts them (counts only, never who).
WITHHELD_RULE_LABELS = {
    WithheldRule.ALLOWANCE: _l("同一网络对本岗位的无码评价超出限额"),
    WithheldRule.CAMPAIGN: _l("来源疑似刷评,整组暂停计入或经审核不计入"),
    WithheldRule.BURST: _l("同一网络短时间内集中评价"),
    WithheldRule.REVIEW: _l("人工审核或申诉复核"),
}
