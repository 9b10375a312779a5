"""The OpenAPI description of the rankings beside the verdict (SPEC §6): the department and station rankings of a
published cycle. Merged into the document by rating.api.openapi."""

_SET = {
    "cycle": {"type": "integer", "example": 2025},
    "ranking": {"type": "string", "enum": ["departments", "stations"]},
    "status": {"type": "string"},
    "kind": {"type": "string", "enum": ["published"]},
    "version": {"type": "integer"},
    "computed_at": {"type": "string", "format": "date-time"},
    "published_at": {"type": ["string", "null"], "format": "date-time"},
    "reason": {"type": "string", "description": "why it was published after the cycle's verdict, if it was"},
    "content_hash": {
        "type": "string",
        "description": "sha256 of the canonical JSON of {cycle, kind, version, method, results, ranking}",
    },
    "method": {"type": "object", "description": "the method settings frozen into the ranking"},
}
_SCORE = {"type": ["number", "null"]}

RANKING_SCHEMAS = {
    "DepartmentLine": {
        "type": "object",
        "properties": {
            "group": {"type": "string", "enum": ["municipal", "provincial", "window", "county", "station"]},
            "rank": {"type": ["integer", "null"], "description": "within the group; null: no conduct score"},
            "unit_code": {"type": "string"},
            "unit": {"type": "string"},
            "targets": _SCORE,
            "responsibility": _SCORE,
            "conduct": _SCORE,
            "composite": _SCORE,
            "commended": {"type": "boolean"},
            "yellow_card": {"type": "boolean"},
            "last": {"type": "boolean"},
            "head_to_resign": {"type": "boolean", "description": "last in this and the previous cycle"},
        },
    },
    "StationLine": {
        "type": "object",
        "properties": {
            "rank": {"type": ["integer", "null"]},
            "unit_code": {"type": "string"},
            "unit": {"type": "string"},
            "ratings": {"type": "integer"},
            "satisfied": {"type": "integer", "description": "ratings at levels 3–5"},
            "rate": {"type": "number", "minimum": 0, "maximum": 1},
            "ranked": {"type": "boolean", "description": "false under the minimum sample"},
            "named_lowest": {"type": "boolean"},
        },
    },
    "DepartmentRanking": {
        "type": "object",
        "properties": {**_SET, "results": {"type": "array", "items": {"$ref": "#/components/schemas/DepartmentLine"}}},
    },
    "StationRanking": {
        "type": "object",
        "properties": {**_SET, "results": {"type": "array", "items": {"$ref": "#/components/schemas/StationLine"}}},
    },
}


def _path(summary: str, operation: str, schema: str) -> dict:
    return {
        "get": {
            "summary": summary,
            "operationId": operation,
            "parameters": [{"name": "year", "in": "path", "required": True, "schema": {"type": "integer"}}],
            "responses": {
                "200": {
                    "description": "the newest published ranking (ETag is its content hash)",
                    "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
                },
                "304": {"description": "not modified (If-None-Match)"},
                "404": {"description": "no such cycle, or no published ranking"},
            },
        }
    }


RANKING_PATHS = {
    "/cycles/{year}/departments": _path(
        "The department ranking of a cycle: groups, commendations, yellow cards, last two years running",
        "cycleDepartments",
        "DepartmentRanking",
    ),
    "/cycles/{year}/stations": _path(
        "The grassroots-station satisfaction ranking of a cycle, with the lowest two named",
        "cycleStations",
        "StationRanking",
    ),
}
