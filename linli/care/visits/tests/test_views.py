"""The pages: my work, the office board, the household timeline, the phone pages, plans and
handover."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from linli.care.visits import services
from linli.care.visits.models import HandoverTask, PlanItem, Visit
from linli.care.visits.planning import generate_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def planned(world, homes, this_month):
    generate_plan(world.ch, this_month)
    return homes


def _now_field():
    return timezone.localtime().strftime("%Y-%m-%dT%H:%M")


def test_my_work_lists_the_stewards_visits_due_this_month(client, world, planned, this_month):
    client.force_login(world.steward)
    page = client.get("/tickets/my/").content.decode()
    vip_item = PlanItem.objects.get(
        customer=planned["vip"], visitor_role="steward", month=this_month
    )
    assert f"/care/visits/record/?customer={planned['vip'].pk}&amp;item={vip_item.pk}" in page
    assert "拜访 王总" in page
    client.force_login(world.outsider)
    assert "拜访 王总" not in client.get("/tickets/my/").content.decode()


def test_recording_from_my_work_updates_plan_and_timeline(client, world, planned, this_month):
    vip = planned["vip"]
    item = PlanItem.objects.get(customer=vip, visitor_role="steward", month=this_month)
    client.force_login(world.steward)
    form = client.get(f"/care/visits/record/?customer={vip.pk}&item={item.pk}")
    assert "完成计划拜访" in form.content.decode() and "VIP" in form.content.decode()
    response = client.post(
        f"/care/visits/record/?customer={vip.pk}&item={item.pk}",
        {"customer": vip.pk, "item": item.pk, "kind": "regular", "method": "door", "visited_at": _now_field(),
         "people_met": "业主本人", "raised": "电梯异响", "satisfaction": "5",
         "promise_1": "三天内检修", "promise_1_due": (timezone.localdate() + dt.timedelta(days=3)).isoformat()},
    )  # fmt: skip
    visit = Visit.objects.get()
    assert response.status_code == 302 and response.url == f"/care/visits/records/{visit.pk}/"
    item.refresh_from_db()
    assert item.status == "done"
    assert "拜访 王总" not in client.get("/tickets/my/").content.decode()
    assert "三天内检修" in client.get("/tickets/my/").content.decode()  # the commitment is owed
    timeline = client.get(f"/customers/{vip.pk}/").content.decode()
    assert "定期走访（上门）" in timeline and f"/care/visits/records/{visit.pk}/" in timeline
    detail = client.get(f"/care/visits/records/{visit.pk}/").content.decode()
    assert "电梯异响" in detail and "三天内检修" in detail and "一键转为诉求" in detail


def test_a_commitment_without_a_date_is_refused_and_nothing_is_saved(client, world, planned):
    client.force_login(world.steward)
    response = client.post("/care/visits/record/", {"customer": planned["plain"].pk, "kind": "regular",
                                                    "method": "door", "visited_at": _now_field(), "promise_1": "修灯"})  # fmt: skip
    assert response.status_code == 200 and "请填写承诺期限" in response.content.decode()
    assert not Visit.objects.exists()


def test_the_office_board_shows_overdue_visits_and_this_months_figure(
    client, world, homes, this_month
):
    last_month = (this_month - dt.timedelta(days=1)).replace(day=1)
    generate_plan(world.ch, last_month)
    generate_plan(world.ch, this_month)
    client.force_login(world.office_manager)
    page = client.get("/tickets/board/").content.decode()
    planned = PlanItem.objects.filter(community=world.ch, month=this_month).count()
    assert "逾期拜访与本月拜访计划" in page
    assert f"本月拜访 0/{planned}" in page
    overdue = (
        PlanItem.objects.filter(month=last_month, status="planned")
        .select_related("customer")
        .first()
    )
    assert overdue.customer.name in page


def test_today_page_lists_overdue_due_and_recorded(client, world, homes, this_month):
    last_month = (this_month - dt.timedelta(days=1)).replace(day=1)
    generate_plan(world.ch, last_month)
    generate_plan(world.ch, this_month)
    services.record_visit(
        homes["plain"],
        actor=world.steward,
        kind="ad_hoc",
        method="patrol",
        visited_at=timezone.now(),
    )
    client.force_login(world.steward)
    response = client.get("/care/visits/today/")
    page = response.content.decode()
    assert response.context["overdue"] and response.context["due"]
    assert 'data-section="overdue"' in page and 'data-section="done"' in page
    assert "王总" in page and "VIP" in page
    assert "13812345678" not in page  # never the clear phone


def test_record_page_masks_the_phone(client, world, planned):
    client.force_login(world.steward)
    page = client.get(f"/care/visits/record/?customer={planned['vip'].pk}").content.decode()
    assert "13812345678" not in page and "138****5678" in page


def test_picking_a_customer_by_search(client, world, planned):
    client.force_login(world.steward)
    page = client.get("/care/visits/record/?q=1-1-101").content.decode()
    assert f"?customer={planned['vip'].pk}" in page


def test_plans_page_shows_plan_vs_actual_and_regenerates(client, world, planned, this_month):
    services.record_visit(
        planned["vip"],
        actor=world.steward,
        kind="regular",
        method="door",
        visited_at=timezone.now(),
    )
    client.force_login(world.office_manager)
    response = client.get("/care/visits/")
    total = response.context["figures"]["total"]
    assert total.done == 1 and total.planned == PlanItem.objects.filter(month=this_month).count()
    assert 'data-chart="visits-compare"' in response.content.decode()
    response = client.post(
        "/care/visits/plans/generate/", {"month": f"{this_month:%Y-%m}"}, follow=True
    )
    assert "拜访计划已生成" in response.content.decode()
    assert PlanItem.objects.filter(status="done").count() == 1


def test_handover_page_hands_over_and_shows_progress(client, world, planned):
    from conftest import make_staff

    newcomer = make_staff("steward_b", "steward", world.ch, name="新物管员")
    client.force_login(world.office_manager)
    from linli.org.models import Area

    area = Area.objects.get(community=world.ch, code="CH01")
    response = client.post(
        "/care/visits/handovers/new/", {"area": area.pk, "new_steward": newcomer.pk, "note": "调岗"}
    )
    assert response.status_code == 302
    tasks = HandoverTask.objects.filter(assignee=newcomer)
    assert tasks.count() == 3
    client.force_login(newcomer)
    assert "联系 王总" in client.get("/tickets/my/").content.decode()
    task = tasks.get(customer=planned["vip"])
    client.post(
        f"/care/visits/handover-tasks/{task.pk}/contact/", {"method": "phone", "note": "已通电话"}
    )
    page = client.get(response.url).content.decode()
    assert "已联系 1 / 3 位客户" in page and 'data-progress="33"' in page
    client.force_login(world.office_manager)
    assert "1/3" in client.get("/care/visits/handovers/").content.decode()


def test_handover_to_a_steward_of_another_office_is_refused(client, world, planned):
    from linli.org.models import Area

    client.force_login(world.office_manager)
    area = Area.objects.get(community=world.ch, code="CH01")
    response = client.post(
        "/care/visits/handovers/new/", {"area": area.pk, "new_steward": world.outsider.pk}
    )
    assert response.status_code == 400
    area.refresh_from_db()
    assert area.steward == world.steward
