"""The OpenAPI 3.1 document, generated from the routes themselves (接口说明由代码生成).

A view declares what it takes and answers with ``@operation(...)``: a summary, the pydantic model of its query
parameters (validated here, before the view runs: a wrong one is a 400 saying which and why), the model of a form
body, and a model per status code. ``document`` walks the application's URL map and writes a path for every rule
whose view is so declared: path parameters from the rule's converters, query parameters from the query model,
schemas from the models. The models name the domain enums (unit kinds, cycle states, titles, categories), so a
value added to an enum is in the document without anyone copying it.
"""

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import Flask, abort, request
from pydantic import BaseModel, TypeAdapter, ValidationError
from pydantic.json_schema import models_json_schema
from werkzeug.routing import AnyConverter, IntegerConverter, Rule

REF = "#/components/schemas/{model}"
#: What a response without a model says (a 304 carries no body).
NO_BODY = None


@dataclass(frozen=True)
class Reply:
    """One documented response: its description, the model of its JSON body (None: no body) and other media types
    it may come as (e.g. ``application/xml`` for Open311)."""

    description: str
    model: object = NO_BODY
    also: tuple[str, ...] = ()


@dataclass(frozen=True)
class Operation:
    summary: str
    responses: dict[int, Reply]
    query: type[BaseModel] | None = None
    form: type[BaseModel] | None = None
    description: str = ""
    tags: tuple[str, ...] = field(default_factory=tuple)
    name: str = ""  #: the operationId (default: the endpoint)


def problem(error: ValidationError) -> str:
    """A validation error as one line a client can act on: ``per_page: Input should be a valid integer``."""
    return "; ".join(
        f"{'.'.join(str(part) for part in item['loc']) or 'request'}: {item['msg']}" for item in error.errors()
    )


def parse(model: type[BaseModel], values) -> BaseModel:
    """``values`` (a MultiDict or a mapping) checked against ``model``; a 400 naming the wrong parameters if not."""
    data = values.to_dict() if hasattr(values, "to_dict") else dict(values)
    try:
        return model.model_validate(data)
    except ValidationError as error:
        abort(400, description=problem(error))


def operation(summary: str, *, responses: dict[int, Reply], query=None, form=None, description="", tags=(), name=""):
    """Declare a view as an API operation; with ``query``, the view receives the parsed ``query=`` keyword."""
    declared = Operation(summary, responses, query, form, description, tuple(tags), name)

    def decorate(view: Callable):
        @functools.wraps(view)
        def run(*args, **kwargs):
            if query is not None:
                kwargs["query"] = parse(query, request.args)
            return view(*args, **kwargs)

        run.operation = declared
        return run

    return decorate


def _path_parameter(rule: Rule, name: str) -> dict:
    converter = rule._converters[name]
    if isinstance(converter, IntegerConverter):
        schema = {"type": "integer", "minimum": converter.min or 0}
        if converter.max is not None:
            schema["maximum"] = converter.max
    elif isinstance(converter, AnyConverter):
        schema = {"type": "string", "enum": sorted(converter.items)}
    else:
        schema = {"type": "string", "pattern": "^[^/]+$", "minLength": 1}
    return {"name": name, "in": "path", "required": True, "schema": schema}


def _query_schema(prop: dict) -> dict:
    """A query parameter's schema: a query string has no null (an absent parameter is the "none"), so ``X | None``
    is described as X, and a default of None is no default."""
    schema = {key: value for key, value in prop.items() if key not in ("title", "description")}
    options = [option for option in schema.pop("anyOf", ()) if option != {"type": "null"}]
    if len(options) == 1:
        schema.update(options[0])
    elif options:
        schema["anyOf"] = options
    if schema.get("default", 0) is None:
        del schema["default"]
    return schema


def _query_parameters(model: type[BaseModel]) -> list[dict]:
    schema = model.model_json_schema(ref_template=REF)
    required = set(schema.get("required", ()))
    return [
        {
            "name": name,
            "in": "query",
            "required": name in required,
            "schema": _query_schema(prop),
            "description": prop.get("description", ""),
        }
        for name, prop in schema["properties"].items()
    ]


def _content(reply: Reply, schemas: dict) -> dict:
    answer = {"description": reply.description}
    if reply.model is NO_BODY:
        return answer
    if isinstance(reply.model, type) and issubclass(reply.model, BaseModel):
        schema = {"$ref": REF.format(model=reply.model.__name__)}
    else:  # a list of models and the like
        adapted = TypeAdapter(reply.model).json_schema(ref_template=REF)
        schemas.update(adapted.pop("$defs", {}))
        schema = adapted
    answer["content"] = {media: {"schema": schema} for media in ("application/json", *reply.also)}
    return answer


def _models(op: Operation) -> list[type[BaseModel]]:
    found = [op.form] if op.form else []
    for reply in op.responses.values():
        if isinstance(reply.model, type) and issubclass(reply.model, BaseModel):
            found.append(reply.model)
    return found


def _operation_id(rule: Rule, op: Operation) -> str:
    """Unique per rule: a view served at several addresses (``.json`` and ``.xml``) gets one id per address."""
    base = op.name or rule.endpoint.replace(".", "_")
    suffix = "".join(f"_{value}" for value in (rule.defaults or {}).values())
    return base + suffix


def _operation(rule: Rule, op: Operation, schemas: dict) -> dict:
    parameters = [_path_parameter(rule, name) for name in rule.arguments]
    if op.query:
        parameters += _query_parameters(op.query)
    out = {
        "summary": op.summary,
        "operationId": _operation_id(rule, op),
        "responses": {str(status): _content(reply, schemas) for status, reply in op.responses.items()},
    }
    if op.description:
        out["description"] = op.description
    if op.tags:
        out["tags"] = list(op.tags)
    if parameters:
        out["parameters"] = parameters
    if op.form:
        schema = {"$ref": REF.format(model=op.form.__name__)}
        media = ("application/x-www-form-urlencoded", "application/json")
        out["requestBody"] = {"required": True, "content": {m: {"schema": schema} for m in media}}
    return out


def document(app: Flask, *, info: dict, servers: dict[str, str], main: str, base: str = "") -> dict:
    """The OpenAPI document of every declared view of the blueprints in ``servers`` (blueprint name → URL prefix);
    ``base`` + ``main``'s prefix is the document's server, the others' paths carry their own."""
    paths: dict[str, dict] = {}
    models: dict[str, type[BaseModel]] = {}
    schemas: dict[str, dict] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        blueprint = rule.endpoint.partition(".")[0]
        op = getattr(app.view_functions.get(rule.endpoint), "operation", None)
        if op is None or blueprint not in servers:
            continue
        path = re.sub(r"<(?:[^>:]+:)?([^>]+)>", r"{\1}", rule.rule.removeprefix(servers[blueprint]))
        item = paths.setdefault(path, {} if blueprint == main else {"servers": [{"url": base + servers[blueprint]}]})
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            item[method.lower()] = _operation(rule, op, schemas)
        models.update({model.__name__: model for model in _models(op)})
    _, generated = models_json_schema([(m, "validation") for m in models.values()], ref_template=REF)
    schemas.update(generated.get("$defs", {}))
    return {
        "openapi": "3.1.0",
        "info": info,
        "servers": [{"url": base + servers[main]}],
        "paths": paths,
        "components": {"schemas": schemas},
    }
