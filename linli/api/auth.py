from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from linli import policy


class ExpiringTokenAuthentication(TokenAuthentication):
    """`Authorization: Token …`; a token older than the policy's lifetime is refused."""

    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        user, token = super().authenticate_credentials(key)
        hours = int(policy.value("security.api.token_hours"))
        if token.created < timezone.now() - dt.timedelta(hours=hours):
            token.delete()
            raise exceptions.AuthenticationFailed(_("令牌已过期，请重新获取。"))
        return user, token
