from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission

from linli.org.roles import PERMISSION_LABELS


def HasPerm(code: str) -> type[BasePermission]:
    """DRF permission class requiring a Linli permission code (missing → 403 naming it)."""

    class _HasPerm(BasePermission):
        message = f"您的岗位没有“{PERMISSION_LABELS.get(code, code)}”权限（{code}）。"

        def has_permission(self, request: Any, view: Any) -> bool:
            user = request.user
            return bool(user and user.is_authenticated and code in user.perms)

    _HasPerm.__name__ = f"HasPerm[{code}]"
    return _HasPerm
