"""Objections (异议) during public notice and the warned holders' replies (申辩)."""

from rating.results import bp  # noqa: F401
