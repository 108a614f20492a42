"""Every number of POLICY.md as a named, typed parameter with its default.

A company that holds the real policy text changes these values (a new version with an
effective date and a reason), never the code. Keys are dotted: `<area>.<subject>.<what>`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _


class Kind:
    INT = "int"
    DECIMAL = "decimal"
    BOOL = "bool"
    TIME = "time"
    CHOICE = "choice"
    INT_LIST = "int_list"
    CHOICE_LIST = "choice_list"


class InvalidValue(ValueError):
    pass


@dataclass(frozen=True)
class Parameter:
    key: str
    kind: str
    default: Any
    label: str | Promise
    article: str | Promise  # where in the policy the number comes from
    unit: str | Promise = ""
    minimum: Decimal | int | None = None
    maximum: Decimal | int | None = None
    choices: tuple[tuple[str, str | Promise], ...] = ()
    community_override: bool = False  # a 管理处 may have its own value
    help: str | Promise = ""
    alternatives: str | Promise = ""  # the policy's listed alternatives, for the editor
    chapter: str = field(default="")

    def parse(self, raw: Any) -> Any:
        """Turn user input or stored JSON into the typed value, or raise InvalidValue."""
        try:
            value = self._parse(raw)
        except (TypeError, ValueError, InvalidOperation) as error:
            if isinstance(error, InvalidValue):
                raise
            raise InvalidValue(
                _("“%(raw)s” 不是有效的%(kind)s。") % {"raw": raw, "kind": KIND_LABELS[self.kind]}
            ) from error
        self._check_range(value)
        return value

    def _parse(self, raw: Any) -> Any:
        if self.kind == Kind.INT:
            if isinstance(raw, bool):
                raise TypeError
            if isinstance(raw, str):
                raw = raw.strip()
                if not re.fullmatch(r"[+-]?\d+", raw):
                    raise ValueError
            elif isinstance(raw, float) and not raw.is_integer():
                raise ValueError
            return int(raw)
        if self.kind == Kind.DECIMAL:
            if isinstance(raw, bool):
                raise TypeError
            value = Decimal(str(raw).strip())
            if not value.is_finite():
                raise ValueError
            return value
        if self.kind == Kind.BOOL:
            if isinstance(raw, bool):
                return raw
            text = str(raw).strip().lower()
            if text in {"true", "1", "yes", "on", "是"}:
                return True
            if text in {"false", "0", "no", "off", "否"}:
                return False
            raise ValueError
        if self.kind == Kind.TIME:
            if isinstance(raw, dt.time):
                return raw
            return dt.time.fromisoformat(str(raw).strip())
        if self.kind == Kind.CHOICE:
            text = str(raw).strip()
            if text not in {c for c, _label in self.choices}:
                raise InvalidValue(_("“%(raw)s” 不在可选范围内。") % {"raw": raw})
            return text
        if self.kind == Kind.CHOICE_LIST:
            items = (
                raw if isinstance(raw, list | tuple) else re.split(r"[,，\s]+", str(raw).strip())
            )
            allowed = [c for c, _label in self.choices]
            chosen = {str(item).strip() for item in items if str(item).strip()}
            unknown = chosen - set(allowed)
            if unknown:
                raise InvalidValue(
                    _("“%(raw)s” 不在可选范围内。") % {"raw": "、".join(sorted(unknown))}
                )
            return [c for c in allowed if c in chosen]
        if self.kind == Kind.INT_LIST:
            items = (
                raw if isinstance(raw, list | tuple) else re.split(r"[,，\s]+", str(raw).strip())
            )
            values = [self._int_item(item) for item in items if str(item).strip() != ""]
            if not values:
                raise ValueError
            return sorted(set(values))
        raise ValueError(self.kind)

    @staticmethod
    def _int_item(item: Any) -> int:
        if isinstance(item, bool) or not re.fullmatch(r"[+-]?\d+", str(item).strip()):
            raise ValueError
        return int(str(item).strip())

    def _check_range(self, value: Any) -> None:
        items = value if isinstance(value, list) else [value]
        if self.kind not in {Kind.INT, Kind.DECIMAL, Kind.INT_LIST}:
            return
        for item in items:
            if self.minimum is not None and item < self.minimum:
                raise InvalidValue(_("取值不能小于 %(min)s。") % {"min": self.minimum})
            if self.maximum is not None and item > self.maximum:
                raise InvalidValue(_("取值不能大于 %(max)s。") % {"max": self.maximum})

    def to_json(self, value: Any) -> Any:
        if self.kind == Kind.DECIMAL:
            return str(value)
        if self.kind == Kind.TIME:
            return value.strftime("%H:%M")
        return value

    def display(self, value: Any) -> str:
        if self.kind == Kind.BOOL:
            return str(_("是") if value else _("否"))
        if self.kind == Kind.TIME:
            return value.strftime("%H:%M")
        if self.kind == Kind.CHOICE:
            return str(dict(self.choices).get(value, value))
        if self.kind == Kind.INT_LIST:
            return "、".join(str(v) for v in value)
        if self.kind == Kind.CHOICE_LIST:
            labels = dict(self.choices)
            return "、".join(str(labels.get(v, v)) for v in value) or "—"
        if self.kind == Kind.DECIMAL:
            return format(value.normalize(), "f")
        return str(value)


KIND_LABELS = {
    Kind.INT: _("整数"),
    Kind.DECIMAL: _("数值"),
    Kind.BOOL: _("是/否"),
    Kind.TIME: _("时刻（时:分）"),
    Kind.CHOICE: _("选项"),
    Kind.INT_LIST: _("整数列表"),
    Kind.CHOICE_LIST: _("多选"),
}

CHAPTERS: dict[str, str | Promise] = {
    "security": _("系统安全"),
    "worktime": _("工作时间"),
    "customers": _("第三章 客户资料库"),
    "privacy": _("第三章之一 客户信息保密"),
    "grading": _("第四章 客户分级"),
    "care": _("第五章 拜访、接待与关怀"),
    "tickets": _("第六章 客户诉求与投诉"),
    "surveys": _("第七章 客户调研"),
    "commitments": _("第八章 服务承诺"),
    "staffing": _("第九章 巡检、班次、培训与考核"),
}

H, D, WD, M, MIN, PCT, TIMES, Y, MON = (
    _("小时"),
    _("天"),
    _("个工作日"),
    _("个月"),
    _("分钟"),
    "%",
    _("次"),
    _("年"),
    _("月份"),
)
SECRECY_CHOICES = (("secret", _("秘密")), ("confidential", _("机密")), ("top_secret", _("绝密")))
APPROVER_CHOICES = (
    ("hr_admin_manager", _("人事行政经理")),
    ("general_manager", _("总经理")),
    ("office_manager", _("管理处主任")),
)
FILE_FIELDS = (
    ("mobile", _("手机")),
    ("id_number", _("证件号码")),
    ("birthday", _("生日")),
    ("emergency_contact", _("紧急联系人")),
    ("gender", _("性别")),
    ("address", _("通讯地址")),
    ("email", _("电子邮箱")),
    ("vehicles", _("车辆")),
)
HOURS_MODE = (("calendar", _("按自然时间计")), ("working", _("按工作时间计")))


def _p(key: str, kind: str, default: Any, label: Any, article: Any, **kw: Any) -> Parameter:
    return Parameter(
        key=key,
        kind=kind,
        default=default,
        label=label,
        article=article,
        chapter=key.split(".")[0],
        **kw,
    )


_DEFINITIONS = [
    # --- security ------------------------------------------------------------------------
    _p(
        "security.login.max_failures",
        Kind.INT,
        5,
        _("连续登录失败锁定次数"),
        _("系统安全"),
        unit=TIMES,
        minimum=3,
        maximum=20,
    ),
    _p(
        "security.login.lockout_minutes",
        Kind.INT,
        15,
        _("登录锁定时长"),
        _("系统安全"),
        unit=MIN,
        minimum=1,
        maximum=1440,
    ),
    _p(
        "security.api.token_hours",
        Kind.INT,
        24,
        _("API 令牌有效期"),
        _("系统安全"),
        unit=H,
        minimum=1,
        maximum=720,
    ),
    _p(
        "security.access_log.retention_months",
        Kind.INT,
        6,
        _("登录与访问日志保留期（不少于 6 个月）"),
        _("第三章之一 PIPL"),
        unit=M,
        minimum=6,
        maximum=120,
    ),
    # --- working time --------------------------------------------------------------------
    _p(
        "worktime.day_start",
        Kind.TIME,
        dt.time(8, 30),
        _("办公时间开始"),
        _("第六章 时限按工作日历计算"),
        community_override=True,
    ),
    _p(
        "worktime.day_end",
        Kind.TIME,
        dt.time(17, 30),
        _("办公时间结束"),
        _("第六章 时限按工作日历计算"),
        community_override=True,
    ),
    # --- Ch.3 customer database ----------------------------------------------------------
    _p(
        "customers.file.complete_within_hours",
        Kind.INT,
        24,
        _("新户档案建档时限（办理入住后）"),
        _("第三章 建档时限"),
        unit=H,
        minimum=1,
        maximum=720,
    ),
    _p(
        "customers.file.required_fields",
        Kind.CHOICE_LIST,
        ["mobile", "id_number", "birthday", "emergency_contact"],
        _("档案完整性必填项"),
        _("第三章 资料完整"),
        choices=FILE_FIELDS,
        help=_("姓名、房号、身份（业主/租户…）与入住日期始终必填"),
    ),
    _p(
        "customers.review.interval_months",
        Kind.INT,
        6,
        _("客户资料定期复核周期"),
        _("第三章 定期更新"),
        unit=M,
        minimum=1,
        maximum=24,
        alternatives=_("季度普查：3 个月"),
    ),
    _p(
        "customers.lease_end.remind_days",
        Kind.INT,
        30,
        _("租约/装修到期提前提醒"),
        _("第三章 到期提醒"),
        unit=D,
        minimum=1,
        maximum=180,
    ),
    _p(
        "customers.retention.service_records_years",
        Kind.INT,
        3,
        _("服务记录保存期"),
        _("第三章 保存期限"),
        unit=Y,
        minimum=1,
        maximum=30,
    ),
    _p(
        "customers.retention.survey_forms_years",
        Kind.INT,
        3,
        _("调查问卷保存期"),
        _("第三章 保存期限"),
        unit=Y,
        minimum=1,
        maximum=30,
    ),
    _p(
        "customers.retention.owner_files_years",
        Kind.INT,
        0,
        _("业主档案保存期（0 = 长期保存）"),
        _("第三章 保存期限"),
        unit=Y,
        minimum=0,
        maximum=100,
    ),
    # --- Ch.3a secrecy -------------------------------------------------------------------
    _p(
        "privacy.default_level",
        Kind.CHOICE,
        "secret",
        _("客户档案默认密级"),
        _("第三章之一 密级"),
        choices=SECRECY_CHOICES,
        alternatives=_("全部业主档案为绝密"),
    ),
    *[
        _p(
            f"privacy.clearance.{role}",
            Kind.CHOICE,
            level,
            format_lazy(_("查阅密级上限：{}"), label),
            _("第三章之一 查阅权限"),
            choices=SECRECY_CHOICES,
        )
        for role, label, level in (
            ("general_manager", _("总经理"), "top_secret"),
            ("gm_assistant", _("总经理助理"), "top_secret"),
            ("hr_admin_manager", _("人事行政经理"), "confidential"),
            ("engineering_manager", _("工程经理"), "secret"),
            ("hq_customer_supervisor", _("客户主管（公司）"), "confidential"),
            ("survey_researcher", _("客户调研员"), "secret"),
            ("receptionist", _("客户接待"), "secret"),
            ("office_manager", _("管理处主任"), "confidential"),
            ("office_customer_supervisor", _("客户主管（管理处）"), "confidential"),
            ("steward", _("物管员"), "secret"),
            ("relationship_officer", _("客户关系维护"), "secret"),
            ("data_officer", _("客户信息管理"), "secret"),
        )
    ],
    _p(
        "privacy.confidential.grant_days",
        Kind.INT,
        7,
        _("机密档案查阅授权有效期"),
        _("第三章之一 查阅审批"),
        unit=D,
        minimum=1,
        maximum=90,
    ),
    _p(
        "privacy.top_secret.grant_hours",
        Kind.INT,
        24,
        _("绝密档案查阅授权有效期"),
        _("第三章之一 查阅审批"),
        unit=H,
        minimum=1,
        maximum=720,
    ),
    _p(
        "privacy.export.approver",
        Kind.CHOICE,
        "hr_admin_manager",
        _("批量导出审批人"),
        _("第三章之一 导出审批"),
        choices=APPROVER_CHOICES,
    ),
    _p(
        "privacy.export.max_rows_without_approval",
        Kind.INT,
        0,
        _("无需审批可导出的行数"),
        _("第三章之一 导出审批"),
        unit=_("行"),
        minimum=0,
        maximum=1000,
    ),
    _p(
        "privacy.access_log.retention_months",
        Kind.INT,
        6,
        _("档案查阅登记保留期（不少于 6 个月）"),
        _("第三章之一 PIPL"),
        unit=M,
        minimum=6,
        maximum=120,
    ),
    # --- Ch.4 grading --------------------------------------------------------------------
    _p(
        "grading.review.interval_months",
        Kind.INT,
        6,
        _("客户分级复评周期"),
        _("第四章 分级复评"),
        unit=M,
        minimum=1,
        maximum=24,
    ),
    _p(
        "grading.complaints.window_months",
        Kind.INT,
        12,
        _("分级规则统计投诉的时间窗"),
        _("第四章 分级标准"),
        unit=M,
        minimum=1,
        maximum=36,
    ),
    # --- Ch.5 visits, reception, care ----------------------------------------------------
    _p(
        "care.visit.household_per_quarter",
        Kind.INT,
        1,
        _("每户每季度至少联系次数"),
        _("第五章 拜访频次"),
        unit=TIMES,
        minimum=0,
        maximum=12,
        community_override=True,
    ),
    _p(
        "care.visit.household_per_year",
        Kind.INT,
        2,
        _("每户每年至少拜访次数"),
        _("第五章 拜访频次"),
        unit=TIMES,
        minimum=0,
        maximum=52,
        community_override=True,
    ),
    _p(
        "care.visit.vip_steward_interval_months",
        Kind.INT,
        1,
        _("重要客户：物管员拜访间隔"),
        _("第五章 拜访频次"),
        unit=M,
        minimum=1,
        maximum=12,
    ),
    _p(
        "care.visit.vip_manager_interval_months",
        Kind.INT,
        3,
        _("重要客户：管理处主任拜访间隔"),
        _("第五章 拜访频次"),
        unit=M,
        minimum=1,
        maximum=12,
    ),
    _p(
        "care.visit.vip_company_interval_months",
        Kind.INT,
        12,
        _("重要客户：公司领导拜访间隔"),
        _("第五章 拜访频次"),
        unit=M,
        minimum=1,
        maximum=24,
    ),
    _p(
        "care.visit.committee_interval_months",
        Kind.INT,
        3,
        _("业主委员会拜访间隔"),
        _("第五章 拜访频次"),
        unit=M,
        minimum=1,
        maximum=12,
    ),
    _p(
        "care.reception.answer_within_rings",
        Kind.INT,
        3,
        _("来电接听响铃次数上限"),
        _("第五章 接待规范"),
        unit=TIMES,
        minimum=1,
        maximum=10,
    ),
    _p(
        "care.reception.daily_check_time",
        Kind.TIME,
        dt.time(17, 30),
        _("接待登记日终检查时间"),
        _("第五章 接待规范"),
        help=_("此时间后，看板提示主管核对当日未办结的来电来访来函、到期回访和个性化需求。"),
        community_override=True,
    ),
    _p(
        "care.needs.due_workdays",
        Kind.INT,
        3,
        _("个性化需求默认办理时限"),
        _("第五章 个性化需求"),
        unit=WD,
        minimum=0,
        maximum=60,
        community_override=True,
    ),
    _p(
        "care.greeting.lead_days",
        Kind.INT,
        0,
        _("关怀问候提前天数（0 = 当天）"),
        _("第五章 关怀"),
        unit=D,
        minimum=0,
        maximum=7,
    ),
    _p(
        "care.greeting.elderly_age",
        Kind.INT,
        60,
        _("重阳节敬老问候的年龄（周岁）"),
        _("第五章 关怀"),
        unit=Y,
        minimum=50,
        maximum=90,
        help=_("年满此年龄或有“独居老人”关怀标记的客户在重阳节获得敬老问候"),
    ),
    _p(
        "care.notice.deliver_within_minutes",
        Kind.INT,
        10,
        _("紧急/停水停电通知送达时限"),
        _("第五章 通知"),
        unit=MIN,
        minimum=1,
        maximum=120,
    ),
    _p(
        "care.events.per_year_target",
        Kind.INT,
        6,
        _("每个小区每年社区活动目标"),
        _("第五章 社区活动"),
        unit=TIMES,
        minimum=0,
        maximum=100,
        community_override=True,
    ),
    _p(
        "care.handover.contact_within_months",
        Kind.INT,
        2,
        _("物管员交接后新物管员走访全部客户时限"),
        _("第五章 交接"),
        unit=M,
        minimum=1,
        maximum=12,
    ),
    # --- Ch.6 requests and complaints ----------------------------------------------------
    _p(
        "tickets.hours_mode",
        Kind.CHOICE,
        "calendar",
        _("以小时计的时限如何计算"),
        _("第六章 时限"),
        choices=HOURS_MODE,
    ),
    _p(
        "tickets.invalid.explain_within_days",
        Kind.INT,
        2,
        _("无效投诉向客户解释时限"),
        _("第六章 投诉有效性"),
        unit=D,
        minimum=1,
        maximum=15,
    ),
    _p(
        "tickets.repeat.window_days",
        Kind.INT,
        30,
        _("同一客户同类重复投诉认定期"),
        _("第六章 公司级投诉"),
        unit=D,
        minimum=1,
        maximum=365,
    ),
    _p(
        "tickets.dispatch.within_minutes",
        Kind.INT,
        20,
        _("派单时限"),
        _("第六章 派单"),
        unit=MIN,
        minimum=1,
        maximum=240,
    ),
    _p(
        "tickets.ordinary.respond_hours",
        Kind.INT,
        24,
        _("一般投诉响应时限"),
        _("第六章 处理时限"),
        unit=H,
        minimum=1,
        maximum=168,
        alternatives=_("15 分钟 / 48 小时"),
    ),
    _p(
        "tickets.ordinary.resolve_workdays",
        Kind.INT,
        3,
        _("一般投诉解决时限"),
        _("第六章 处理时限"),
        unit=WD,
        minimum=0,
        maximum=30,
        alternatives=_("当日 / 7 个工作日"),
    ),
    _p(
        "tickets.urgent.respond_hours",
        Kind.INT,
        2,
        _("紧急投诉响应时限"),
        _("第六章 处理时限"),
        unit=H,
        minimum=1,
        maximum=48,
    ),
    _p(
        "tickets.urgent.resolve_hours",
        Kind.INT,
        24,
        _("紧急投诉解决时限"),
        _("第六章 处理时限"),
        unit=H,
        minimum=1,
        maximum=168,
    ),
    _p(
        "tickets.major.notify_company_minutes",
        Kind.INT,
        0,
        _("重大投诉通知公司时限（0 = 立即）"),
        _("第六章 处理时限"),
        unit=MIN,
        minimum=0,
        maximum=120,
    ),
    _p(
        "tickets.major.resolve_days",
        Kind.INT,
        3,
        _("重大投诉解决并书面答复时限"),
        _("第六章 处理时限"),
        unit=D,
        minimum=1,
        maximum=30,
    ),
    _p(
        "tickets.remind.before_hours",
        Kind.INT,
        2,
        _("到期前提醒"),
        _("第六章 督办"),
        unit=H,
        minimum=0,
        maximum=72,
    ),
    _p(
        "tickets.company_check.within_days",
        Kind.INT,
        2,
        _("公司受理投诉转管理处后复核时限"),
        _("第六章 公司级投诉"),
        unit=D,
        minimum=1,
        maximum=15,
    ),
    _p(
        "tickets.return_visit.complaint_days",
        Kind.INT,
        3,
        _("投诉办结后回访时限"),
        _("第六章 回访"),
        unit=D,
        minimum=1,
        maximum=30,
    ),
    _p(
        "tickets.return_visit.repair_days",
        Kind.INT,
        7,
        _("维修完成后回访时限"),
        _("第六章 回访"),
        unit=D,
        minimum=1,
        maximum=30,
    ),
    _p(
        "tickets.return_visit.target_rate",
        Kind.DECIMAL,
        Decimal("100"),
        _("回访率目标"),
        _("第六章 回访"),
        unit=PCT,
        minimum=0,
        maximum=100,
    ),
    _p(
        "tickets.escalation.repeat_hours",
        Kind.INT,
        24,
        _("超时后仍未解决，再次升级的间隔"),
        _("第六章 督办"),
        unit=H,
        minimum=1,
        maximum=720,
    ),
    _p(
        "tickets.return_visit.reopen_at_or_below",
        Kind.INT,
        2,
        _("回访满意度不高于此级即重新处理（1 不满意 … 5 很满意）"),
        _("第六章 回访"),
        minimum=1,
        maximum=5,
    ),
    _p(
        "tickets.reply.written_for_major",
        Kind.BOOL,
        True,
        _("重大投诉须经审核、审批的书面答复"),
        _("第六章 处理时限"),
    ),
    _p(
        "tickets.upload.max_mb",
        Kind.INT,
        10,
        _("每张照片大小上限"),
        _("系统安全"),
        unit="MB",
        minimum=1,
        maximum=50,
    ),
    _p(
        "tickets.upload.max_files",
        Kind.INT,
        6,
        _("每条诉求照片数上限"),
        _("系统安全"),
        unit=_("张"),
        minimum=1,
        maximum=20,
    ),
    _p(
        "portal.code.ttl_minutes",
        Kind.INT,
        5,
        _("业主端登录验证码有效期"),
        _("系统安全"),
        unit=MIN,
        minimum=1,
        maximum=30,
    ),
    _p(
        "portal.code.min_interval_seconds",
        Kind.INT,
        60,
        _("同一手机号获取验证码最短间隔"),
        _("系统安全"),
        unit=_("秒"),
        minimum=10,
        maximum=600,
    ),
    _p(
        "portal.code.max_per_hour",
        Kind.INT,
        5,
        _("同一手机号每小时最多获取验证码"),
        _("系统安全"),
        unit=TIMES,
        minimum=1,
        maximum=30,
    ),
    _p(
        "portal.code.max_per_ip_hour",
        Kind.INT,
        50,
        _("同一网络地址每小时最多获取验证码"),
        _("系统安全"),
        unit=TIMES,
        minimum=5,
        maximum=1000,
        help=_("一个地址可能由许多住户共用（家庭宽带、运营商网络、前台自助机）"),
    ),
    _p(
        "portal.code.max_attempts",
        Kind.INT,
        5,
        _("验证码最多输错次数"),
        _("系统安全"),
        unit=TIMES,
        minimum=1,
        maximum=10,
    ),
    _p(
        "portal.session.days",
        Kind.INT,
        30,
        _("业主端登录保持天数"),
        _("系统安全"),
        unit=D,
        minimum=1,
        maximum=180,
    ),
    # --- Ch.7 surveys --------------------------------------------------------------------
    _p(
        "surveys.rounds.months",
        Kind.INT_LIST,
        [5, 11],
        _("年度满意度调查月份"),
        _("第七章 调查频次"),
        unit=MON,
        minimum=1,
        maximum=12,
        alternatives=_("每年至少一次"),
    ),
    _p(
        "surveys.rounds.min_per_year",
        Kind.INT,
        1,
        _("每年至少调查次数"),
        _("第七章 调查频次"),
        unit=TIMES,
        minimum=1,
        maximum=12,
    ),
    _p(
        "surveys.new_community.first_after_months",
        Kind.INT,
        6,
        _("新入伙小区首次调查（入伙后）"),
        _("第七章 调查频次"),
        unit=M,
        minimum=1,
        maximum=24,
    ),
    _p(
        "surveys.scope.freeze_days",
        Kind.INT,
        7,
        _("调查范围提前锁定"),
        _("第七章 抽样"),
        unit=D,
        minimum=0,
        maximum=60,
    ),
    _p(
        "surveys.sample.confidence",
        Kind.DECIMAL,
        Decimal("95"),
        _("抽样置信度"),
        _("第七章 样本量"),
        unit=PCT,
        minimum=80,
        maximum=99,
    ),
    _p(
        "surveys.sample.margin",
        Kind.DECIMAL,
        Decimal("5"),
        _("抽样允许误差"),
        _("第七章 样本量"),
        unit=PCT,
        minimum=1,
        maximum=20,
    ),
    _p(
        "surveys.sample.proportion",
        Kind.DECIMAL,
        Decimal("0.5"),
        _("预估比例 p"),
        _("第七章 样本量"),
        minimum=Decimal("0.01"),
        maximum=Decimal("0.99"),
    ),
    _p(
        "surveys.sample.coverage_rate",
        Kind.DECIMAL,
        Decimal("90"),
        _("覆盖式发放比例（占已入住户）"),
        _("第七章 样本量"),
        unit=PCT,
        minimum=1,
        maximum=100,
    ),
    _p(
        "surveys.phone.max_share",
        Kind.DECIMAL,
        Decimal("5"),
        _("电话访问占样本比例上限"),
        _("第七章 发放与回收"),
        unit=PCT,
        minimum=0,
        maximum=100,
    ),
    _p(
        "surveys.return.target_rate",
        Kind.DECIMAL,
        Decimal("80"),
        _("问卷回收率目标"),
        _("第七章 发放与回收"),
        unit=PCT,
        minimum=0,
        maximum=100,
    ),
    _p(
        "surveys.audit.phone_min",
        Kind.INT,
        2,
        _("真实性核查：电话抽查未回收户（最少）"),
        _("第七章 真实性核查"),
        unit=_("户"),
        minimum=0,
        maximum=50,
    ),
    _p(
        "surveys.audit.phone_max",
        Kind.INT,
        3,
        _("真实性核查：电话抽查未回收户（最多）"),
        _("第七章 真实性核查"),
        unit=_("户"),
        minimum=0,
        maximum=50,
    ),
    _p(
        "surveys.audit.keyed_share",
        Kind.DECIMAL,
        Decimal("10"),
        _("真实性核查：录入问卷对照纸质比例"),
        _("第七章 真实性核查"),
        unit=PCT,
        minimum=0,
        maximum=100,
    ),
    _p(
        "surveys.comment.return_call_days",
        Kind.INT,
        15,
        _("意见建议回电时限"),
        _("第七章 意见处理"),
        unit=D,
        minimum=1,
        maximum=60,
    ),
    _p(
        "surveys.report.retention_years",
        Kind.INT,
        10,
        _("客户调研报告保存期"),
        _("第七章 调研报告"),
        unit=Y,
        minimum=1,
        maximum=50,
    ),
    _p(
        "surveys.rectification.days",
        Kind.INT,
        30,
        _("满意度未达标整改期限"),
        _("第七章 目标"),
        unit=D,
        minimum=1,
        maximum=180,
    ),
    _p(
        "surveys.target.satisfaction",
        Kind.DECIMAL,
        Decimal("90"),
        _("满意度目标（总体及各维度）"),
        _("第七章 目标"),
        unit=PCT,
        minimum=0,
        maximum=100,
        alternatives=_("行业一级：每年 ≥ 80%"),
    ),
    # --- Ch.8 service commitments --------------------------------------------------------
    _p(
        "commitments.hotline.hours_per_day",
        Kind.INT,
        24,
        _("服务热线每日开通时长"),
        _("第八章 服务承诺"),
        unit=H,
        minimum=1,
        maximum=24,
    ),
    _p(
        "commitments.repair.ordinary_arrival_minutes",
        Kind.INT,
        15,
        _("一般维修到场时限"),
        _("第八章 服务承诺"),
        unit=MIN,
        minimum=1,
        maximum=240,
        alternatives=_("5–15 分钟"),
    ),
    _p(
        "commitments.repair.emergency_arrival_minutes",
        Kind.INT,
        15,
        _("紧急维修到场时限"),
        _("第八章 服务承诺"),
        unit=MIN,
        minimum=1,
        maximum=120,
    ),
    _p(
        "commitments.fire.arrival_minutes",
        Kind.INT,
        3,
        _("火警到场时限"),
        _("第八章 服务承诺"),
        unit=MIN,
        minimum=1,
        maximum=30,
    ),
    _p(
        "commitments.return_visit.rate",
        Kind.DECIMAL,
        Decimal("100"),
        _("承诺回访率"),
        _("第八章 服务承诺"),
        unit=PCT,
        minimum=0,
        maximum=100,
    ),
    _p(
        "commitments.satisfaction.rate",
        Kind.DECIMAL,
        Decimal("95"),
        _("承诺满意度"),
        _("第八章 服务承诺"),
        unit=PCT,
        minimum=0,
        maximum=100,
    ),
    # --- Ch.9 supervision, shifts, training, assessment ----------------------------------
    _p(
        "staffing.inspection.interval_months",
        Kind.INT,
        1,
        _("公司巡检管理处周期"),
        _("第九章 巡检督导"),
        unit=M,
        minimum=1,
        maximum=12,
        alternatives=_("每季度"),
    ),
    _p(
        "staffing.spot_check.share",
        Kind.DECIMAL,
        Decimal("5"),
        _("公司电话抽查客户比例"),
        _("第九章 巡检督导"),
        unit=PCT,
        minimum=0,
        maximum=100,
    ),
    _p(
        "staffing.handover.arrive_early_minutes",
        Kind.INT,
        15,
        _("交接班提前到岗"),
        _("第九章 班次"),
        unit=MIN,
        minimum=0,
        maximum=60,
    ),
    _p(
        "staffing.certificate.after_months",
        Kind.INT,
        6,
        _("上岗证（在岗满）"),
        _("第九章 培训"),
        unit=M,
        minimum=0,
        maximum=36,
    ),
    _p(
        "staffing.target.complaint_timeliness",
        Kind.DECIMAL,
        Decimal("100"),
        _("考核：投诉处理及时率目标"),
        _("第九章 考核"),
        unit=PCT,
        minimum=0,
        maximum=100,
    ),
    _p(
        "staffing.target.return_visit_rate",
        Kind.DECIMAL,
        Decimal("100"),
        _("考核：回访率目标"),
        _("第九章 考核"),
        unit=PCT,
        minimum=0,
        maximum=100,
    ),
    _p(
        "staffing.target.satisfaction",
        Kind.DECIMAL,
        Decimal("90"),
        _("考核：满意度目标"),
        _("第九章 考核"),
        unit=PCT,
        minimum=0,
        maximum=100,
    ),
    _p(
        "staffing.target.first_time_fix",
        Kind.DECIMAL,
        Decimal("85"),
        _("考核：一次修复率目标"),
        _("第九章 考核"),
        unit=PCT,
        minimum=0,
        maximum=100,
    ),
    _p(
        "staffing.weight.complaint_timeliness",
        Kind.INT,
        30,
        _("考核权重：投诉处理及时率"),
        _("第九章 考核"),
        unit=PCT,
        minimum=0,
        maximum=100,
    ),
    _p(
        "staffing.weight.return_visit_rate",
        Kind.INT,
        25,
        _("考核权重：回访率"),
        _("第九章 考核"),
        unit=PCT,
        minimum=0,
        maximum=100,
    ),
    _p(
        "staffing.weight.satisfaction",
        Kind.INT,
        20,
        _("考核权重：满意度"),
        _("第九章 考核"),
        unit=PCT,
        minimum=0,
        maximum=100,
    ),
    _p(
        "staffing.weight.visit_plan",
        Kind.INT,
        15,
        _("考核权重：拜访计划完成率"),
        _("第九章 考核"),
        unit=PCT,
        minimum=0,
        maximum=100,
    ),
    _p(
        "staffing.weight.data_quality",
        Kind.INT,
        10,
        _("考核权重：资料完整及时"),
        _("第九章 考核"),
        unit=PCT,
        minimum=0,
        maximum=100,
    ),
    _p(
        "staffing.score.rectify_below",
        Kind.DECIMAL,
        Decimal("3.5"),
        _("季度考核低于此分（满分 5）需整改"),
        _("第九章 考核"),
        minimum=0,
        maximum=5,
    ),
    _p(
        "staffing.score.retrain_after_months",
        Kind.INT,
        3,
        _("连续排名末三位需再培训（月数）"),
        _("第九章 考核"),
        unit=M,
        minimum=1,
        maximum=12,
    ),
]

PARAMETERS: dict[str, Parameter] = {p.key: p for p in _DEFINITIONS}
assert len(PARAMETERS) == len(_DEFINITIONS), "duplicate policy parameter key"


def get(key: str) -> Parameter:
    try:
        return PARAMETERS[key]
    except KeyError:
        raise KeyError(f"unknown policy parameter {key!r}") from None
