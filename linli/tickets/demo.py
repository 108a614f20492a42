"""Demo tickets: a year of requests and complaints in each community, made through the services.

Each ticket gets a planned life — opened, dispatched, started, resolved (most on time, some
late and escalated by the supervision sweep), visited (a realistic satisfaction mix; the
dissatisfied are reopened, escalated and resolved again), closed — and every step that falls
before now is carried out by the same services the pages call, with the clock set to the
step's time. So the history rows, deadlines, company-level rules and return visits are what
real work would have left; tickets whose next step lies in the future are still open today.
Deterministic for a seed (apart from the date it is run).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from linli.core.errors import DomainError
from linli.customers.models import Occupancy, Room
from linli.org.models import Community, Department, Staff
from linli.org.roles import Role
from linli.tickets import services
from linli.tickets.models import (
    Category,
    Cause,
    Channel,
    Kind,
    Reply,
    ReturnVisit,
    Severity,
    Status,
    Ticket,
    Validity,
)  # fmt: skip

TICKETS_PER_HOUSEHOLD = 1.0  # a year (about one a day in a 330-household community); repairs most

# (kind, category code) → (title, description, (cause, corrective action) for complaints).
# "{b}", "{u}", "{f}" are filled from the customer's room.
# fmt: off
TEXTS: dict[tuple[str, str], list[tuple[str, str, tuple[str, str] | None]]] = {
    (Kind.REPAIR, "facilities"): [
        ("厨房水龙头漏水", "厨房水龙头关不紧，一直滴水，麻烦派师傅上门看一下。", None),
        ("卫生间地漏返水", "卫生间地漏返水，有异味，已经两天了。", None),
        ("楼道声控灯不亮", "{b} 号楼 {u} 单元 {f} 楼楼道灯不亮，晚上上下楼很不方便。", None),
        ("单元门禁刷卡失灵", "{b} 号楼 {u} 单元门禁刷卡没反应，只能等别人开门。", None),
        ("家中频繁跳闸", "家里总闸这两天频繁跳闸，请电工上门检查线路。", None),
        ("可视对讲没有声音", "可视对讲没有声音，访客按门铃听不到。", None),
        ("水压偏低", "早晚高峰水压很低，热水器打不着火。", None),
        ("窗户密封条老化", "卧室窗户密封条老化脱落，刮风时有呼呼的声音。", None),
        ("电梯按键失灵", "{b} 号楼 {u} 单元电梯 {f} 楼外呼按键按了不亮。", None),
        ("阳台顶部渗水", "下雨后阳台顶部渗水，墙皮起皮发霉。", None),
        ("入户门锁损坏", "入户门把手松动，锁芯转不动，请维修师傅处理。", None),
        ("地下车库照明损坏", "地下车库 B 区有一排灯不亮，停车时看不清。", None),
    ],
    (Kind.REPAIR, "environment"): [
        ("楼道堆放杂物", "{b} 号楼 {u} 单元 {f} 楼楼道有人堆放旧家具，影响通行。", None),
        ("化粪池井盖松动", "{b} 号楼旁的井盖松动，踩上去会晃，怕有人摔倒。", None),
    ],
    (Kind.REPAIR, "greening"): [
        ("树枝遮挡窗户", "楼前的树枝长到窗户边，遮光还招虫子，请修剪一下。", None),
        ("草坪喷灌漏水", "{b} 号楼前草坪喷灌管破了，一直在冒水。", None),
    ],
    (Kind.COMPLAINT, "facilities"): [
        ("电梯频繁故障", "{b} 号楼 {u} 单元电梯本月已经坏了三次，每次维修都拖很久，要求彻底检修。",
         ("设施老化", "约谈电梯维保单位，更换老化部件，故障电梯每月加检一次")),
        ("报修后迟迟无人上门", "上周报修卫生间漏水，到现在还没有人来修，也没有人回电话。",
         ("响应不及时", "报修单纳入每日晨会跟踪，超过 24 小时未上门的由客户主管督办")),
        ("维修后问题复发", "上次维修的水管又开始漏了，维修质量太差，要求彻底解决。",
         ("维修质量", "维修完工后 3 日内复查，返修纳入维修人员考核")),
        ("地下车库渗水", "地下车库顶板渗水，车上都是泥点，已经反映过多次。",
         ("设施老化", "委托防水单位对车库顶板做整体防水处理，雨季前完成")),
        ("二次供水水质发黄", "早上放出来的水发黄，担心水箱没有按时清洗。",
         ("管理制度", "公示水箱清洗和水质检测报告，清洗周期改为每季度一次")),
    ],
    (Kind.COMPLAINT, "environment"): [
        ("垃圾站垃圾满溢", "{b} 号楼旁垃圾站垃圾满溢，气味很大，招蚊蝇。",
         ("管理制度", "夏季垃圾清运由每日一次调整为两次，并增加消杀")),
        ("楼道小广告无人清理", "{b} 号楼 {u} 单元楼道贴满小广告，好几天没人清理。",
         ("服务态度", "保洁员每日巡查楼道，小广告随见随清，主管每周抽查")),
        ("宠物粪便无人清理", "小区步道上经常有狗粪便，保洁没有及时清理。",
         ("沟通不足", "在步道增设宠物粪便箱，张贴文明养犬提示并与业主沟通")),
    ],
    (Kind.COMPLAINT, "security"): [
        ("外来车辆随意进出", "门岗不登记就放外来车辆进入，小区车位被占满。",
         ("管理制度", "门岗严格执行外来车辆登记，临时停车限时收费")),
        ("夜间装修噪音扰民", "楼下晚上十一点后还在装修施工，噪音很大，影响休息。",
         ("第三方原因", "向装修户下达整改通知，重申装修时间规定，秩序维护员夜间巡查")),
        ("电动车在楼道充电", "{b} 号楼 {u} 单元有人在楼道里给电动车充电，存在火灾隐患。",
         ("管理制度", "开展电动车违规充电专项整治，增设集中充电桩")),
        ("陌生人尾随进入单元", "有陌生人尾随进入单元推销，门岗没有拦住。",
         ("服务态度", "加强门岗访客登记，秩序维护员上岗培训并考核")),
    ],
    (Kind.COMPLAINT, "attitude"): [
        ("前台工作人员态度生硬", "到前台咨询停车费，工作人员爱答不理，语气很冲。",
         ("服务态度", "对当事员工进行服务礼仪培训，纳入月度考核")),
        ("维修师傅不守时", "约好上午来修，等了一上午没人来，也没有电话通知。",
         ("沟通不足", "预约上门须提前 30 分钟电话确认，不能按时须主动告知客户")),
    ],
    (Kind.COMPLAINT, "charges"): [
        ("物业费账单有误", "物业费账单金额和房屋面积对不上，多收了钱。",
         ("客户误解", "核对收费系统面积数据，当面向客户解释计费方式")),
        ("停车费调整未公示", "停车费突然上涨，事先没有任何公示和说明。",
         ("沟通不足", "收费调整须提前 30 天在公告栏和业主群公示")),
    ],
    (Kind.COMPLAINT, "greening"): [
        ("绿化带杂草丛生", "{b} 号楼前绿化带杂草比人还高，很久没有修剪。",
         ("管理制度", "绿化养护按月计划公示，主管每周巡查验收")),
        ("打药未提前通知", "绿化打药没有提前通知，孩子在楼下玩闻到很大的药味。",
         ("沟通不足", "打药前一天在单元门口和业主群通知，并设置警示牌")),
    ],
    (Kind.COMPLAINT, "other"): [
        ("快递柜占用消防通道", "新装的快递柜挡住了消防通道。",
         ("第三方原因", "协调快递柜运营方移位，消防通道保持畅通")),
    ],
    (Kind.ENQUIRY, "charges"): [
        ("物业费缴费方式", "请问物业费可以用微信缴纳吗？能开电子发票吗？", None),
        ("车位租赁价格", "想租一个地下车位，请问价格和手续是怎样的？", None),
    ],
    (Kind.ENQUIRY, "other"): [
        ("装修审批流程", "准备装修，请问需要办理哪些手续，押金多少？", None),
        ("门禁卡补办", "家里老人把门禁卡弄丢了，请问怎么补办？", None),
        ("房屋出租登记", "房子准备出租，需要到物业登记吗？", None),
    ],
    (Kind.ENQUIRY, "facilities"): [
        ("停水通知咨询", "听说下周要停水检修，请问具体是哪天、停多久？", None),
    ],
    (Kind.SUGGESTION, "facilities"): [
        ("建议增设充电桩", "建议在地下车库增设电动汽车充电桩。", None),
        ("建议增加健身器材", "小区健身器材太少，建议在中心花园增加几台。", None),
    ],
    (Kind.SUGGESTION, "security"): [
        ("建议增加监控探头", "建议在{b} 号楼后面的小路增加监控，晚上比较暗。", None),
    ],
    (Kind.SUGGESTION, "environment"): [
        ("建议开展垃圾分类指导", "很多住户不会垃圾分类，建议物业在投放点安排指导。", None),
    ],
    (Kind.PRAISE, "facilities"): [
        ("感谢维修师傅", "家里水管半夜爆裂，维修师傅二十分钟就到了，非常感谢！", None),
    ],
    (Kind.PRAISE, "security"): [
        ("感谢秩序维护员", "老人在小区里迷路，秩序维护员一直陪着送到家，特此表扬。", None),
    ],
    (Kind.PRAISE, "environment"): [
        ("表扬保洁阿姨", "保洁阿姨工作认真，楼道每天都很干净。", None),
    ],
}
# fmt: on
KIND_WEIGHTS = (
    (Kind.REPAIR, 55),
    (Kind.COMPLAINT, 20),
    (Kind.ENQUIRY, 14),
    (Kind.SUGGESTION, 6),
    (Kind.PRAISE, 5),
)  # fmt: skip
INVALID_REASONS = (
    "属开发商保修范围，不在物业服务承诺内，已告知客户联系开发商",
    "属市政供水管网问题，已告知客户并协助联系自来水公司",
    "属业主之间的邻里纠纷，物业已协调，不属于物业服务承诺",
)
RESOLUTIONS = {
    Kind.REPAIR: ("已派维修师傅上门处理，恢复正常", "已更换损坏配件，经客户确认可正常使用", "已疏通并清理现场"),
    Kind.COMPLAINT: ("已向客户说明情况并完成整改，客户表示认可", "已整改完毕，并向客户当面致歉", "已协调相关方处理，问题已解决"),
    Kind.ENQUIRY: ("已电话答复客户", "已当面向客户说明办理流程"),
    Kind.SUGGESTION: ("已记录并纳入下季度改进计划，已答复客户", "已转公司相关部门研究，已答复客户"),
    Kind.PRAISE: ("已转达表扬，计入员工月度考核",),
}  # fmt: skip
VISIT_WORDS = {
    5: ("处理得很及时，谢谢", "师傅很专业，非常满意", ""),
    4: ("处理得不错", "还可以，希望以后保持", ""),
    3: ("问题解决了，就是慢了点", "基本满意"),
    2: ("问题只解决了一部分", "等了太久"),
    1: ("问题根本没有解决", "态度敷衍，很不满意"),
}
SATISFACTION_WEIGHTS = ((5, 47), (4, 33), (3, 15), (2, 3), (1, 2))
REASSURED_WEIGHTS = ((5, 35), (4, 45), (3, 20))  # after a reopened ticket is put right
COMPANY_CHANNELS = (Channel.HOTLINE_12345, Channel.PHONE, Channel.LETTER)
OFFICE_CHANNELS = ((Channel.PHONE, 40), (Channel.FRONT_DESK, 25), (Channel.PORTAL, 20), (Channel.WECHAT, 10), (Channel.VISIT, 5))  # fmt: skip
# Scenarios every community shows at least once, whatever the scale.
MUST_HAVE = ("late", "dissatisfied", "major", "company")


class DemoClock:
    """Stands in for `django.utils.timezone.now` while the history is written."""

    def __init__(self, real_now: Callable[[], dt.datetime]) -> None:
        self.real_now = real_now
        self.at: dt.datetime | None = None

    def __call__(self) -> dt.datetime:
        return self.at or self.real_now()


@contextmanager
def clock() -> Iterator[DemoClock]:
    """Every service, `auto_now` field and audit event reads the time from here meanwhile."""
    original = timezone.now
    demo_clock = DemoClock(original)
    setattr(timezone, "now", demo_clock)  # noqa: B010
    try:
        yield demo_clock
    finally:
        setattr(timezone, "now", original)  # noqa: B010


@dataclass
class _People:
    receptionist: Staff | None
    stewards: list[Staff]
    supervisor: Staff | None
    manager: Staff | None
    hq_supervisor: Staff | None
    engineer: Staff | None


def _people(community: Community) -> _People:
    office: dict[str, Staff] = {}
    stewards: list[Staff] = []
    for person in Staff.objects.filter(community=community, is_active=True).order_by("username"):
        if person.role == Role.STEWARD:
            stewards.append(person)
        office.setdefault(person.role, person)
    company: dict[str, Staff] = {}
    for person in (
        Staff.objects.filter(community__isnull=True, is_active=True)
        .exclude(role="")
        .order_by("username")
    ):
        company.setdefault(person.role, person)
    return _People(
        receptionist=office.get(Role.RECEPTIONIST), stewards=stewards,
        supervisor=office.get(Role.OFFICE_CUSTOMER_SUPERVISOR), manager=office.get(Role.OFFICE_MANAGER),
        hq_supervisor=company.get(Role.HQ_CUSTOMER_SUPERVISOR), engineer=company.get(Role.ENGINEERING_MANAGER),
    )  # fmt: skip


def _weighted(rng: random.Random, pairs: Any) -> Any:
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights)[0]


class _Life:
    """One community's year: plans each ticket and carries out the steps that are past."""

    def __init__(
        self, community: Community, rng: random.Random, demo_clock: DemoClock, now: dt.datetime
    ) -> None:
        self.community = community
        self.rng = rng
        self.clock = demo_clock
        self.now = now
        self.people = _people(community)
        self.categories = {c.code: c for c in Category.objects.filter(is_active=True)}
        self.causes = {c.name: c for c in Cause.objects.filter(is_active=True)}
        self.departments = {
            d.kind: d for d in Department.objects.filter(community=community).order_by("pk")
        }
        self.households = list(
            Occupancy.objects.filter(
                community=community, move_out__isnull=True, is_primary=True, room__use=Room.Use.RESIDENTIAL
            )
            .select_related("customer", "room", "room__area__steward")
            .order_by("pk")
        )  # fmt: skip
        self.frequent = self.households[: max(len(self.households) // 20, 1)]
        self.counts: dict[str, int] = {}
        self.complaints: list[tuple[Any, ...]] = []

    # --- the plan ---------------------------------------------------------------------------
    def opening_times(self, count: int) -> list[dt.datetime]:
        """Spread over the last year, more on weekdays' office hours and in summer."""
        start = self.now - dt.timedelta(days=365)
        times: list[dt.datetime] = []
        while len(times) < count:
            at = start + dt.timedelta(seconds=self.rng.uniform(0, 365 * 86400))
            local = timezone.localtime(at, timezone.get_current_timezone())
            weight = (0.55 if local.weekday() >= 5 else 1.0) * (
                1.4 if local.month in (6, 7, 8) else 1.0
            )
            weight *= 1.0 if 8 <= local.hour < 20 else 0.15
            if self.rng.random() < weight / 1.4:
                times.append(local.replace(second=0, microsecond=0))
        return sorted(times)

    def scenarios(self, times: list[dt.datetime]) -> list[str]:
        """Mostly normal; some late, some dissatisfied; a few overdue ones still open today."""
        count = len(times)
        plan = [
            _weighted(self.rng, (("normal", 93.5), ("late", 5), ("dissatisfied", 1.5)))
            for _ in times
        ]
        for index, must in enumerate(MUST_HAVE):  # spread over the year, whatever the scale
            plan[(index + 1) * count // (len(MUST_HAVE) + 2)] = must
        recent = [
            i
            for i, t in enumerate(times)
            if self.now - dt.timedelta(days=12) < t < self.now - dt.timedelta(days=4)
        ]
        if not recent:
            recent = [
                min(range(count), key=lambda i: abs(times[i] - (self.now - dt.timedelta(days=6))))
            ]
        for i in recent[:: max(len(recent) // 2, 1)][:2]:
            plan[i] = "open_late"
        return plan

    # --- running it -------------------------------------------------------------------------
    def at(self, when: dt.datetime) -> bool:
        """Set the clock to a step's time; False (and nothing happens) when it is in the future."""
        if when >= self.now:
            return False
        self.clock.at = when
        return True

    def daytime(self, t: dt.datetime, limit: dt.datetime | None = None) -> dt.datetime:
        """People work 8:00–20:00: a step planned for the night happens the next morning,
        unless that would break the deadline it is meant to keep (`limit`)."""
        local = timezone.localtime(t)
        if 8 <= local.hour < 20:
            return t
        morning = local.replace(hour=8, minute=0, second=0, microsecond=0) + self.minutes(0, 300)
        if local.hour >= 20:
            morning += dt.timedelta(days=1)
        return t if limit is not None and morning > limit else morning

    def minutes(self, low: float, high: float) -> dt.timedelta:
        return dt.timedelta(minutes=self.rng.uniform(low, high))

    def run(self, count: int) -> dict[str, int]:
        if not self.households or not self.people.stewards:
            return {}
        times = self.opening_times(count)
        for opened_at, scenario in zip(times, self.scenarios(times), strict=True):
            try:
                with transaction.atomic():
                    self.one(opened_at, scenario)
            except DomainError:  # a rule of the services refused a planned step: keep the rest
                self.counts["refused"] = self.counts.get("refused", 0) + 1
        self.clock.at = None
        return self.counts

    def one(self, opened_at: dt.datetime, scenario: str) -> None:
        rng = self.rng
        kind = _weighted(rng, KIND_WEIGHTS)
        severity = Severity.ORDINARY
        if scenario == "major":
            kind, severity = Kind.COMPLAINT, Severity.MAJOR
        elif scenario in ("company", "dissatisfied"):
            kind = Kind.COMPLAINT
        elif scenario in ("late", "open_late") and kind in (
            Kind.ENQUIRY,
            Kind.PRAISE,
            Kind.SUGGESTION,
        ):
            kind = Kind.REPAIR
        elif kind == Kind.COMPLAINT and rng.random() < 0.02:
            severity = Severity.MAJOR
        elif kind in (Kind.REPAIR, Kind.COMPLAINT) and rng.random() < 0.08:
            severity = Severity.URGENT
        complaint = kind == Kind.COMPLAINT
        occupancy = rng.choice(
            self.frequent if complaint and rng.random() < 0.3 else self.households
        )
        options = [
            (key, text)
            for key, texts in TEXTS.items()
            if key[0] == kind and key[1] in self.categories
            for text in texts
        ]
        (_kind, category_code), (title, description, lesson) = rng.choice(options)
        again = [c for c in self.complaints if c[0] > opened_at - dt.timedelta(days=25)]
        if complaint and again and rng.random() < 0.1:  # the same customer, the same thing again
            _at, occupancy, category_code, title, description, lesson = rng.choice(again)
            title = f"再次反映：{title}"[:100]
        elif complaint:
            self.complaints.append(
                (opened_at, occupancy, category_code, title, description, lesson)
            )
        room = occupancy.room
        parts = room.code.split("-")
        fill = {"b": parts[0], "u": parts[1] if len(parts) > 2 else "1", "f": parts[-1][:-2] or "1"}
        by_company = scenario == "company" or (complaint and rng.random() < 0.05)
        channel = rng.choice(COMPANY_CHANNELS) if by_company else _weighted(rng, OFFICE_CHANNELS)
        portal = channel in (Channel.PORTAL, Channel.WECHAT) and not by_company
        receiver = self.people.hq_supervisor if by_company else (
            self.people.receptionist if channel in (Channel.PHONE, Channel.FRONT_DESK) else rng.choice(self.people.stewards)
        )  # fmt: skip
        self.at(opened_at)
        ticket = services.open_ticket(
            self.community, kind=kind, channel=channel, category=self.categories[category_code], title=title,
            description=description.format(**fill), actor=None if portal else receiver,
            actor_label=occupancy.customer.name if portal else "", customer=occupancy.customer, room=room,
            severity=severity, received_by_company=by_company, opened_at=opened_at,
        )  # fmt: skip
        self.count("tickets")
        if scenario == "normal" and rng.random() < 0.008:
            self.cancel(ticket, opened_at)
            return
        handler = getattr(room.area, "steward", None) if room.area_id else None
        self.handle(
            ticket,
            scenario,
            portal=portal,
            lesson=lesson,
            handler=handler or rng.choice(self.people.stewards),
        )

    def count(self, name: str) -> None:
        self.counts[name] = self.counts.get(name, 0) + 1

    def cancel(self, ticket: Ticket, opened_at: dt.datetime) -> None:
        if self.at(opened_at + self.minutes(5, 60)):
            services.cancel(
                ticket, actor=self.people.supervisor, reason="客户重复登记，已合并到另一条诉求"
            )
            self.count("cancelled")

    def handle(
        self,
        ticket: Ticket,
        scenario: str,
        *,
        portal: bool,
        lesson: tuple[str, str] | None,
        handler: Staff,
    ) -> None:
        rng, people = self.rng, self.people
        t = ticket.opened_at
        supervisor = people.supervisor or people.stewards[0]
        if portal:
            late_answer = scenario == "open_late" or rng.random() < 0.04
            if late_answer and ticket.respond_by:
                t = self.daytime(ticket.respond_by + self.minutes(20, 240))
            else:
                t = self.daytime(t + self.minutes(5, 90), limit=ticket.respond_by)
            if not self.at(t):
                return
            ticket = services.accept(ticket, actor=handler)
        if ticket.kind == Kind.COMPLAINT:
            t = self.daytime(t + self.minutes(5, 60), limit=ticket.resolve_by)
            if not self.at(t):
                return
            invalid = scenario == "normal" and rng.random() < 0.12
            ticket = services.set_validity(
                ticket, Validity.INVALID if invalid else Validity.VALID, actor=supervisor,
                reason=rng.choice(INVALID_REASONS) if invalid else "",
            )  # fmt: skip
            if invalid:
                if not self.at(self.daytime(t + self.minutes(60, 1800), limit=ticket.explain_by)):
                    return
                ticket = services.mark_explained(
                    ticket, actor=supervisor, note="已电话向客户解释并取得理解"
                )
        if ticket.kind in (Kind.REPAIR, Kind.COMPLAINT):
            t = self.daytime(t + self.minutes(3, 35), limit=ticket.resolve_by)
            if not self.at(t):
                return
            assignee = handler
            if (
                ticket.category.engineering
                and ticket.kind == Kind.COMPLAINT
                and people.engineer
                and rng.random() < 0.3
            ):
                assignee = people.engineer
            elif ticket.category.code in ("attitude", "charges"):
                assignee = supervisor
            department = self.departments.get(ticket.category.department_kind)
            ticket = services.dispatch(
                ticket, actor=supervisor, assignee=assignee, department=department
            )
            t = self.daytime(t + self.minutes(10, 120), limit=ticket.resolve_by)
            if not self.at(t):
                return
            ticket = services.start(ticket, actor=assignee)
        self.finish(ticket, t, scenario, lesson=lesson, supervisor=supervisor)

    def finish(
        self,
        ticket: Ticket,
        t: dt.datetime,
        scenario: str,
        *,
        lesson: tuple[str, str] | None,
        supervisor: Staff,
    ) -> None:
        rng = self.rng
        late = scenario in ("late", "open_late")
        deadline = ticket.resolve_by
        if deadline is None:
            due = t + dt.timedelta(hours=4)
        elif late:
            # The sweep escalates on breach (and again after the repeat interval); resolved later.
            for step in range(rng.choice((1, 1, 2))):
                breach = deadline + dt.timedelta(minutes=15) + dt.timedelta(hours=24 * step)
                if not self.at(breach):
                    break
                ticket = services.escalate(ticket, actor=None, reason="解决超时", now=breach)
                self.count("escalated")
            due = self.daytime(deadline + dt.timedelta(hours=rng.uniform(3, 60)))
            if scenario == "open_late":
                due = max(due, self.now + dt.timedelta(days=2))  # still open today, and overdue
        else:
            span = max((deadline - t).total_seconds(), 600)
            due = self.daytime(
                t + dt.timedelta(seconds=span * rng.uniform(0.1, 0.85)), limit=deadline
            )
            if rng.random() < 0.12 and self.at(t + dt.timedelta(seconds=span * 0.05)):
                services.press(ticket, actor=supervisor, note="客户来电催问，请尽快处理")
        major = ticket.kind == Kind.COMPLAINT and ticket.severity == Severity.MAJOR
        if major and not self.written_reply(ticket, t, due):
            return  # resolving waits for the approved written reply
        if not self.at(due):
            return
        ticket = self.resolve(ticket, lesson)
        self.after(ticket, due, scenario, lesson=lesson, supervisor=supervisor)

    def resolve(self, ticket: Ticket, lesson: tuple[str, str] | None) -> Ticket:
        cause = action = None
        if ticket.kind == Kind.COMPLAINT and ticket.validity == Validity.VALID:
            name, action = lesson or ("其他", "加强巡查，举一反三")
            cause = self.causes.get(name) or next(iter(self.causes.values()))
        actor = ticket.assignee or ticket.owner or self.people.stewards[0]
        resolution = self.rng.choice(RESOLUTIONS[Kind(ticket.kind)])
        return services.resolve(
            ticket, actor=actor, resolution=resolution, cause=cause, corrective_action=action or ""
        )

    def written_reply(self, ticket: Ticket, t: dt.datetime, by: dt.datetime) -> bool:
        """Drafted by the steward, reviewed by the supervisor, approved by the manager, sent."""
        people = self.people
        steps = [people.stewards[0], people.supervisor, people.manager, people.supervisor]
        if None in steps or not self.at(t + (by - t) * 0.3):
            return False
        reply = services.draft_reply(
            ticket,
            "尊敬的业主：您反映的问题我处已高度重视，已组织整改，整改结果及后续措施如下……",
            actor=steps[0],
        )
        for index, person in enumerate(steps[1:], start=1):
            if not self.at(t + (by - t) * (0.3 + 0.15 * index)):
                return False
            reply = services.advance_reply(reply, actor=person)
        self.count("written_replies")
        return reply.status == Reply.Status.SENT

    def after(
        self,
        ticket: Ticket,
        resolved: dt.datetime,
        scenario: str,
        *,
        lesson: tuple[str, str] | None,
        supervisor: Staff,
    ) -> None:
        """Company check, return visit (reopen when dissatisfied) and closing."""
        rng, people = self.rng, self.people
        if (
            ticket.received_by_company
            and people.hq_supervisor
            and self.at(self.daytime(resolved + self.minutes(120, 2400)))
        ):
            ticket = services.company_check(
                ticket, actor=people.hq_supervisor, note="已电话核实处理结果，客户认可"
            )
        t = resolved
        for round_ in range(2):
            visit = ticket.return_visits.filter(done_at__isnull=True).first()
            if visit is not None:
                recent = visit.due_at > self.now - dt.timedelta(days=45)
                if round_ == 0 and scenario == "normal" and recent and rng.random() < 0.08:
                    return  # not visited yet: owed, and overdue once its deadline passes
                span = (visit.due_at - t).total_seconds()
                if rng.random() < 0.05:  # visited late
                    t = self.daytime(visit.due_at + self.minutes(60, 2880))
                else:
                    t = self.daytime(
                        t + dt.timedelta(seconds=span * rng.uniform(0.1, 0.9)), limit=visit.due_at
                    )
                if not self.at(t):
                    return
                dissatisfied = scenario == "dissatisfied" and round_ == 0
                score = (
                    rng.choice((1, 2))
                    if dissatisfied
                    else _weighted(rng, REASSURED_WEIGHTS if round_ else SATISFACTION_WEIGHTS)
                )
                ticket = services.record_return_visit(
                    visit, actor=visit.assigned_to or ticket.owner or people.stewards[0],
                    method=_weighted(rng, ((ReturnVisit.Method.PHONE, 70), (ReturnVisit.Method.VISIT, 20), (ReturnVisit.Method.WECHAT, 10))),
                    satisfaction=score, words=rng.choice(VISIT_WORDS[score]),
                )  # fmt: skip
                self.count("return_visits")
                if ticket.status == Status.IN_PROGRESS:  # reopened and escalated by the service
                    self.count("reopened")
                    t = self.daytime(
                        t + dt.timedelta(hours=rng.uniform(4, 40)), limit=ticket.resolve_by
                    )
                    if not self.at(t):
                        return
                    ticket = self.resolve(ticket, lesson)
                    continue
            break
        if self.at(self.daytime(t + self.minutes(30, 1440))):
            services.close(ticket, actor=supervisor, note="")
            self.count("closed")


def load_tickets(
    community: Community, seed: int = 2026, *, per_household: float = TICKETS_PER_HOUSEHOLD
) -> dict[str, int]:
    """A year of tickets in one community (nothing happens when it has tickets already)."""
    if Ticket.objects.filter(community=community).exists():
        return {}
    households = Occupancy.objects.filter(
        community=community, move_out__isnull=True, is_primary=True
    ).count()
    count = round(households * per_household)
    if not count:
        return {}
    rng = random.Random(f"{seed}-tickets-{community.code}")
    now = timezone.now()
    with transaction.atomic(), clock() as demo_clock:
        counts = _Life(community, rng, demo_clock, now).run(count)
    _settle_messages(since=now - dt.timedelta(days=367), before=now - dt.timedelta(days=3))
    return counts


def _settle_messages(*, since: dt.datetime, before: dt.datetime) -> None:
    """The history's messages were delivered (and read) back then; the last days' stay new.

    Only rows dated in the past can be the demo's: real messages are written at the real time.
    """
    from django.db.models import F

    from linli.notify.models import Message

    old = Message.objects.filter(
        kind__startswith="tickets.", created_at__gte=since, created_at__lt=before
    )
    old.exclude(status=Message.Status.SENT).update(
        status=Message.Status.SENT, sent_at=F("created_at"), attempts=1
    )
    old.filter(channel=Message.Channel.IN_APP, read_at__isnull=True).update(read_at=F("created_at"))
