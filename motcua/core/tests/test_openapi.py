from pathlib import Path

from django.conf import settings

from motcua.core.management.commands.export_openapi import openapi_text


def test_committed_openapi_document_matches_the_code():
    committed = Path(settings.BASE_DIR, "openapi.json").read_text(encoding="utf-8")
    assert committed == openapi_text(), "openapi.json is out of date: run `make openapi` and commit it."


def test_openapi_is_served(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/procedures" in paths and "/api/v1/procedures/{code}" in paths
