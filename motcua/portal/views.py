"""Portal pages: home and error pages."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext as _

from motcua.catalog import queries
from motcua.catalog.models import Level


def home(request: HttpRequest) -> HttpResponse:
    counts = queries.level_counts()
    levels = [{"code": level.value, "label": level.label, "count": counts[level.value]} for level in Level]
    return render(request, "portal/home.html", {"levels": levels, "fields": queries.fields_with_counts()})


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    context = {
        "heading": _("Không tìm thấy trang"),
        "message": _("Trang bạn tìm không tồn tại hoặc đã được chuyển đi."),
    }
    return HttpResponse(loader.render_to_string("portal/error.html", context, request), status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # No request context: the database or a context processor may be what failed.
    context = {"heading": _("Đã có lỗi xảy ra"), "message": _("Hệ thống gặp sự cố. Xin vui lòng thử lại sau ít phút.")}
    return HttpResponse(loader.render_to_string("portal/error.html", context), status=500)
