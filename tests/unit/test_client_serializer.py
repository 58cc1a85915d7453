"""The orjson codec the OpenSearch clients use must write and read what the library's did."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime

import pytest
from opensearchpy.exceptions import SerializationError
from opensearchpy.serializer import JSONSerializer

from search.index.client import OrjsonSerializer

DOCUMENT = {
    "title": "Zelensky meets Yoon in Seoul — «talks»",
    "published_at": datetime(2024, 2, 3, 4, 5, 6, 789000, tzinfo=UTC),
    "day": date(2024, 2, 3),
    "naive": datetime(2024, 2, 3, 4, 5, 6),
    "id": uuid.UUID("12345678-1234-5678-1234-567812345678"),
    "scores": [1.5, 2, None, True],
    "nested": {"서울": ["a", "b"]},
}


def test_encodes_like_the_library_serializer() -> None:
    ours = OrjsonSerializer().dumps(DOCUMENT)
    assert json.loads(ours) == json.loads(JSONSerializer().dumps(DOCUMENT))
    assert "서울" in ours  # not \\u-escaped


def test_strings_pass_through_and_odd_values_fall_back() -> None:
    serializer = OrjsonSerializer()
    assert serializer.dumps('{"already": "encoded"}\n') == '{"already": "encoded"}\n'
    assert json.loads(serializer.dumps({1: "int key"})) == {"1": "int key"}
    assert json.loads(serializer.dumps({"big": 2**70})) == {"big": 2**70}  # beyond orjson


def test_decodes_and_rejects_like_the_library_serializer() -> None:
    serializer = OrjsonSerializer()
    text = '{"hits": {"total": {"value": 3}}, "name": "Łódź"}'
    assert serializer.loads(text) == JSONSerializer().loads(text)
    assert serializer.loads(text.encode()) == JSONSerializer().loads(text)
    with pytest.raises(SerializationError):
        serializer.loads('{"truncated": ')
