from __future__ import annotations

import datetime as dt

import pytest
from django.http import Http404
from django.utils import timezone

from linli.customers.models import Customer, Secrecy
from linli.customers.selectors import access_customer, search_customers
from linli.customers.testing import make_customer
from linli.privacy.models import AccessLog
from linli.privacy.services import decide_grant, request_grant


def test_steward_cannot_see_another_community_customer(world):
    other = make_customer(world.jg, "李四")
    with pytest.raises(Http404):
        access_customer(world.steward, other.pk)
    assert not Customer.objects.visible_to(world.steward).filter(pk=other.pk).exists()


def test_file_above_clearance_is_absent_until_a_grant_is_approved(world):
    vip = make_customer(world.ch, "王五", secrecy=Secrecy.CONFIDENTIAL)
    assert not Customer.objects.visible_to(world.steward).filter(pk=vip.pk).exists()
    assert search_customers(world.steward, "王五") == []
    grant = request_grant(vip, actor=world.steward, reason="上门维修需联系")
    assert not Customer.objects.visible_to(world.steward).filter(pk=vip.pk).exists()
    decide_grant(grant, actor=world.office_manager, approve=True)
    world.steward.refresh_from_db()
    assert access_customer(world.steward, vip.pk) == vip
    # The grant expires after the policy's time.
    grant.refresh_from_db()
    type(grant).objects.filter(pk=grant.pk).update(
        valid_until=timezone.now() - dt.timedelta(seconds=1)
    )
    world.steward.refresh_from_db()
    with pytest.raises(Http404):
        access_customer(world.steward, vip.pk)


def test_top_secret_needs_the_general_manager(world):
    from linli.core.errors import DomainError
    from linli.org.models import Staff

    secret = make_customer(world.ch, "赵六", secrecy=Secrecy.TOP_SECRET)
    grant = request_grant(secret, actor=world.office_manager, reason="董事会交办")
    with pytest.raises(Exception):  # noqa: B017  (PermissionDenied naming the permission)
        decide_grant(grant, actor=world.office_manager, approve=True)
    gm = Staff.objects.create(username="gm", role="general_manager")
    decide_grant(grant, actor=gm, approve=True)
    with pytest.raises(DomainError):
        decide_grant(grant, actor=gm, approve=True)


def test_opening_a_confidential_file_is_logged(world):
    vip = make_customer(world.ch, "钱七", secrecy=Secrecy.CONFIDENTIAL)
    access_customer(world.office_manager, vip.pk)
    log = AccessLog.objects.get()
    assert log.action == "open" and log.customer == vip and log.actor == world.office_manager
    make_customer(world.ch, "孙八", room="1-1-101")
    access_customer(world.office_manager, Customer.objects.get(name="孙八").pk)
    assert AccessLog.objects.count() == 1  # ordinary files are not registered


def test_search_by_name_pinyin_initials_phone_tail_and_room(world):
    zhang = make_customer(world.ch, "张三", mobile="13912345678", room="3-2-501")
    make_customer(world.ch, "李四", mobile="13700001111", room="5-1-302")
    for query in ("张三", "张", "zhangsan", "zs", "5678", "3-2-501", "3栋2单元501", "3-2"):
        assert search_customers(world.steward, query) == [zhang], query
    assert search_customers(world.outsider, "张三") == []
