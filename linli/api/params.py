"""Query parameters and paging that every chapter's API reads the same way."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from linli.api.pagination import Pagination
from linli.org.directory import community_id_for


def community_param(request: Request) -> int | None:
    """`?community=CODE` as a community id; a code outside the user's scope is 404 like a
    missing one (the scoping gate's rule decides, not the caller)."""
    code = request.query_params.get("community")
    return community_id_for(request.user, code) if code else None


def flag_param(request: Request, name: str) -> bool:
    return request.query_params.get(name) in ("1", "true", "on")


def paginated(request: Request, rows: Any, serializer: type[serializers.BaseSerializer]) -> Response:  # fmt: skip
    """One page of `rows` (Linli's page size and limits) through `serializer`."""
    paginator = Pagination()
    page = paginator.paginate_queryset(rows, request)
    return paginator.get_paginated_response(serializer(page, many=True).data)
