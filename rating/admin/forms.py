from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional


class PostForm(FlaskForm):
    title = StringField(_l("岗位名称"), validators=[DataRequired(), Length(max=100)])
    responsibilities = TextAreaField(_l("岗位职责(每行一条)"), validators=[DataRequired(), Length(max=5000)])
    commitments = TextAreaField(_l("服务承诺(每行一条)"), validators=[Optional(), Length(max=5000)])
    active = BooleanField(_l("在名录中公开"))


class HolderForm(FlaskForm):
    name = StringField(_l("新任岗位责任人"), validators=[DataRequired(), Length(max=50)])
    started_on = DateField(_l("任职日期"), validators=[DataRequired()])
    #: 轮岗、调离、任免: recorded with the transfer in the audit log.
    reason = StringField(_l("变更原因"), validators=[Optional(), Length(max=500)])


class ImportUploadForm(FlaskForm):
    file = FileField(
        _l("岗位文件(CSV 或 XLSX)"),
        validators=[FileRequired(), FileAllowed(["csv", "xlsx"], _l("只接受 CSV 或 XLSX 文件"))],
    )


class UserForm(FlaskForm):
    username = StringField(_l("用户名"), validators=[DataRequired(), Length(min=3, max=50)])
    display_name = StringField(_l("姓名"), validators=[Optional(), Length(max=100)])
    role = SelectField(_l("角色"), validators=[DataRequired()])
    unit = SelectField(_l("所属单位(人事科、窗口人员必填)"), validators=[Optional()])
    centre = SelectField(_l("所属投诉中心(投诉中心工作人员)"), validators=[Optional()])
    password = PasswordField(_l("初始密码(至少10位)"), validators=[DataRequired(), Length(min=10, max=200)])


class CycleForm(FlaskForm):
    year = IntegerField(_l("年度"), validators=[DataRequired(), NumberRange(min=2000, max=2100)])
    starts_on = DateField(_l("开始日期"), validators=[Optional()])
    ends_on = DateField(_l("结束日期"), validators=[Optional()])


class RoleForm(FlaskForm):
    role = SelectField(_l("角色"), validators=[DataRequired()])
    unit = SelectField(_l("所属单位(人事科、窗口人员必填)"), validators=[Optional()])
    centre = SelectField(_l("所属投诉中心(投诉中心工作人员)"), validators=[Optional()])


class PasswordForm(FlaskForm):
    password = PasswordField(_l("新密码(至少10位)"), validators=[DataRequired(), Length(min=10, max=200)])
