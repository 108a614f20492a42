"""The grading pages: what they show, scope and secrecy, and the review worked through HTTP."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from linli.customers.models import Customer, Secrecy
from linli.customers.testing import make_customer
from linli.grading import jobs, services
from linli.grading.models import CustomerGrade, GradeChange, GradeReview, GradeReviewItem, GradeRule
from linli.grading.testing import grade, set_grade


def _text(response) -> str:
    return response.content.decode()


def test_the_customer_page_explains_the_proposal(client, world):
    customer = make_customer(world.ch, "孙丽", is_committee_member=True)
    client.force_login(world.office_supervisor)
    page = _text(client.get(f"/grading/customers/{customer.pk}/"))
    assert "业主委员会成员" in page and "命中规则" in page and "A类客户" in page
    assert "未定级" in page and "确认或调整等级" in page


def test_an_override_without_a_reason_shows_the_error_and_changes_nothing(client, world):
    customer = make_customer(world.ch, "张三")
    client.force_login(world.office_supervisor)
    response = client.post(
        f"/grading/customers/{customer.pk}/decide/", {"grade": grade("c").pk, "reason": ""}
    )
    assert response.status_code == 200 and "请填写调整理由" in _text(response)
    assert not GradeChange.objects.exists()


def test_the_review_worked_through_the_pages(client, world):
    """Rules propose, the supervisor confirms in bulk and overrides a row, the company approves
    the VIP; the customer's history shows old → new with who and why."""
    vip = make_customer(world.ch, "李总", room="1-1-101", is_important=True)
    member = make_customer(world.ch, "孙丽", room="1-1-102", is_committee_member=True)
    plain = make_customer(world.ch, "张三", room="1-1-103")
    jobs.create_due_reviews()
    review = GradeReview.objects.get(community=world.ch)
    client.force_login(world.office_supervisor)
    page = _text(client.get(f"/grading/reviews/{review.pk}/"))
    assert (
        all(name in page for name in ("李总", "孙丽", "张三")) and "确认筛选出的全部 3 条" in page
    )

    item = review.items.get(customer=plain)
    client.post(f"/grading/reviews/items/{item.pk}/decide/",
                {"action": "override", "grade": grade("c").pk, "reason": "长期拖欠维修基金"})  # fmt: skip
    response = client.post(
        f"/grading/reviews/{review.pk}/confirm/", {"scope": "filtered"}, follow=True
    )
    assert "已确认 1 位客户的等级" in _text(response) and "1 位需公司审批" in _text(response)
    assert CustomerGrade.objects.get(customer=member).grade.code == "a"
    assert CustomerGrade.objects.get(customer=vip).pending_grade.code == "vip"

    client.force_login(world.hq_admin)
    assert "李总" in _text(client.get("/grading/approvals/"))
    client.post(
        f"/grading/customers/{vip.pk}/approve/",
        {"decision": "approve", "next": "/grading/approvals/"},
    )
    assert CustomerGrade.objects.get(customer=vip).grade.code == "vip"

    client.force_login(world.office_supervisor)
    history = _text(client.get(f"/grading/customers/{plain.pk}/"))
    assert (
        "长期拖欠维修基金" in history and "人工调整" in history and "office_supervisor" in history
    )
    vip_page = _text(client.get(f"/grading/customers/{vip.pk}/"))
    assert "审批：hq_admin" in vip_page
    assert set(review.items.values_list("decision", flat=True)) == {
        GradeReviewItem.Decision.CONFIRMED,
        GradeReviewItem.Decision.OVERRIDDEN,
    }
    timeline = _text(client.get(f"/customers/{plain.pk}/"))
    assert "客户等级 未定级 → C类客户" in timeline


def test_a_steward_cannot_see_another_communitys_grades(client, world):
    other = make_customer(world.jg, "王五")
    set_grade(other, "b", actor=_jg_supervisor(world))
    jobs.create_due_reviews()
    client.force_login(world.steward)
    assert client.get(f"/grading/customers/{other.pk}/").status_code == 404
    client.force_login(world.office_supervisor)
    review = GradeReview.objects.get(community=world.jg)
    assert client.get(f"/grading/reviews/{review.pk}/").status_code == 404
    item = review.items.first()
    if item is not None:
        assert (
            client.post(
                f"/grading/reviews/items/{item.pk}/decide/", {"action": "confirm"}
            ).status_code
            == 404
        )
    assert "王五" not in _text(client.get("/grading/reviews/"))


def _jg_supervisor(world):
    from conftest import make_staff

    return make_staff("jg_supervisor", "office_customer_supervisor", world.jg)


