"""Demo surveys: two answered past rounds (a trend), comments, audits, and an open round."""

from __future__ import annotations

from linli.customers.demo import load_households
from linli.org.demo import load_organisation
from linli.org.models import Community
from linli.surveys import results
from linli.surveys.demo import load_demo
from linli.surveys.models import AuditCheck, CommentFollowUp, SurveyRound


def test_the_demo_has_two_answered_rounds_and_an_open_one(db):
    load_organisation(7)
    for community in Community.objects.all():
        load_households(community, 7, limit=40)
    made = load_demo(7)
    assert made["rounds"] == 3 and made["responses"] > 0 and made["comments"] > 0
    rounds = list(SurveyRound.objects.order_by("starts_on"))
    assert [r.status for r in rounds] == ["reported", "reported", "open"]
    trend = results.trend(rounds[1])
    assert [r.pk for r, _ in trend] == [rounds[0].pk, rounds[1].pk]
    assert all(result.overall.percent is not None for _, result in trend)
    assert AuditCheck.objects.filter(round=rounds[0]).exists()
    assert CommentFollowUp.objects.filter(done_at__isnull=False).exists()
    assert load_demo(7) == {}  # idempotent


def test_the_results_page_compares_with_earlier_rounds(client, db):
    from linli.org.models import Staff

    load_organisation(7)
    for community in Community.objects.all():
        load_households(community, 7, limit=30)
    load_demo(7)
    later = SurveyRound.objects.order_by("starts_on")[1]
    client.force_login(Staff.objects.get(username="researcher"))
    page = client.get(f"/surveys/rounds/{later.pk}/results/")
    assert [r.pk for r, _ in page.context["trend"]] == list(
        SurveyRound.objects.order_by("starts_on").values_list("pk", flat=True)[:2]
    )
    assert "与往期比较" in page.content.decode()
