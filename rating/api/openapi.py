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
            **open311_paths(),
            "/openapi.json": {
                "get": {
                    "summary": "This document",
                    "operationId": "openapi",
                    "responses": {"200": {"description": "the OpenAPI document"}},
                }
            },
        },
        "components": {"schemas": {**SCHEMAS, **OPEN311_SCHEMAS}},
    }


OPEN311_SCHEMAS = {
    "Open311Service": {
        "type": "object",
        "required": ["service_code", "service_name", "metadata", "type"],
        "properties": {
            "service_code": {"type": "string", "enum": ["access", "arbitrary", "inaction", "conduct", "discipline"]},
            "service_name": {"type": "string"},
            "description": {"type": "string"},
            "metadata": {"type": "boolean"},
            "type": {"type": "string"},
            "keywords": {"type": "string"},
            "group": {"type": "string"},
        },
    },
    "Open311Request": {
        "type": "object",
        "required": ["service_request_id", "status", "service_code", "requested_datetime"],
        "properties": {
            "service_request_id": {"type": "string"},
            "status": {"type": "string", "enum": ["open", "closed"]},
            "status_notes": {"type": "string"},
            "service_name": {"type": "string"},
            "service_code": {"type": "string"},
            "description": {"type": "string"},
            "agency_responsible": {"type": "string"},
            "service_notice": {"type": "string"},
            "requested_datetime": {"type": "string", "format": "date-time"},
            "updated_datetime": {"type": "string", "format": "date-time"},
            "expected_datetime": {"type": ["string", "null"], "format": "date-time"},
            "address": {"type": "string"},
            "lat": {"type": ["number", "null"]},
            "long": {"type": ["number", "null"]},
            "media_url": {"type": ["string", "null"]},
        },
    },
    "Open311Error": {
        "type": "array",
        "items": {"type": "object", "properties": {"code": {"type": "integer"}, "description": {"type": "string"}}},
    },
}


def _json(schema_ref: str, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema_ref}}}


def open311_paths() -> dict:
    """Open311 GeoReport v2 endpoints; they live under /open311/v2, not /api/v1."""
    server = [{"url": "/open311/v2"}]
    request_list = {"type": "array", "items": {"$ref": "#/components/schemas/Open311Request"}}
    error = {"$ref": "#/components/schemas/Open311Error"}
    return {
        "/services.json": {
            "servers": server,
            "get": {
                "summary": "Complaint categories as Open311 services",
                "operationId": "open311Services",
                "responses": {
                    "200": _json(
                        {"type": "array", "items": {"$ref": "#/components/schemas/Open311Service"}}, "services"
                    )
                },
            },
        },
        "/requests.json": {
            "servers": server,
            "get": {
                "summary": "Public view of complaint cases, newest first (at most 1000)",
                "operationId": "open311Requests",
                "parameters": [
                    _query("service_code", {"type": "string"}, "category code"),
                    _query("status", {"type": "string", "enum": ["open", "closed"]}, "open or closed"),
                    _query("start_date", {"type": "string", "format": "date-time"}, "received on or after"),
                    _query("end_date", {"type": "string", "format": "date-time"}, "received before"),
                    _query("service_request_id", {"type": "string"}, "comma-separated case numbers"),
                ],
                "responses": {"200": _json(request_list, "cases"), "400": _json(error, "bad parameter")},
            },
            "post": {
                "summary": "File a complaint (channel: online)",
                "operationId": "open311CreateRequest",
                "requestBody": {
                    "content": {
                        "application/x-www-form-urlencoded": {
                            "schema": {
                                "type": "object",
                                "required": ["service_code", "description"],
                                "properties": {
                                    "service_code": {"type": "string"},
                                    "description": {"type": "string"},
                                    "first_name": {"type": "string"},
                                    "last_name": {"type": "string"},
                                    "phone": {"type": "string"},
                                    "email": {"type": "string"},
                                    "post_code": {"type": "string", "description": "extension: the key post"},
                                    "unit_code": {"type": "string", "description": "extension: the unit"},
                                },
                            }
                        }
                    }
                },
                "responses": {
                    "201": _json({"type": "array", "items": {"type": "object"}}, "the new case number"),
                    "400": _json(error, "invalid"),
                    "429": _json(error, "too many requests"),
                },
            },
        },
        "/requests/{case_number}.json": {
            "servers": server,
            "get": {
                "summary": "One case",
                "operationId": "open311Request",
                "parameters": [{"name": "case_number", "in": "path", "required": True, "schema": {"type": "string"}}],
                "responses": {"200": _json(request_list, "one case"), "404": _json(error, "unknown case")},
            },
        },
    }
