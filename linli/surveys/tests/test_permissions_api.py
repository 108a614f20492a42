"""Every survey API endpoint in the permission matrix, and the resident's one-time endpoint."""

from __future__ import annotations

import pytest

from linli.core.testing import Endpoint, case_id, permission_matrix
from linli.org.roles import Perm
from linli.surveys import answering
from linli.surveys.models import Question
from linli.surveys.testing import standard_version
from linli.surveys.tests.test_permissions import _invitation, _round

API = "/api/v1/surveys"
JSON = "application/json"
V, KEY = Perm.SURVEYS_VIEW, Perm.SURVEYS_KEY_IN


def _key_in(world):
    scale = Question.objects.filter(
        section__questionnaire_version=_round(world).questionnaire_version_id, kind="scale"
    ).first()
    return {"answers": {str(scale.pk): "satisfied"}}


ENDPOINTS = [
    Endpoint("api-plans", f"{API}/plans/", permission=V, api=True),
    Endpoint("api-rounds", f"{API}/rounds/", permission=V, api=True),
    Endpoint("api-round", lambda w: f"{API}/rounds/{_round(w).pk}/", permission=V, api=True, scoped=True),
    Endpoint("api-results", lambda w: f"{API}/rounds/{_round(w).pk}/results/", permission=V, api=True, scoped=True),
    Endpoint("api-invitations", lambda w: f"{API}/rounds/{_round(w).pk}/invitations/", permission=V, api=True, scoped=True),
    Endpoint("api-key-in", lambda w: f"{API}/invitations/{_invitation(w).pk}/key-in/", method="post", data=_key_in,
             permission=KEY, api=True, scoped=True, content_type=JSON),
    Endpoint("api-version", lambda w: f"{API}/versions/{standard_version().pk}/", permission=V, api=True),
    Endpoint("api-answer", lambda w: f"{API}/answer/{answering.token_for(_invitation(w))}/", api=True, public=True),
]  # fmt: skip


@pytest.mark.parametrize("case", permission_matrix(ENDPOINTS), ids=case_id)
def test_survey_api_respects_scope_and_permissions(case, client, world):
    assert case.actual(client, world) in case.expected()


def test_a_resident_answers_through_the_api_once(client, world):
    invitation = _invitation(world)
    url = f"{API}/answer/{answering.token_for(invitation)}/"
    form = client.get(url).json()
    scale = next(q for q in form["questions"] if q["kind"] == "scale")
    bad = client.post(
        url, {"answers": {str(scale["id"]): "great"}, "submit": True}, content_type=JSON
    )
    assert bad.status_code == 400 and "五级满意度" in bad.json()["detail"]
    ok = client.post(
        url, {"answers": {str(scale["id"]): "satisfied"}, "submit": True}, content_type=JSON
    )
    assert ok.json() == {"status": "returned"}
    again = client.post(
        url, {"answers": {str(scale["id"]): "satisfied"}, "submit": True}, content_type=JSON
    )
    assert again.status_code == 410


def test_results_through_the_api(client, world):
    round_ = _round(world)
    client.force_login(world.office_supervisor)
    body = client.get(f"{API}/rounds/{round_.pk}/results/?by=building").json()
    assert body["by"] == "building" and "overall" in body
    assert client.get(f"{API}/rounds/{round_.pk}/results/?by=nonsense").status_code == 400
