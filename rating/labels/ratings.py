"""Labels of citizens' ratings: the five levels of the national 好差评 scale, a rating's status and its channel."""

from flask_babel import lazy_gettext as _l

from rating.models.ratings import Channel, RatingStatus

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