def test_files_above_clearance_are_absent_from_lists_and_counts(client, world):
    secret = make_customer(world.ch, "秘总", room="1-1-101", is_important=True)
    Customer.objects.filter(pk=secret.pk).update(secrecy=Secrecy.TOP_SECRET)
    make_customer(world.ch, "张三", room="1-1-102")
    jobs.create_due_reviews()
    review = GradeReview.objects.get(community=world.ch)
    services.confirm_items(
        review, review.items.values_list("pk", flat=True), actor=world.office_supervisor
    )
    client.force_login(world.office_supervisor)
    assert "秘总" not in _text(client.get(f"/grading/reviews/{review.pk}/?decision="))
    assert client.get(f"/grading/customers/{secret.pk}/").status_code == 404
    client.force_login(
        world.hq_admin
    )  # the company may approve, but not see the file at top secret
    assert "秘总" not in _text(client.get("/grading/approvals/"))
    from linli.grading.analysis import structure

    data = structure(world.office_manager, None)  # the office manager's clearance: 机密
    assert data["total"] == 1 and [g["count"] for g in data["grades"]] == [0, 0, 1, 0]
    assert structure(world.office_manager, None)["pending_approvals"] == 0


def test_the_scheme_page_previews_rule_hits(client, world):
    make_customer(world.ch, "孙丽", is_committee_member=True, room="1-1-101")
    make_customer(world.ch, "张三", room="1-1-102")
    client.force_login(world.hq_admin)
    page = _text(client.get("/grading/"))
    assert "业主委员会成员" in page and "满足条件" in page
    data = {
        "name": "全部业主", "grade": grade("a").pk, "priority": 5, "is_active": "on", "preview": "1",
        "c-TOTAL_FORMS": 1, "c-INITIAL_FORMS": 0, "c-0-input": "owner", "c-0-op": "=", "c-0-value": "是",
    }  # fmt: skip
    response = client.post("/grading/rules/new/", data)
    assert "2</strong> 位满足这些条件" in _text(response)
    assert not GradeRule.objects.filter(name="全部业主").exists()  # a preview saves nothing
    data.update({"c-0-input": "wealth"})
    data.pop("preview")
    response = client.post("/grading/rules/new/", data)
    assert "wealth" in _text(response) and not GradeRule.objects.filter(name="全部业主").exists()


def test_the_plan_editor_saves_cadences(client, world):
    from linli.grading.models import ServicePlan

    plan = ServicePlan.objects.get(grade__code="c")
    client.force_login(world.hq_admin)
    response = client.post(f"/grading/plans/{plan.pk}/edit/", {
        "sla_factor": "0.9", "care_events": ["birthday"], "version": plan.version,
        "v-TOTAL_FORMS": 2, "v-INITIAL_FORMS": 0, "v-0-visitor": "steward", "v-0-times": 1, "v-0-per_months": 1,
        "v-1-visitor": "", "v-1-policy_key": "",
    })  # fmt: skip
    assert response.status_code == 302
    plan.refresh_from_db()
    assert str(plan.sla_factor) == "0.90" and plan.care_events == ["birthday"]
    assert list(plan.cadences.values_list("visitor", "times", "per_months")) == [("steward", 1, 1)]
    assert "每月 1 次" in _text(client.get("/grading/plans/"))


def test_the_analysis_exports_excel(client, world):
    customer = make_customer(world.ch, "张三")
    set_grade(customer, "b", actor=world.office_supervisor)
    client.force_login(world.office_manager)
    response = client.get("/grading/analysis/export/")
    assert response.status_code == 200 and "xlsx" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames[:3] == ["按等级", "按小区", "按标记"]
    rows = list(book["按等级"].iter_rows(min_row=5, values_only=True))
    assert ("B类客户", 1, 100.0) in rows


def test_visit_coverage_appears_when_a_visits_provider_exists(client, world):
    """Without a provider the page says coverage comes later; with one, it shows the figure.
    The registered providers (the visits app's) are put back afterwards."""
    from linli.grading import hooks

    customer = make_customer(world.ch, "张三")
    set_grade(customer, "b", actor=world.office_supervisor)
    client.force_login(world.office_manager)
    registered = list(hooks.VISITED_PROVIDERS)
    try:
        hooks.VISITED_PROVIDERS[:] = []
        assert "拜访记录模块上线后" in _text(client.get("/grading/analysis/"))
        hooks.VISITED_PROVIDERS[:] = [lambda customers, since: customers.values("pk")]
        page = _text(client.get("/grading/analysis/"))
    finally:
        hooks.VISITED_PROVIDERS[:] = registered
    assert "拜访记录模块上线后" not in page and "100.0%" in page


def test_starting_a_review_shows_the_job(client, world, django_capture_on_commit_callbacks):
    make_customer(world.ch, "张三")
    client.force_login(world.office_supervisor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/grading/reviews/start/")
    assert response.status_code == 302
    page = _text(client.get(response["Location"]))
    assert "评估完成" in page and "复评清单" in page
    assert "评估完成" in _text(client.get(response["Location"], headers={"HX-Request": "true"}))
