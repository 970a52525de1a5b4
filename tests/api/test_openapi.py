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
        # FastAPI's default 422 is gone (validation errors answer 400 here); a 422 left is the key's.
        if "422" in op["responses"]:
            assert op["responses"]["422"]["x-error-codes"] == ["idempotency_key_reused"], op["operationId"]
    assert "HTTPValidationError" not in doc["components"]["schemas"]


def _operations() -> list[dict]:
    doc = json.loads(DOC.read_text(encoding="utf-8"))
    return [op for path in doc["paths"].values() for op in path.values()]


def test_an_idempotency_key_is_required_wherever_it_is_taken() -> None:
    keyed = []
    for op in _operations():
        for parameter in op.get("parameters", []):
            if parameter["name"].lower() == "idempotency-key":
                keyed.append(op["operationId"])
                assert parameter["in"] == "header" and parameter["required"] is True, op["operationId"]
                bounds = {
                    "type": "string",
                    "minLength": 1,
                    "maxLength": 255,
                    "pattern": "^[ -~]*[!-~][ -~]*$",
                }
                assert bounds.items() <= parameter["schema"].items(), op["operationId"]
                # A missing key is a 400; the same key with another body a 422.
                assert {"400", "409", "422"} <= set(op["responses"]), op["operationId"]
    assert sorted(keyed) == ["createPayment", "refundPayment", "voidPayment"]


def test_no_parameter_is_null_and_every_status_the_server_gives_is_documented() -> None:
    for op in _operations():
        name, responses = op["operationId"], op["responses"]
        parameters = op.get("parameters", [])
        for parameter in parameters:
            # A query or header value is sent or not: it is never null.
            assert "anyOf" not in parameter["schema"], (name, parameter["name"])
        if "requestBody" in op or any(p["in"] != "path" for p in parameters):
            assert "400" in responses, name  # validation answers the house 400
        if any(p["in"] == "path" for p in parameters):
            assert "404" in responses, name  # a path id that names nothing
        if op.get("security"):
            assert "401" in responses, name
        if any(p["name"] == "cursor" for p in parameters):
            assert "invalid_cursor" in responses["400"]["x-error-codes"], name


def test_rules_a_schema_cannot_state_are_named_by_code() -> None:
    codes = {
        op["operationId"]: {
            status: set(response.get("x-error-codes", [])) for status, response in op["responses"].items()
        }
        for op in _operations()
    }
    assert {"invalid_card_number", "invalid_routing_number", "invalid_email"} <= codes["createPayment"]["400"]
    assert {"card_declined", "card_payment_limit"} <= codes["createPayment"]["402"]
    assert {"date_in_past", "date_after_due"} <= codes["createScheduledPayment"]["400"]
    assert {"invalid_card_number", "invalid_cvc"} <= codes["addPaymentMethod"]["400"]
    assert {"range_too_old", "invalid_range"} <= codes["getStatement"]["400"]
    for op in _operations():
        for response in op["responses"].values():
            for code in response.get("x-error-codes", []):
                assert f"`{code}`" in response["description"], (op["operationId"], code)


def test_the_schema_refuses_what_the_server_refuses() -> None:
    doc = json.loads(DOC.read_text(encoding="utf-8"))
    schemas = doc["components"]["schemas"]
    update = schemas["AccountUpdate"]["properties"]
    for field in ("paperless", "sms_opt_in", "email", "service_address"):
        assert "anyOf" not in update[field] and update[field].get("type") != "null", field  # no null
    assert "anyOf" in update["phone"]  # `phone: null` removes the number
    change = schemas["ScheduledChange"]["properties"]
    assert change["amount_cents"]["type"] == "integer" and "anyOf" not in change["amount_cents"]
    assert change["pay_on"] == {"format": "date", "title": "Pay On", "type": "string"}
    lists = [op for op in _operations() if any(p["name"] == "cursor" for p in op.get("parameters", []))]
    assert len(lists) >= 10
    for op in lists:
        [cursor] = [p for p in op["parameters"] if p["name"] == "cursor"]
        assert cursor["schema"]["minLength"] == 1, op["operationId"]  # `cursor=` is refused
