from __future__ import annotations

import pytest

from linli.core.testing import Endpoint, case_id, permission_matrix


def _message_of_steward(world) -> str:
    from linli.notify.services import notify_staff

    notify_staff([world.steward], subject="矩阵", body="", kind="t", link="/")
    from linli.notify.models import Message

    return f"/notify/{Message.objects.filter(recipient=world.steward).latest('pk').pk}/"


ENDPOINTS = [
    Endpoint("inbox", "/notify/"),
    Endpoint("mark-read", "/notify/read/", method="post", ok=frozenset({302})),
]
# A message belongs to one person: everyone else gets 404, like an object of another community.
OWN_MESSAGE = Endpoint("open-message", _message_of_steward, ok=frozenset({302}))
ENDPOINTS.append(OWN_MESSAGE)


@pytest.mark.parametrize("case", permission_matrix(ENDPOINTS[:2]), ids=case_id)
def test_notify_urls_respect_login(case, client, world):
    assert case.actual(client, world) in case.expected()


@pytest.mark.parametrize(
    "persona", ["anonymous", "steward", "office_manager", "outsider", "hq_supervisor"]
)
def test_a_message_opens_only_for_its_recipient(persona, client, world):
    path = _message_of_steward(world)
    user = world.personas[persona]
    if user is not None:
        client.force_login(user)
    status = client.get(path).status_code
    assert status == {"anonymous": 302, "steward": 302}.get(persona, 404)
