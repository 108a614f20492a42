"""Roles of POLICY Ch.2 and the permission codes each holds, defined in code.

`docs/permissions.md` documents the same table; a test keeps the two in step.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    GENERAL_MANAGER = "general_manager", _("总经理")
    GM_ASSISTANT = "gm_assistant", _("总经理助理")
    HR_ADMIN_MANAGER = "hr_admin_manager", _("人事行政经理")
    ENGINEERING_MANAGER = "engineering_manager", _("工程经理")
    HQ_CUSTOMER_SUPERVISOR = "hq_customer_supervisor", _("客户主管（公司）")
    SURVEY_RESEARCHER = "survey_researcher", _("客户调研员")
    RECEPTIONIST = "receptionist", _("客户接待")
    OFFICE_MANAGER = "office_manager", _("管理处主任")
    OFFICE_CUSTOMER_SUPERVISOR = "office_customer_supervisor", _("客户主管（管理处）")
    STEWARD = "steward", _("物管员")
    RELATIONSHIP_OFFICER = "relationship_officer", _("客户关系维护")
    DATA_OFFICER = "data_officer", _("客户信息管理")


# Roles that belong to the company (no community); they see every community.
COMPANY_ROLES = frozenset(
    {
        Role.GENERAL_MANAGER,
        Role.GM_ASSISTANT,
        Role.HR_ADMIN_MANAGER,
        Role.ENGINEERING_MANAGER,
        Role.HQ_CUSTOMER_SUPERVISOR,
        Role.SURVEY_RESEARCHER,
    }
)
# Roles that always belong to one 管理处.
OFFICE_ROLES = frozenset(
    {
        Role.OFFICE_MANAGER,
        Role.OFFICE_CUSTOMER_SUPERVISOR,
        Role.STEWARD,
        Role.RELATIONSHIP_OFFICER,
        Role.DATA_OFFICER,
    }
)
# Roles that may sit at headquarters (no community) or in an office.
FLEXIBLE_ROLES = frozenset({Role.RECEPTIONIST})


class Perm:
    """Permission codes. Templates test `"code" in request.perms`."""

    # organisation
    ORG_VIEW_STAFF = "org.view_staff"
    ORG_MANAGE_STAFF = "org.manage_staff"
    ORG_MANAGE_COMMUNITIES = "org.manage_communities"
    # policy parameters
    POLICY_VIEW = "policy.view"
    POLICY_EDIT = "policy.edit"
    # customer database (Ch.3, 3a)
    CUSTOMERS_VIEW = "customers.view"
    CUSTOMERS_EDIT = "customers.edit"
    CUSTOMERS_SET_SECRECY = "customers.set_secrecy"
    CUSTOMERS_UNMASK = "customers.unmask"
    CUSTOMERS_IMPORT = "customers.import"
    CUSTOMERS_EXPORT = "customers.export"
    PRIVACY_APPROVE_CONFIDENTIAL = "privacy.approve_confidential"
    PRIVACY_APPROVE_TOP_SECRET = "privacy.approve_top_secret"
    PRIVACY_APPROVE_EXPORT = "privacy.approve_export"
    PRIVACY_APPROVE_DISCLOSURE = "privacy.approve_disclosure"
    PRIVACY_VIEW_ACCESS_LOG = "privacy.view_access_log"
    PRIVACY_INCIDENTS = "privacy.incidents"
    # requests and complaints (Ch.6)
    TICKETS_VIEW = "tickets.view"
    TICKETS_CREATE = "tickets.create"
    TICKETS_HANDLE = "tickets.handle"
    TICKETS_DISPATCH = "tickets.dispatch"
    TICKETS_SUPERVISE = "tickets.supervise"
    TICKETS_ESCALATE = "tickets.escalate"
    TICKETS_COMPANY_LEVEL = "tickets.company_level"
    TICKETS_ENGINEERING = "tickets.engineering"
    TICKETS_APPROVE_REPLY = "tickets.approve_reply"
    TICKETS_RETURN_VISIT = "tickets.return_visit"
    # grading and care (Ch.4, Ch.5)
    GRADING_PROPOSE = "grading.propose"
    GRADING_CONFIRM = "grading.confirm"
    GRADING_APPROVE_VIP = "grading.approve_vip"
    GRADING_CONFIGURE = "grading.configure"
    CARE_VISIT = "care.visit"
    CARE_PLAN = "care.plan"
    CARE_RECEPTION_LOG = "care.reception_log"
    CARE_NOTICES = "care.notices"
    CARE_NEEDS = "care.needs"
    CARE_DAILY_CHECK = "care.daily_check"
    CARE_EVENTS = "care.events"
    CARE_TEMPLATES = "care.templates"
    # surveys (Ch.7)
    SURVEYS_VIEW = "surveys.view"
    SURVEYS_PLAN = "surveys.plan"
    SURVEYS_OFFICE_PLAN = "surveys.office_plan"
    SURVEYS_APPROVE = "surveys.approve"
    SURVEYS_DESIGN = "surveys.design"
    SURVEYS_KEY_IN = "surveys.key_in"
    SURVEYS_REPORT = "surveys.report"
    # supervision, shifts, training, assessment (Ch.8, Ch.9)
    SUPERVISION_INSPECT = "supervision.inspect"
    STAFFING_SHIFTS = "staffing.shifts"
    STAFFING_TRAINING = "staffing.training"
    STAFFING_ASSESS = "staffing.assess"
    # statistics (Ch.10)
    REPORTS_OFFICE = "reports.office"
    REPORTS_COMPANY = "reports.company"


PERMISSION_LABELS: dict[str, Any] = {
    Perm.ORG_VIEW_STAFF: _("查看员工名录"),
    Perm.ORG_MANAGE_STAFF: _("管理员工账号"),
    Perm.ORG_MANAGE_COMMUNITIES: _("管理小区与片区"),
    Perm.POLICY_VIEW: _("查看制度参数"),
    Perm.POLICY_EDIT: _("修改制度参数"),
    Perm.CUSTOMERS_VIEW: _("查看客户资料"),
    Perm.CUSTOMERS_EDIT: _("录入和更新客户资料"),
    Perm.CUSTOMERS_SET_SECRECY: _("确定客户资料密级"),
    Perm.CUSTOMERS_UNMASK: _("查看敏感字段明文"),
    Perm.CUSTOMERS_IMPORT: _("导入客户资料"),
    Perm.CUSTOMERS_EXPORT: _("申请导出客户资料"),
    Perm.PRIVACY_APPROVE_CONFIDENTIAL: _("审批机密档案查阅"),
    Perm.PRIVACY_APPROVE_TOP_SECRET: _("审批绝密档案查阅"),
    Perm.PRIVACY_APPROVE_EXPORT: _("审批批量导出"),
    Perm.PRIVACY_APPROVE_DISCLOSURE: _("审批对外提供客户信息"),
    Perm.PRIVACY_VIEW_ACCESS_LOG: _("查阅档案查阅登记"),
    Perm.PRIVACY_INCIDENTS: _("登记和处理信息泄漏事件"),
    Perm.TICKETS_VIEW: _("查看客户诉求"),
    Perm.TICKETS_CREATE: _("受理客户诉求"),
    Perm.TICKETS_HANDLE: _("处理客户诉求"),
    Perm.TICKETS_DISPATCH: _("派单与转办"),
    Perm.TICKETS_SUPERVISE: _("督办与催办"),
    Perm.TICKETS_ESCALATE: _("升级投诉"),
    Perm.TICKETS_COMPANY_LEVEL: _("处理公司级投诉"),
    Perm.TICKETS_ENGINEERING: _("处理各小区工程类诉求"),
    Perm.TICKETS_APPROVE_REPLY: _("审批书面答复"),
    Perm.TICKETS_RETURN_VISIT: _("回访"),
    Perm.GRADING_PROPOSE: _("提出客户分级"),
    Perm.GRADING_CONFIRM: _("确认客户分级"),
    Perm.GRADING_APPROVE_VIP: _("审批 VIP 客户"),
    Perm.GRADING_CONFIGURE: _("配置分级方案与 VIP 客户管理策略"),
    Perm.CARE_VISIT: _("拜访客户"),
    Perm.CARE_PLAN: _("制定拜访计划"),
    Perm.CARE_RECEPTION_LOG: _("登记来电来访来函"),
    Perm.CARE_NOTICES: _("发布通知"),
    Perm.CARE_NEEDS: _("登记和办理个性化需求"),
    Perm.CARE_DAILY_CHECK: _("接待登记日终检查"),
    Perm.CARE_EVENTS: _("组织社区活动与业主座谈会"),
    Perm.CARE_TEMPLATES: _("编辑关怀问候模板"),
    Perm.SURVEYS_VIEW: _("查看客户调研"),
    Perm.SURVEYS_PLAN: _("制定年度客户调查方案"),
    Perm.SURVEYS_OFFICE_PLAN: _("制定管理处客户调查方案"),
    Perm.SURVEYS_APPROVE: _("审批调查方案"),
    Perm.SURVEYS_DESIGN: _("编制调查问卷"),
    Perm.SURVEYS_KEY_IN: _("录入纸质问卷"),
    Perm.SURVEYS_REPORT: _("编写客户调研报告"),
    Perm.SUPERVISION_INSPECT: _("巡检督导管理处"),
    Perm.STAFFING_SHIFTS: _("安排工作班次"),
    Perm.STAFFING_TRAINING: _("培训与上岗证"),
    Perm.STAFFING_ASSESS: _("考核服务人员"),
    Perm.REPORTS_OFFICE: _("查看管理处统计"),
    Perm.REPORTS_COMPANY: _("查看全公司统计"),
}

ALL_PERMISSIONS = frozenset(PERMISSION_LABELS)

# Read access every staff member needs to do any customer work at all.
_STAFF_BASE = frozenset(
    {
        Perm.ORG_VIEW_STAFF,
        Perm.POLICY_VIEW,
        Perm.CUSTOMERS_VIEW,
        Perm.TICKETS_VIEW,
        Perm.SURVEYS_VIEW,
    }
)
# "Read everything" of the company's management.
_COMPANY_READER = _STAFF_BASE | {
    Perm.REPORTS_OFFICE,
    Perm.REPORTS_COMPANY,
    Perm.PRIVACY_VIEW_ACCESS_LOG,
}

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.GENERAL_MANAGER: _COMPANY_READER
    | {
        Perm.PRIVACY_APPROVE_TOP_SECRET,
        Perm.PRIVACY_APPROVE_EXPORT,
        Perm.PRIVACY_APPROVE_DISCLOSURE,
        Perm.PRIVACY_INCIDENTS,
        Perm.SURVEYS_APPROVE,
        Perm.GRADING_APPROVE_VIP,
        Perm.GRADING_CONFIGURE,
        Perm.CARE_VISIT,  # company leaders visit VIPs yearly (POLICY Ch.5)
    },
    Role.GM_ASSISTANT: _COMPANY_READER
    | {
        Perm.PRIVACY_APPROVE_TOP_SECRET,
        Perm.PRIVACY_APPROVE_DISCLOSURE,
        Perm.SURVEYS_APPROVE,
        Perm.GRADING_APPROVE_VIP,
        Perm.CARE_VISIT,
    },
    Role.HR_ADMIN_MANAGER: _COMPANY_READER
    | {
        Perm.CARE_TEMPLATES,  # greeting templates are company-wide, kept by headquarters
        Perm.POLICY_EDIT,
        Perm.ORG_MANAGE_STAFF,
        Perm.ORG_MANAGE_COMMUNITIES,
        Perm.PRIVACY_APPROVE_EXPORT,
        Perm.PRIVACY_INCIDENTS,
        Perm.SURVEYS_APPROVE,
        Perm.GRADING_APPROVE_VIP,
        Perm.GRADING_CONFIGURE,
        Perm.TICKETS_ESCALATE,
        Perm.TICKETS_SUPERVISE,
        Perm.TICKETS_COMPANY_LEVEL,
        Perm.STAFFING_ASSESS,
    },
    Role.ENGINEERING_MANAGER: _STAFF_BASE
    | {
        Perm.TICKETS_HANDLE,
        Perm.TICKETS_ENGINEERING,
        Perm.TICKETS_DISPATCH,
        Perm.REPORTS_OFFICE,
    },
    Role.HQ_CUSTOMER_SUPERVISOR: _COMPANY_READER
    | {
        Perm.CARE_EVENTS,
        Perm.CARE_TEMPLATES,
        Perm.TICKETS_CREATE,
        Perm.TICKETS_HANDLE,
        Perm.TICKETS_DISPATCH,
        Perm.TICKETS_SUPERVISE,
        Perm.TICKETS_ESCALATE,
        Perm.TICKETS_COMPANY_LEVEL,
        Perm.TICKETS_APPROVE_REPLY,
        Perm.TICKETS_RETURN_VISIT,
        Perm.SUPERVISION_INSPECT,
        Perm.STAFFING_TRAINING,
        Perm.GRADING_CONFIGURE,
        Perm.STAFFING_ASSESS,
        Perm.SURVEYS_PLAN,
        Perm.PRIVACY_INCIDENTS,
        Perm.CARE_VISIT,
    },
    Role.SURVEY_RESEARCHER: _STAFF_BASE
    | {
        Perm.SURVEYS_PLAN,
        Perm.SURVEYS_DESIGN,
        Perm.SURVEYS_KEY_IN,
        Perm.SURVEYS_REPORT,
        Perm.REPORTS_COMPANY,
        Perm.REPORTS_OFFICE,
    },
    Role.RECEPTIONIST: _STAFF_BASE
    | {Perm.TICKETS_CREATE, Perm.CARE_RECEPTION_LOG, Perm.CARE_NEEDS, Perm.TICKETS_RETURN_VISIT},
    Role.OFFICE_MANAGER: _STAFF_BASE
    | {
        Perm.CARE_EVENTS,  # community events and owner forums (POLICY Ch.5)
        Perm.ORG_MANAGE_STAFF,
        Perm.CUSTOMERS_EDIT,
        Perm.CUSTOMERS_SET_SECRECY,
        Perm.CUSTOMERS_UNMASK,
        Perm.CUSTOMERS_IMPORT,
        Perm.CUSTOMERS_EXPORT,
        Perm.PRIVACY_APPROVE_CONFIDENTIAL,
        Perm.PRIVACY_VIEW_ACCESS_LOG,
        Perm.PRIVACY_INCIDENTS,
        Perm.TICKETS_CREATE,
        Perm.TICKETS_HANDLE,
        Perm.TICKETS_DISPATCH,
        Perm.TICKETS_SUPERVISE,
        Perm.TICKETS_ESCALATE,
        Perm.TICKETS_APPROVE_REPLY,
        Perm.TICKETS_RETURN_VISIT,
        Perm.GRADING_PROPOSE,
        Perm.GRADING_CONFIRM,
        Perm.CARE_VISIT,
        Perm.CARE_PLAN,
        Perm.CARE_RECEPTION_LOG,
        Perm.CARE_NEEDS,
        Perm.CARE_DAILY_CHECK,
        Perm.CARE_NOTICES,
        Perm.SURVEYS_OFFICE_PLAN,
        Perm.SURVEYS_KEY_IN,
        Perm.STAFFING_SHIFTS,
        Perm.STAFFING_ASSESS,
        Perm.REPORTS_OFFICE,
    },
    Role.OFFICE_CUSTOMER_SUPERVISOR: _STAFF_BASE
    | {
        Perm.CARE_EVENTS,
        Perm.CUSTOMERS_EDIT,
        Perm.CUSTOMERS_SET_SECRECY,
        Perm.CUSTOMERS_UNMASK,
        Perm.CUSTOMERS_IMPORT,
        Perm.CUSTOMERS_EXPORT,
        Perm.TICKETS_CREATE,
        Perm.TICKETS_HANDLE,
        Perm.TICKETS_DISPATCH,
        Perm.TICKETS_SUPERVISE,
        Perm.TICKETS_ESCALATE,
        Perm.TICKETS_APPROVE_REPLY,
        Perm.TICKETS_RETURN_VISIT,
        Perm.GRADING_PROPOSE,
        Perm.GRADING_CONFIRM,
        Perm.CARE_VISIT,
        Perm.CARE_PLAN,
        Perm.CARE_RECEPTION_LOG,
        Perm.CARE_NEEDS,
        Perm.CARE_DAILY_CHECK,
        Perm.CARE_NOTICES,
        Perm.SURVEYS_OFFICE_PLAN,
        Perm.SURVEYS_KEY_IN,
        Perm.STAFFING_SHIFTS,
        Perm.REPORTS_OFFICE,
    },
    Role.STEWARD: _STAFF_BASE
    | {
        Perm.CUSTOMERS_EDIT,
        Perm.TICKETS_CREATE,
        Perm.TICKETS_HANDLE,
        Perm.TICKETS_RETURN_VISIT,
        Perm.CARE_VISIT,
        Perm.CARE_RECEPTION_LOG,
        Perm.CARE_NEEDS,
    },
    Role.RELATIONSHIP_OFFICER: _STAFF_BASE
    | {
        Perm.CARE_EVENTS,
        Perm.CARE_VISIT,
        Perm.CARE_RECEPTION_LOG,
        Perm.CARE_NEEDS,
        Perm.TICKETS_CREATE,
        Perm.TICKETS_RETURN_VISIT,
    },
    Role.DATA_OFFICER: _STAFF_BASE
    | {Perm.CUSTOMERS_EDIT, Perm.CUSTOMERS_IMPORT, Perm.SURVEYS_KEY_IN},
}


def permissions_for(role: str | None) -> frozenset[str]:
    if role is None:
        return frozenset()
    return ROLE_PERMISSIONS.get(role, frozenset())


def is_company_role(role: str) -> bool:
    return role in COMPANY_ROLES
