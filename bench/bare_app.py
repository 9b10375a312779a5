"""The bare baseline: a Flask app that returns a constant string. ``gunicorn 'bench.bare_app:app'``."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def constant():
    return "ok"
