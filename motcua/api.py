"""The versioned REST API: /api/v1/. Each app contributes a router; the error format is shared."""

from ninja import NinjaAPI

from motcua.catalog.api import router as catalog_router
from motcua.catalog.api import units_router
from motcua.core.api_errors import install_error_handlers

api = NinjaAPI(
    title="motcua API",
    version="1",
    description="API dịch vụ công trực tuyến motcua (một cửa). Thông báo lỗi theo ngôn ngữ của Accept-Language.",
    urls_namespace="api-v1",
    docs_url=None,
    openapi_url="/openapi.json",
)
install_error_handlers(api)
api.add_router("/procedures", catalog_router, tags=["catalog"])
api.add_router("/units", units_router, tags=["catalog"])
