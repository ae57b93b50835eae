"""`core/model.py`'s shapes and the OpenAPI document's schemas agree: the same fields, the same
required ones, the same nullable ones, for every shape (the frontend's types are generated
from the document, the core answers the TypedDicts)."""

from __future__ import annotations

import types
import typing
from typing import Any, Dict, Set

import pytest

from jupyter_mfns.core import model

#: object schemas that are not answers of the Catalog (request bodies, error details)
NOT_SHAPES = {"TagMutationRequest", "NamespaceMismatchError"}


def _resolve(document: Dict[str, Any], schema: Dict[str, Any]) -> Dict[str, Any]:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _nullable(document: Dict[str, Any], schema: Dict[str, Any]) -> bool:
    schema = _resolve(document, schema)
    kinds = schema.get("type")
    if kinds == "null" or (isinstance(kinds, list) and "null" in kinds):
        return True
    return any(_nullable(document, s) for s in schema.get("oneOf", []) + schema.get("anyOf", []))


def _optional(hint: Any) -> bool:
    union = typing.get_origin(hint) in (typing.Union, types.UnionType)
    return union and type(None) in typing.get_args(hint)


@pytest.mark.parametrize("name", sorted(model.SCHEMAS))
def test_each_shape_matches_its_schema(openapi, name: str) -> None:
    document = openapi.document
    shape = model.SCHEMAS[name]
    schema = document["components"]["schemas"][name]
    hints = typing.get_type_hints(shape)
    # Same fields
    assert set(schema["properties"]) == set(hints), name
    # Same required ones
    assert set(schema.get("required", [])) == set(shape.__required_keys__), name
    # A field may be null exactly when the TypedDict says Optional
    for field, hint in hints.items():
        assert _nullable(document, schema["properties"][field]) == _optional(hint), (name, field)


def test_every_object_schema_of_an_answer_has_its_shape(openapi) -> None:
    schemas = openapi.document["components"]["schemas"]
    objects: Set[str] = {n for n, s in schemas.items() if s.get("type") == "object"}
    assert objects - NOT_SHAPES == set(model.SCHEMAS)
