from __future__ import annotations

import datetime as dt
import json

from django.utils import timezone
from rest_framework.authtoken.models import Token

PASSWORD = "Test-pass-2026"


def token_for(client, username, password=PASSWORD):
    return client.post(
        "/api/v1/auth/token/",
        json.dumps({"username": username, "password": password}),
        content_type="application/json",
    )


def test_token_then_me(client, world):
    response = token_for(client, "steward")
    assert response.status_code == 200
    token = response.json()["token"]
    me = client.get("/api/v1/me/", headers={"Authorization": f"Token {token}"})
    assert me.status_code == 200
    body = me.json()
    assert body["username"] == "steward"
    assert body["role"] == "steward"
    assert body["communities"] == ["CH"]
    assert "customers.view" in body["permissions"] and "policy.edit" not in body["permissions"]


def test_company_role_me_lists_every_community(client, world):
    token = token_for(client, "hq_supervisor").json()["token"]
    body = client.get("/api/v1/me/", headers={"Authorization": f"Token {token}"}).json()
    assert body["communities"] == ["CH", "JG"]


def test_wrong_credentials_are_a_json_400(client, world):
    response = token_for(client, "steward", "nope")
    assert response.status_code == 400
    assert response.json() == {"detail": "用户名或密码不正确。"}


def test_malformed_json_is_a_json_400(client, world):
    response = client.post("/api/v1/auth/token/", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert "detail" in response.json()


def test_missing_fields_name_the_field(client, world):
    response = client.post(
        "/api/v1/auth/token/", json.dumps({"username": "steward"}), content_type="application/json"
    )
    assert response.status_code == 400
    assert "password" in response.json()["errors"]


def test_expired_token_is_refused(client, world):
    token = token_for(client, "steward").json()["token"]
    Token.objects.filter(key=token).update(created=timezone.now() - dt.timedelta(hours=25))
    response = client.get("/api/v1/me/", headers={"Authorization": f"Token {token}"})
    assert response.status_code == 401
    assert "过期" in response.json()["detail"]
    assert not Token.objects.filter(key=token).exists()


def test_bad_token_is_401(client, world):
    response = client.get("/api/v1/me/", headers={"Authorization": "Token 0000"})
    assert response.status_code == 401 and "detail" in response.json()


def test_token_endpoint_is_guarded_by_the_lockout(client, world):
    for _ in range(5):
        token_for(client, "steward", "wrong")
    response = token_for(client, "steward")
    assert response.status_code == 429
    assert "锁定" in response.json()["detail"]


def test_unknown_community_is_json_404(client, world):
    client.force_login(world.hq_supervisor)
    response = client.get("/api/v1/communities/ZZ/")
    assert response.status_code == 404 and response.json() == {"detail": "未找到。"}


def test_other_community_is_404_like_missing(client, world):
    client.force_login(world.steward)
    assert client.get("/api/v1/communities/JG/").json() == {"detail": "未找到。"}


def test_unknown_api_path_is_json_404(client, world):
    client.force_login(world.steward)
    response = client.get("/api/v1/nothing-here/")
    assert response.status_code == 404 and response.json()["detail"]


def test_parameters_for_a_community_use_its_override(client, world):
    from linli.policy.services import set_parameter

    set_parameter(
        "worktime.day_start", "09:00", actor=world.hq_admin, reason="x", community=world.ch
    )
    client.force_login(world.office_manager)
    rows = {r["key"]: r for r in client.get("/api/v1/policy/parameters/?community=CH").json()}
    assert rows["worktime.day_start"]["value"] == "09:00"
    rows = {r["key"]: r for r in client.get("/api/v1/policy/parameters/").json()}
    assert rows["worktime.day_start"]["value"] == "08:30"


def test_schema_is_openapi_3_and_docs_use_packaged_assets(client, world):
    client.force_login(world.steward)
    schema = client.get("/api/v1/schema/", headers={"Accept": "application/json"})
    assert schema.status_code == 200
    docs = client.get("/api/v1/docs/").content.decode()
    assert "http://" not in docs.replace("http://testserver", "") and "https://" not in docs
    assert "/static/drf_spectacular_sidecar/" in docs


def test_healthz(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok", "database": "ok"}


def test_healthz_is_503_when_the_database_is_down(client, db, monkeypatch):
    from django.db import connection
    from django.db.utils import OperationalError

    def broken(*args, **kwargs):
        raise OperationalError("connection refused")

    with monkeypatch.context() as patch:
        patch.setattr(connection, "cursor", broken)
        response = client.get("/healthz")
    assert response.status_code == 503 and response.json()["database"] == "unavailable"
