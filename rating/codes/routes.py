"""Unit staff print sheets of one-time rating codes (评价码) for their own posts."""

from flask import Blueprint

bp = Blueprint("codes", __name__)
