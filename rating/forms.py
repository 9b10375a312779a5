"""Form pieces every blueprint shares: the CSRF-only form of POST buttons and the five rating levels."""

from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice

from rating.labels.ratings import LEVEL_LABELS

#: The five levels as radio choices, highest first.
LEVEL_CHOICES = [SelectChoice(level, label) for level, label in LEVEL_LABELS.items()]


class EmptyForm(FlaskForm):
    """A CSRF token alone, for POST-only buttons (log out, confirm)."""
