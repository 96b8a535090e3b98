"""Pre-filling an e-form from what the state already holds (điền sẵn): the profile and verified documents.

A field's `prefill` (in the procedure's form schema: data, not code) names its source. A value taken from a
verified document (an agency's signed result, in force) is *verified*: the applicant sees it marked and cannot
change it, and the server refuses a submission in which it differs. The state may not ask again for what it
issued electronically (NĐ 45/2020/NĐ-CP), so verified values and documents are always reused; profile values
and the owner's own uploads are a convenience that needs their consent (purpose REUSE_PURPOSE), withdrawable.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.utils.translation import gettext as _

from motcua.catalog.schemas import FormSchema
from motcua.wallet import queries
from motcua.wallet.models import Consent, WalletDocument

REUSE_PURPOSE = "tai-su-dung-du-lieu"


@dataclass(frozen=True)
class Prefilled:
    """One pre-filled value and where it came from."""

    key: str
    value: object
    verified: bool
    source: str  # shown to the applicant and the officer: "Giấy khai sinh (UBND phường Hải Châu)", "Tài khoản"
    document_id: str | None = None


def reuse_consented(owner) -> bool:
    return Consent.objects.filter(subject=owner, purpose__code=REUSE_PURPOSE, withdrawn_at__isnull=True).exists()


def _schema(form_schema) -> FormSchema:
    return form_schema if isinstance(form_schema, FormSchema) else FormSchema.model_validate(form_schema or {})


def _document_source(spec: str) -> tuple[str, list[str]] | None:
    if not spec.startswith("document."):
        return None
    _prefix, type_code, path = spec.split(".", 2)
    return type_code, path.split(".")


def _dig(data, path: list[str]):
    for part in path:
        if not isinstance(data, dict) or part not in data:
            return None
        data = data[part]
    return data


def _document_label(document: WalletDocument) -> str:
    issuer = document.issuer.name if document.issuer else ""
    return f"{document.title} ({issuer})" if issuer else document.title


def prefill(owner, form_schema) -> dict[str, Prefilled]:
    """Field key → its pre-filled value, for the fields whose source has a value (profile ones need consent)."""
    schema = _schema(form_schema)
    wanted = [field for field in schema.fields if field.prefill]
    if not wanted:
        return {}
    consented = reuse_consented(owner)
    sources = {field.key: _document_source(field.prefill) for field in wanted}
    documents = queries.verified_documents_by_type(owner, {src[0] for src in sources.values() if src})
    found: dict[str, Prefilled] = {}
    for field in wanted:
        source = sources[field.key]
        if source is None:
            if not consented:
                continue
            attribute = field.prefill.split(".", 1)[1]
            value = getattr(owner, attribute, None)
            if value not in (None, ""):
                found[field.key] = Prefilled(field.key, value, verified=False, source=_("Thông tin tài khoản"))
            continue
        document = documents.get(source[0])
        value = _dig(document.data, source[1]) if document is not None else None
        if value not in (None, "", [], {}):
            found[field.key] = Prefilled(
                field.key, value, verified=True, source=_document_label(document), document_id=str(document.pk)
            )
    return found


def _same(left, right) -> bool:
    return json.dumps(left, sort_keys=True, ensure_ascii=False, default=str) == json.dumps(
        right, sort_keys=True, ensure_ascii=False, default=str
    )


def verified_values(owner, form_schema) -> dict[str, Prefilled]:
    return {key: value for key, value in prefill(owner, form_schema).items() if value.verified}


def altered_verified_values(owner, form_schema, cleaned_data: dict) -> dict[str, str]:
    """Errors (form.<key> → message) for verified values that the submission changed; empty when none."""
    errors: dict[str, str] = {}
    for key, prefilled in verified_values(owner, form_schema).items():
        if not _same(cleaned_data.get(key), prefilled.value):
            errors[f"form.{key}"] = _(
                "Giá trị này lấy từ giấy tờ đã xác thực (%(source)s) nên không được sửa. Nếu thông tin trên giấy tờ "
                "sai, hãy đề nghị cơ quan cấp điều chỉnh."
            ) % {"source": prefilled.source}
    return errors
