"""Forms of the HR office's pages."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, StringField
from wtforms.validators import DataRequired, Length


class TransferForm(FlaskForm):
    """调离: the warned holder leaves the post on this date and the successor takes it."""

    successor = StringField(_l("接任的岗位责任人"), validators=[DataRequired(), Length(max=50)])
    transferred_on = DateField(_l("调离日期"), validators=[DataRequired()])
