"""The OpenAPI 3 description of the open-data API. Later features add their paths here."""

from rating.api.openapi_rankings import RANKING_PATHS, RANKING_SCHEMAS

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
                "properties": {
                    "parent": {"type": ["string", "null"], "description": "parent unit code"},
                    "head": {"type": "string", "description": "the unit's principal leader (主要负责人)"},
                },
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
    "Cycle": {
        "type": "object",
        "required": ["year", "status", "starts_on", "ends_on", "published_version"],
        "properties": {
            "year": {"type": "integer", "example": 2025},
            "status": {"type": "string", "enum": ["open", "closed", "computed", "notice", "published"]},
            "starts_on": {"type": "string", "format": "date"},
            "ends_on": {"type": "string", "format": "date"},
            "published_version": {"type": ["integer", "null"], "description": "newest published version"},
        },
    },
    "CycleList": {
        "type": "object",
        "required": ["items", "total"],
        "properties": {
            "items": {"type": "array", "items": {"$ref": "#/components/schemas/Cycle"}},
            "total": {"type": "integer"},
        },
    },
    "ResultLine": {
        "type": "object",
        "description": "One post's line; scores on 0–100 rounded to 2 decimals (SPEC §3).",
        "required": [
            "rank",
            "post_code",
            "post_title",
            "unit",
            "holder",
            "service",
            "assessment",
            "conduct",
            "inspection",
            "composite",
            "ratings",
            "title",
        ],
        "properties": {
            "rank": {"type": "integer", "minimum": 1},
            "post_code": {"type": "string", "example": "DT-001"},
            "post_title": {"type": "string"},
            "unit": {"type": "string", "description": "unit name"},
            "holder": {"type": "string", "description": "the holder named in the result"},
            "service": {"type": "number", "description": "S, service-object rating (服务对象评议)"},
            "assessment": {"type": "number", "description": "A, annual assessment (年度考核)"},
            "conduct": {"type": "number", "description": "C, undercover visits and complaints (暗访投诉考核)"},
            "inspection": {"type": "number", "description": "I, comprehensive inspection (综合检查评议)"},
            "composite": {"type": "number", "description": "T = 0.40·S + 0.30·A + 0.20·C + 0.10·I by default"},
            "ratings": {"type": "integer", "description": "counted ratings"},
            "title": {
                "type": ["string", "null"],
                "enum": ["benchmark", "excellent", "warning", None],
                "description": "标兵岗位 / 优秀岗位 / 行政告诫, or null",
            },
        },
    },
    "CycleResult": {
        "type": "object",
        "required": ["cycle", "status", "method", "results"],
        "properties": {
            "cycle": {"type": "integer", "example": 2025},
            "status": {"type": "string"},
            "kind": {"type": "string", "enum": ["published"]},
            "version": {"type": "integer", "description": "a correction is a new version"},
            "computed_at": {"type": "string", "format": "date-time"},
            "published_at": {"type": ["string", "null"], "format": "date-time"},
            "reason": {"type": "string", "description": "why this version was published (corrections)"},
            "content_hash": {
                "type": "string",
                "description": "sha256 of the canonical JSON of {cycle, kind, version, method, results} "
                "(sorted keys, no spaces, UTF-8)",
            },
            "method": {"type": "object", "description": "the method settings frozen into the result"},
            "results": {"type": "array", "items": {"$ref": "#/components/schemas/ResultLine"}},
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


#: The open-data paths under /api/v1.
API_PATHS = {
    "/posts": {
        "get": {
            "summary": "Key posts, paginated",
            "operationId": "listPosts",
            "parameters": [
                _query("page", {"type": "integer", "minimum": 1, "default": 1}, "page number"),
                _query("per_page", {"type": "integer", "minimum": 1, "default": 20}, "page size (capped at 100)"),
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
    "/cycles": {
        "get": {
            "summary": "Evaluation cycles and their status",
            "operationId": "listCycles",
            "responses": {
                "200": {
                    "description": "every cycle, newest first",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CycleList"}}},
                }
            },
        }
    },
    "/cycles/{year}/results": {
        "get": {
            "summary": "The published result of a cycle: ranking, components, titles and warnings",
            "operationId": "cycleResults",
            "parameters": [
                {"name": "year", "in": "path", "required": True, "schema": {"type": "integer"}},
                _query("version", {"type": "integer", "minimum": 1}, "a published version (default newest)"),
            ],
            "responses": {
                "200": {
                    "description": "the published snapshot (ETag is its content hash)",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CycleResult"}}},
                },
                "304": {"description": "not modified (If-None-Match)"},
                "404": {"description": "no such cycle, or not published yet"},
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
}


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
        "paths": {**API_PATHS, **RANKING_PATHS, **OPEN311_PATHS},
        "components": {"schemas": {**SCHEMAS, **RANKING_SCHEMAS, **OPEN311_SCHEMAS}},
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


_SERVER = [{"url": "/open311/v2"}]
_REQUEST_LIST = {"type": "array", "items": {"$ref": "#/components/schemas/Open311Request"}}
_ERROR = {"$ref": "#/components/schemas/Open311Error"}
#: Open311 GeoReport v2 endpoints; they live under /open311/v2, not /api/v1.
OPEN311_PATHS = {
    "/services.json": {
        "servers": _SERVER,
        "get": {
            "summary": "Complaint categories as Open311 services",
            "operationId": "open311Services",
            "responses": {
                "200": _json({"type": "array", "items": {"$ref": "#/components/schemas/Open311Service"}}, "services")
            },
        },
    },
    "/requests.json": {
        "servers": _SERVER,
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
            "responses": {"200": _json(_REQUEST_LIST, "cases"), "400": _json(_ERROR, "bad parameter")},
        },
        "post": {
            "summary": "File a complaint (channel: online)",
            "operationId": "open311CreateRequest",
            "requestBody": {
                "content": {
                    "application/x-www-form-urlencoded": {
                        "schema": {
                            "type": "object",
                            "required": ["api_key", "service_code", "description"],
                            "properties": {
                                "api_key": {"type": "string", "description": "issued by the office"},
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
                "400": _json(_ERROR, "invalid"),
                "403": _json(_ERROR, "no valid api_key"),
                "429": _json(_ERROR, "too many requests"),
            },
        },
    },
    "/requests/{case_number}.json": {
        "servers": _SERVER,
        "get": {
            "summary": "One case",
            "operationId": "open311Request",
            "parameters": [{"name": "case_number", "in": "path", "required": True, "schema": {"type": "string"}}],
            "responses": {"200": _json(_REQUEST_LIST, "one case"), "404": _json(_ERROR, "unknown case")},
        },
    },
}
