"""docs/openapi.json is what the server serves (generated with the dev endpoints on)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.api.conftest import Api

DOC = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"


def test_docs_openapi_json_matches_the_app() -> None:
    from backend_stub.openapi import document

    assert DOC.read_text(encoding="utf-8") == document(), "run: python -m backend_stub.openapi"


def test_served_document_matches_the_file(demo: Api) -> None:
    served = demo.get("/openapi.json")
    assert served.status_code == 200
    assert served.json() == json.loads(DOC.read_text(encoding="utf-8"))


def test_every_operation_is_named_and_documents_its_errors() -> None:
    doc = json.loads(DOC.read_text(encoding="utf-8"))
    operations = [op for path in doc["paths"].values() for op in path.values()]
    assert len({op["operationId"] for op in operations}) == len(operations) >= 13
    for op in operations:
        for status, response in op["responses"].items():
            if status.startswith(("4", "5")):
                assert response["content"]["application/json"]["schema"] == {
                    "$ref": "#/components/schemas/ErrorBody"
                }
        assert "422" not in op["responses"]
