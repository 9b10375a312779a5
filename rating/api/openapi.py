"""The OpenAPI 3.1 description of the open-data API and Open311, served at /api/v1/openapi.json: generated from the
declared views (``rating.api.describe``) and their models (``rating.api.schemas``, ``rating.api.open311_schemas``).
A new API route is described by declaring it with ``@operation``; nothing is written here by hand."""

from flask import Flask

from rating.api.describe import document as generate

INFO = {
    "title": "关键岗位公务员评议平台 开放数据接口 / Key-post evaluation open data",
    "version": "1.1.0",
    "description": "Public, read-only data: key posts, their units and holders, and the published results and "
    "rankings; and the complaint centre as Open311 GeoReport v2 (its paths carry their own server). No personal "
    "data beyond what the office publishes.",
}
#: Blueprint → URL prefix of the APIs described.
SERVERS = {"api": "/api/v1", "open311": "/open311/v2"}


def document(app: Flask, base: str = "") -> dict:
    return generate(app, info=INFO, servers=SERVERS, main="api", base=base)
