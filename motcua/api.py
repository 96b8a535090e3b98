"""The versioned REST API: /api/v1/. Each app contributes a router; the error format is shared."""

import logging

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.security import SessionAuth

from motcua.accounts.tokens import TokenAuth
from motcua.catalog.api import router as catalog_router
from motcua.catalog.api import units_router
from motcua.core.api_errors import error_response, install_error_handlers
from motcua.core.errors import ServiceError
from motcua.dossiers.api import documents_router, lookup_router, worklist_router
from motcua.dossiers.api import router as dossiers_router
from motcua.exchange.api import router as exchange_router
from motcua.metrics.api import router as metrics_router
from motcua.national.api import router as national_router
from motcua.national.api_statistics import router as national_statistics_router
from motcua.signing.api import router as results_router
from motcua.signing.pki import SigningKeyError
from motcua.wallet.api import router as wallet_router
from motcua.wallet.api import shares_router

api = NinjaAPI(
    title="motcua API",
    version="1",
    description="API dịch vụ công trực tuyến motcua (một cửa). Thông báo lỗi theo ngôn ngữ của Accept-Language.",
    urls_namespace="api-v1",
    docs_url=None,
    openapi_url="/openapi.json",
)
install_error_handlers(api)
logger = logging.getLogger(__name__)


@api.exception_handler(ServiceError)
def _service_error(request: HttpRequest, exc: ServiceError) -> HttpResponse:
    details = [{"field": field, "message": message} for field, message in exc.errors.items()]
    return error_response(api, request, status=exc.status, code=exc.code, message=exc.message, details=details)


@api.exception_handler(SigningKeyError)
def _signing_key_error(request: HttpRequest, exc: SigningKeyError) -> HttpResponse:
    # An approval is signed in its own transaction: nothing was approved; the operator must fix the key.
    logger.exception("result could not be signed")
    message = _(
        "Chưa ký số được kết quả nên hồ sơ chưa được phê duyệt: khóa ký số của cơ quan chưa sẵn sàng. "
        "Hãy báo quản trị hệ thống."
    )
    return error_response(api, request, status=503, code="signing_unavailable", message=message)


# Signed-in users: a bearer token (systems), or the session cookie (with its CSRF check for writes).
signed_in = [TokenAuth(), SessionAuth()]

api.add_router("/procedures", catalog_router, tags=["catalog"])
api.add_router("/units", units_router, tags=["catalog"])
api.add_router("/documents", documents_router, auth=signed_in)
api.add_router("/dossiers", dossiers_router, auth=signed_in)
api.add_router("/worklists", worklist_router, auth=signed_in)
api.add_router("/lookup", lookup_router)
api.add_router("/results", results_router, tags=["signing"])
api.add_router("", metrics_router, tags=["metrics"])
api.add_router("/wallet", wallet_router, auth=signed_in, tags=["wallet"])
api.add_router("/shares", shares_router, tags=["wallet"])
api.add_router("/national", national_router)
api.add_router("/national", national_statistics_router)
api.add_router("/exchange", exchange_router)
