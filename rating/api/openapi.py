"""The OpenAPI 3 description of the open-data API. Later features add their paths here."""

UNIT_KINDS = ["municipal", "provincial", "window", "station", "county"]

SCHEMAS = {
    "UnitRef": {
        "type": "object",
        "required": ["code", "name", "kind"],
        "properties": {
            "code": {"type": "string", "example": "M05"},
            "name": {"type": "string", "example": "市公安局"},
            "kind": {"type": "string", "enum": UNIT_KINDS},
        },
    },
    "Unit": {
        "allOf": [
            {"$ref": "#/components/schemas/UnitRef"},
            {
                "type": "object",
                "properties": {"parent": {"type": ["string", "null"], "description": "parent unit code"}},
            },
        ]
    },
    "Post": {
        "type": "object",
        "required": ["code", "title", "unit", "holder", "responsibilities", "commitments"],
        "properties": {
            "code": {"type": "string", "example": "DT-001"},
            "title": {"type": "string"},
            "unit": {"$ref": "#/components/schemas/UnitRef"},
            "holder": {"type": ["string", "null"], "description": "current holder (岗位责任人)"},
            "responsibilities": {"type": "array", "items": {"type": "string"}},
            "commitments": {"type": "array", "items": {"type": "string"}},
        },
    },
    "PostPage": {
        "type": "object",
        "required": ["items", "total", "page"],
        "properties": {
            "items": {"type": "array", "items": {"$ref": "#/components/schemas/Post"}},
            "total": {"type": "integer"},
            "page": {"type": "integer"},
            "per_page": {"type": "integer"},
            "pages": {"type": "integer"},
        },
    },
    "UnitList": {
        "type": "object",
        "required": ["items", "total"],
        "properties": {
            "items": {"type": "array", "items": {"$ref": "#/components/schemas/Unit"}},
            "total": {"type": "integer"},
        },
    },
}


def _query(name: str, schema: dict, description: str) -> dict:
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": description}


def document(server_url: str) -> dict:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "关键岗位公务员评议平台 开放数据接口 / Key-post evaluation open data",
            "version": "1.0.0",
            "description": "Public, read-only data: key posts, their units and holders. No personal data beyond "
            "what the office publishes.",
        },
        "servers": [{"url": server_url}],
        "paths": {
            "/posts": {
                "get": {
                    "summary": "Key posts, paginated",
                    "operationId": "listPosts",
                    "parameters": [
                        _query("page", {"type": "integer", "minimum": 1, "default": 1}, "page number"),
                        _query(
                            "per_page", {"type": "integer", "minimum": 1, "maximum": 100, "default": 20}, "page size"
                        ),
                        _query("q", {"type": "string"}, "search holder, title, code, unit or duty"),
                        _query("unit", {"type": "string"}, "unit code"),
                    ],
                    "responses": {
                        "200": {
                            "description": "one page of posts",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PostPage"}}},
                        }
                    },
                }
            },
            "/units": {
                "get": {
                    "summary": "All units",
                    "operationId": "listUnits",
                    "responses": {
                        "200": {
                            "description": "every unit",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/UnitList"}}},
                        }
                    },
                }
            },
            "/openapi.json": {
                "get": {
                    "summary": "This document",
                    "operationId": "openapi",
                    "responses": {"200": {"description": "the OpenAPI document"}},
                }
            },
        },
        "components": {"schemas": SCHEMAS},
    }
