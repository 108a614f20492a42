"""API v1 infrastructure endpoints: token, me, and the organisation/policy reads."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from linli import policy
from linli.api.permissions import HasPerm
from linli.org.models import Community
from linli.org.roles import Perm, Role
from linli.org.selectors import access_community
from linli.policy import registry


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, trim_whitespace=False)


class CommunitySerializer(serializers.ModelSerializer):
    class Meta:
        model = Community
        fields = ["code", "name", "address", "households", "phone", "moved_in_on", "is_active"]


class ParameterSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    kind = serializers.CharField()
    unit = serializers.CharField()
    article = serializers.CharField()
    value = serializers.JSONField()
    default = serializers.JSONField()
    community_override = serializers.BooleanField()


@extend_schema(
    request=TokenRequestSerializer,
    responses={200: inline_serializer("TokenResponse", {"token": serializers.CharField()})},
    auth=[],
)
@api_view(["POST"])
@authentication_classes([])
@permission_classes([AllowAny])
def obtain_token(request: Request) -> Response:
    """Exchange a username and password for an API token (guarded by the login lock-out)."""
    data = TokenRequestSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    user = authenticate(
        request._request,  # axes needs the Django request to count failures and lock out
        username=data.validated_data["username"],
        password=data.validated_data["password"],
    )
    if getattr(request._request, "axes_locked_out", False):
        from linli.org.security import lockout_message

        return Response({"detail": lockout_message()}, status=status.HTTP_429_TOO_MANY_REQUESTS)
    if user is None or not user.is_active or not getattr(user, "role", ""):
        return Response({"detail": _("用户名或密码不正确。")}, status=status.HTTP_400_BAD_REQUEST)
    token, created = Token.objects.get_or_create(user=user)
    if not created:  # each login issues a fresh token with a fresh lifetime
        token.delete()
        token = Token.objects.create(user=user)
    return Response({"token": token.key})


@extend_schema(
    responses=inline_serializer(
        "Me",
        {
            "username": serializers.CharField(),
            "name": serializers.CharField(),
            "role": serializers.CharField(),
            "role_label": serializers.CharField(),
            "communities": serializers.ListField(child=serializers.CharField()),
            "permissions": serializers.ListField(child=serializers.CharField()),
        },
    )
)
@api_view(["GET"])
def me(request: Request) -> Response:
    user: Any = request.user
    return Response(
        {
            "username": user.username,
            "name": user.display_name,
            "role": user.role,
            "role_label": str(Role(user.role).label) if user.role else "",
            "communities": list(Community.objects.visible_to(user).values_list("code", flat=True)),
            "permissions": sorted(user.perms),
        }
    )


class CommunityList(generics.ListAPIView):
    serializer_class = CommunitySerializer

    def get_queryset(self):
        return Community.objects.visible_to(self.request.user).order_by("code")


class CommunityDetail(generics.RetrieveAPIView):
    serializer_class = CommunitySerializer

    def get_object(self) -> Community:
        return access_community(self.request.user, self.kwargs["code"])


def _parameter_row(param: registry.Parameter, community: Community | None) -> dict[str, Any]:
    return {
        "key": param.key,
        "label": str(param.label),
        "kind": param.kind,
        "unit": str(param.unit),
        "article": str(param.article),
        "value": param.to_json(policy.value(param.key, community=community)),
        "default": param.to_json(param.default),
        "community_override": param.community_override,
    }


@extend_schema(
    parameters=[OpenApiParameter("community", str, description="小区代码：返回该小区适用的取值")],
    responses=ParameterSerializer(many=True),
)
@api_view(["GET"])
@permission_classes([HasPerm(Perm.POLICY_VIEW)])
def parameters(request: Request) -> Response:
    """Every policy parameter with the value in force now (for a community when given)."""
    code = request.query_params.get("community")
    community = access_community(request.user, code) if code else None
    return Response([_parameter_row(p, community) for p in registry.PARAMETERS.values()])
