"""The default grade scheme (VIP / A / B / C), flags, rules and service plans (POLICY Ch.4, Ch.5).

Configuration, not code: the company edits all of it on the grading pages. Visit cadences
that the policy states follow its care.visit.* parameters.
"""

from decimal import Decimal

from django.db import migrations

GRADES = [
    # code, name, rank, colour, needs approval, default, description
    ("vip", "VIP客户", 40, "#b02a37", True, False, "公司审批的重要客户，执行《公司 VIP 客户管理策略》"),
    ("a", "A类客户", 30, "#e8590c", False, False, "多套房、大面积、老业主及业主委员会成员"),
    ("b", "B类客户", 20, "#1f5f8b", False, True, "一般客户（无规则命中时的默认等级）"),
    ("c", "C类客户", 10, "#6c757d", False, False, "长期欠费等需重点沟通的客户"),
]
FLAGS = [
    # code, name, source, colour
    ("important", "重要客户", "important", "#0d6efd"),
    ("committee", "业主委员会成员", "committee", "#198754"),
    ("peer", "同业人士", "manual", "#6f42c1"),
    ("media_gov", "媒体/政府", "manual", "#d63384"),
    ("sensitive", "高投诉/敏感", "manual", "#dc3545"),
    ("vacant", "空置", "vacant", "#868e96"),
    ("special_care", "特殊关怀", "care", "#0aa2c0"),
]
RULES = [
    # priority, grade, name, conditions
    (10, "vip", "管理处指定的重要客户", [{"input": "important", "op": "=", "value": True}]),
    (20, "vip", "大面积老业主", [
        {"input": "total_area", "op": ">=", "value": 300},
        {"input": "years", "op": ">=", "value": 3},
        {"input": "fee_status", "op": "!=", "value": "arrears"},
    ]),
    (30, "c", "长期欠费", [
        {"input": "fee_status", "op": "=", "value": "arrears"},
        {"input": "arrears_months", "op": ">=", "value": 6},
    ]),
    (40, "a", "业主委员会成员", [{"input": "committee", "op": "=", "value": True}]),
    (50, "a", "多套房业主", [
        {"input": "rooms", "op": ">=", "value": 2},
        {"input": "fee_status", "op": "!=", "value": "arrears"},
    ]),
    (60, "a", "大面积业主", [
        {"input": "total_area", "op": ">=", "value": 180},
        {"input": "fee_status", "op": "!=", "value": "arrears"},
    ]),
    (70, "a", "老业主", [
        {"input": "years", "op": ">=", "value": 8},
        {"input": "fee_status", "op": "in", "value": ["paid", "prepaid"]},
        {"input": "complaints_12m", "op": "<=", "value": 2},
    ]),
]
HOUSEHOLD = [
    ("steward", 1, 3, "care.visit.household_per_quarter"),
    ("steward", 2, 12, "care.visit.household_per_year"),
]
PLANS = {
    # grade or flag code: sla factor, invitations first, dedicated steward, care events, cadences, notes
    "vip": (Decimal("0.50"), True, True,
            ["birthday", "spring_festival", "mid_autumn", "move_in_anniversary", "year_end_card", "festival_visit"],
            [("steward", 1, 1, "care.visit.vip_steward_interval_months"),
             ("office_manager", 1, 3, "care.visit.vip_manager_interval_months"),
             ("company_leader", 1, 12, "care.visit.vip_company_interval_months")],
            "投诉升为公司级跟进；重大节日由管理处主任上门慰问。"),
    "a": (Decimal("0.75"), True, False, ["birthday", "spring_festival", "mid_autumn", "year_end_card"],
          [("steward", 1, 2, ""), ("office_manager", 1, 6, "")], ""),
    "b": (None, False, False, ["spring_festival", "mid_autumn"], HOUSEHOLD, ""),
    "c": (None, False, False, ["spring_festival"], HOUSEHOLD, "欠费客户由物管员结合拜访做好沟通。"),
    "committee": (Decimal("0.75"), True, False, [],
                  [("office_manager", 1, 3, "care.visit.committee_interval_months")],
                  "定期通报服务情况、调研结果与整改进展。"),
    "sensitive": (Decimal("0.75"), False, False, [], [("office_customer_supervisor", 1, 3, "")],
                  "诉求由管理处客户主管亲自跟进。"),
}


def forwards(apps, schema_editor):
    Grade = apps.get_model("grading", "Grade")
    Flag = apps.get_model("grading", "Flag")
    GradeRule = apps.get_model("grading", "GradeRule")
    ServicePlan = apps.get_model("grading", "ServicePlan")
    VisitCadence = apps.get_model("grading", "VisitCadence")
    if Grade.objects.exists():
        return
    grades, flags = {}, {}
    for code, name, rank, colour, approval, default, description in GRADES:
        grades[code] = Grade.objects.create(
            code=code, name=name, rank=rank, colour=colour, needs_approval=approval,
            is_default=default, description=description,
        )
    for sort, (code, name, source, colour) in enumerate(FLAGS):
        flags[code] = Flag.objects.create(code=code, name=name, source=source, colour=colour, sort=sort)
    for priority, grade, name, conditions in RULES:
        GradeRule.objects.create(grade=grades[grade], name=name, priority=priority, conditions=conditions)
    for subject in [*grades.values(), *flags.values()]:
        key = "grade" if isinstance(subject, Grade) else "flag"
        values = PLANS.get(subject.code)
        if values is None:
            ServicePlan.objects.create(**{key: subject})
            continue
        factor, invite, dedicated, events, cadences, notes = values
        plan = ServicePlan.objects.create(
            **{key: subject}, sla_factor=factor, invitations_first=invite, dedicated_steward=dedicated,
            care_events=events, notes=notes,
        )
        for sort, (visitor, times, months, parameter) in enumerate(cadences):
            VisitCadence.objects.create(
                plan=plan, visitor=visitor, times=times, per_months=months, policy_key=parameter, sort=sort
            )


def backwards(apps, schema_editor):
    pass


class Migration(migrations.Migration):
    dependencies = [("grading", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
