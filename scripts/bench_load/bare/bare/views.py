"""The two baseline views: a primary-key read as JSON, and an insert + update in one transaction."""

import json

from django.db import transaction
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from bare.models import Record


def _out(record: Record) -> dict:
    return {
        "id": record.pk,
        "code": record.code,
        "state": record.state,
        "name": record.name,
        "created_at": record.created_at.isoformat(),
        "updated_at": record.updated_at.isoformat(),
        "revision": record.revision,
    }


@require_GET
def read(request: HttpRequest, pk: int) -> JsonResponse:
    record = Record.objects.filter(pk=pk).first()
    if record is None:
        return JsonResponse({"error": "not found"}, status=404)
    return JsonResponse(_out(record))


@require_POST
def write(request: HttpRequest) -> JsonResponse:
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        return JsonResponse({"error": "not JSON"}, status=400)
    now = timezone.now()
    with transaction.atomic():
        record = Record.objects.create(
            code=str(body.get("code", ""))[:40], name=str(body.get("name", ""))[:200], created_at=now, updated_at=now
        )
        # The update a state change makes: the row is read back locked and changed in the same transaction.
        record = Record.objects.select_for_update().get(pk=record.pk)
        record.state, record.revision, record.updated_at = 2, record.revision + 1, timezone.now()
        record.save(update_fields=["state", "revision", "updated_at"])
    return JsonResponse(_out(record), status=201)
