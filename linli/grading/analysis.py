"""Customer structure analysis (细分客户结构): counts by grade, flag, type, occupancy and
community; movement between grades; visit coverage per grade; the Excel workbook.

Every count is over `Customer.objects.visible_to(user)`: files above the user's clearance are
not counted, exactly as they are not listed.
"""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.customers.models import Customer, Occupancy, Room
from linli.grading import hooks
from linli.grading.inputs import add_months
from linli.grading.models import CustomerFlag, CustomerGrade, Flag, Grade, GradeChange
from linli.grading.selectors import visible_customers
from linli.org.models import Community

UNGRADED = "—"


def flag_condition(flag: Flag) -> Q:
    """The customers that carry a flag, as a condition on Customer."""
    current = Occupancy.objects.filter(
        community_id=OuterRef("community_id"), customer=OuterRef("pk"), move_out__isnull=True
    )
    if flag.source == Flag.Source.IMPORTANT:
        return Q(is_important=True)
    if flag.source == Flag.Source.COMMITTEE:
        return Q(is_committee_member=True)
    if flag.source == Flag.Source.CARE:
        return ~Q(care_flags=[])
    if flag.source == Flag.Source.VACANT:
        return Q(Exists(current)) & ~Q(Exists(current.exclude(room__status=Room.Status.VACANT)))
    return Q(
        Exists(
            CustomerFlag.objects.filter(
                community_id=OuterRef("community_id"), customer=OuterRef("pk"), flag=flag
            )
        )
    )


def _grade_counts(
    user: Any, customers: QuerySet[Customer], community_id: int | None
) -> dict[int, dict[int | None, int]]:
    """community id → grade id (None: ungraded) → visible customers. Graded rows are counted
    from CustomerGrade narrowed by community first (its (community, grade) index), the rest
    are the community's visible customers without a grade."""
    graded = (
        CustomerGrade.objects.visible_to(user)
        .in_community(community_id)
        .filter(customer__in=customers.values("pk"), grade__isnull=False)
        .values("community_id", "grade_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts: dict[int, dict[int | None, int]] = defaultdict(dict)
    for r in graded:
        counts[r["community_id"]][r["grade_id"]] = r["n"]
    for r in customers.values("community_id").annotate(n=Count("pk")).order_by():
        known = counts[r["community_id"]]
        known[None] = r["n"] - sum(n for g, n in known.items() if g is not None)
    return counts


def _grade_rows(
    counts: dict[int, dict[int | None, int]], grades: list[Grade]
) -> list[dict[str, Any]]:
    totals: dict[int | None, int] = defaultdict(int)
    for per_grade in counts.values():
        for grade_id, n in per_grade.items():
            totals[grade_id] += n
    total = sum(totals.values()) or 1
    rows: list[dict[str, Any]] = [
        {"key": g.code, "name": g.name, "colour": g.colour, "count": totals.get(g.pk, 0)}
        for g in grades
    ]
    if totals.get(None):
        rows.append({"key": "", "name": _("未定级"), "colour": "#ced4da", "count": totals[None]})
    for row in rows:
        row["share"] = round(100 * row["count"] / total, 1)
    return rows


def _by_community(counts: dict[int, dict[int | None, int]], grades: list[Grade]) -> dict[str, Any]:
    communities = list(Community.objects.filter(pk__in=list(counts)).order_by("code"))
    series = [
        {
            "name": g.name,
            "colour": g.colour,
            "data": [counts[c.pk].get(g.pk, 0) for c in communities],
        }
        for g in grades
    ]
    ungraded = [counts[c.pk].get(None, 0) for c in communities]
    if any(ungraded):
        series.append({"name": _("未定级"), "colour": "#ced4da", "data": ungraded})
    return {
        "labels": [c.name for c in communities],
        "series": series,
        "totals": [sum(counts[c.pk].values()) for c in communities],
    }


def _movement(
    user: Any, customers: QuerySet[Customer], community_id: int | None, grades: list[Grade],
    since: dt.datetime,
) -> dict[str, Any]:  # fmt: skip
    rows = (
        GradeChange.objects.visible_to(user)
        .in_community(community_id)
        .filter(customer__in=customers.values("pk"), at__gte=since)
        .annotate(month=TruncMonth("at"))
        .values("month", "old_grade_id", "new_grade_id")
        .annotate(n=Count("pk"))
        .order_by("month")
    )
    rank = {g.pk: g.rank for g in grades}
    months: dict[str, dict[str, int]] = {}
    start = timezone.localtime(since).date().replace(day=1)
    today = timezone.localdate()
    cursor = start
    while cursor <= today:
        months[cursor.strftime("%Y-%m")] = {"up": 0, "down": 0, "new": 0}
        cursor = add_months(cursor, 1)
    matrix: dict[tuple[int | None, int], int] = defaultdict(int)
    for r in rows:
        key = (
            timezone.localtime(r["month"]).strftime("%Y-%m")
            if isinstance(r["month"], dt.datetime)
            else r["month"].strftime("%Y-%m")
        )
        bucket = months.setdefault(key, {"up": 0, "down": 0, "new": 0})
        old, new = r["old_grade_id"], r["new_grade_id"]
        kind = "new" if old is None else ("up" if rank.get(new, 0) > rank.get(old, 0) else "down")
        bucket[kind] += r["n"]
        matrix[(old, new)] += r["n"]
    names = {g.pk: g.name for g in grades}
    transitions: list[dict[str, Any]] = sorted(
        ({"old": names.get(old, _("未定级")) if old else _("未定级"), "new": names.get(new, "?"), "count": n,
          "up": old is None or rank.get(new, 0) > rank.get(old, 0)}
         for (old, new), n in matrix.items()),
        key=lambda t: -t["count"],
    )  # fmt: skip
    return {
        "labels": list(months),
        "up": [m["up"] for m in months.values()],
        "down": [m["down"] for m in months.values()],
        "new": [m["new"] for m in months.values()],
        "transitions": transitions,
    }


def _coverage(
    customers: QuerySet[Customer], grades: list[Grade], since: dt.date
) -> list[dict[str, Any]] | None:
    if not hooks.VISITED_PROVIDERS:
        return None
    visited = Q()
    for provider in hooks.VISITED_PROVIDERS:
        visited |= Q(pk__in=provider(customers, since))
    rows = (
        customers.values("grading__grade_id")
        .annotate(total=Count("pk"), visited=Count("pk", filter=visited))
        .order_by()
    )
    by_grade = {r["grading__grade_id"]: r for r in rows}
    result = []
    for g in grades:
        r = by_grade.get(g.pk, {"total": 0, "visited": 0})
        rate = round(100 * r["visited"] / r["total"], 1) if r["total"] else None
        result.append({"name": g.name, "colour": g.colour, "total": r["total"],
                       "visited": r["visited"], "rate": rate})  # fmt: skip
    return result


def structure(user: Any, community_id: int | None, *, months: int = 12) -> dict[str, Any]:
    customers = visible_customers(user, community_id)
    grades = list(Grade.objects.order_by("-rank"))
    kinds = dict(Customer.Kind.choices)
    roles = dict(Occupancy.Role.choices)
    statuses = dict(Room.Status.choices)
    current = (
        Occupancy.objects.visible_to(user)
        .in_community(community_id)
        .filter(customer__in=customers.values("pk"), move_out__isnull=True)
    )
    role_rows = [
        {"name": str(roles.get(r["role"], r["role"])), "count": r["n"]}
        for r in current.values("role")
        .annotate(n=Count("customer_id", distinct=True))
        .order_by("-n")
    ]
    # Separate counts, each a WHERE condition the planner can turn into a (hashed) semi-join;
    # conditional aggregates over EXISTS would run a subquery per customer row.
    housed = Occupancy.objects.filter(
        community_id=OuterRef("community_id"), customer=OuterRef("pk"), move_out__isnull=True
    )
    no_room = customers.exclude(Exists(housed)).count()
    if no_room:
        role_rows.append({"name": _("已迁出/未关联房间"), "count": no_room})
    rooms = Room.objects.visible_to(user).in_community(community_id)
    flags = [
        {"name": f.name, "colour": f.colour, "count": customers.filter(flag_condition(f)).count(),
         "derived": f.is_derived}
        for f in Flag.objects.filter(is_active=True).order_by("sort", "code")
    ]  # fmt: skip
    graded = (
        CustomerGrade.objects.visible_to(user)
        .in_community(community_id)
        .filter(customer__in=customers.values("pk"))
    )
    counts = _grade_counts(user, customers, community_id)
    now = timezone.now()
    since = timezone.make_aware(
        dt.datetime.combine(
            add_months(timezone.localdate().replace(day=1), -(months - 1)), dt.time.min
        )
    )
    return {
        "total": sum(sum(per.values()) for per in counts.values()),
        "grades": _grade_rows(counts, grades),
        "communities": _by_community(counts, grades),
        "kinds": [
            {"name": str(kinds.get(r["kind"], r["kind"])), "count": r["n"]}
            for r in customers.values("kind").annotate(n=Count("pk")).order_by("-n")
        ],
        "roles": role_rows,
        "rooms": [
            {"name": str(statuses.get(r["status"], r["status"])), "count": r["n"]}
            for r in rooms.values("status").annotate(n=Count("pk")).order_by("-n")
        ],
        "flags": flags,
        "movement": _movement(user, customers, community_id, grades, since),
        "coverage": _coverage(customers, grades, (now - dt.timedelta(days=92)).date()),
        "proposed_changes": graded.filter(proposed_grade__isnull=False)
        .exclude(proposed_grade_id=F("grade_id"))
        .count(),
        "pending_approvals": graded.filter(pending_grade__isnull=False).count(),
        "months": months,
    }


def chart_data(data: dict[str, Any]) -> dict[str, Any]:
    """What static/js/grading.js draws (passed with json_script)."""
    return {
        "grades": [{"name": g["name"], "value": g["count"], "colour": g["colour"]} for g in data["grades"]],
        "communities": data["communities"],
        "flags": {"labels": [f["name"] for f in data["flags"]], "values": [f["count"] for f in data["flags"]],
                  "colours": [f["colour"] for f in data["flags"]]},
        "kinds": [{"name": k["name"], "value": k["count"]} for k in data["kinds"]],
        "roles": [{"name": r["name"], "value": r["count"]} for r in data["roles"]],
        "rooms": [{"name": r["name"], "value": r["count"]} for r in data["rooms"]],
        "movement": {k: data["movement"][k] for k in ("labels", "up", "down", "new")},
        "labels": {"up": _("升级"), "down": _("降级"), "new": _("首次定级"), "customers": _("客户数")},
    }  # fmt: skip


def workbook(data: dict[str, Any], *, scope: str, actor: Any) -> bytes:
    """The analysis as an Excel workbook (aggregates only; no personal data)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    wb = Workbook()
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDE7F0")
    stamp = _("%(scope)s · %(who)s 于 %(at)s 导出") % {
        "scope": scope, "who": getattr(actor, "display_name", ""),
        "at": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
    }  # fmt: skip

    def sheet(title: str, header: list[str], rows: list[list[Any]], first: bool = False) -> None:
        ws = wb.active if first else wb.create_sheet()
        assert ws is not None
        ws.title = title
        ws.append([_("客户结构分析") + " · " + title])
        ws["A1"].font = Font(bold=True, size=13)
        ws.append([stamp])
        ws.append([])
        ws.append(header)
        for cell in ws[4]:
            cell.font, cell.fill = bold, fill
        for row in rows:
            ws.append(row)
        for column, width in zip("ABCDEFGHIJKL", [18] + [12] * 11, strict=False):
            ws.column_dimensions[column].width = width

    sheet(_("按等级"), [_("等级"), _("客户数"), _("占比（%）")],
          [[g["name"], g["count"], g["share"]] for g in data["grades"]], first=True)  # fmt: skip
    com = data["communities"]
    sheet(_("按小区"), [_("小区"), *[s["name"] for s in com["series"]], _("合计")],
          [[label, *[s["data"][i] for s in com["series"]], com["totals"][i]] for i, label in enumerate(com["labels"])])  # fmt: skip
    sheet(_("按标记"), [_("标记"), _("客户数")], [[f["name"], f["count"]] for f in data["flags"]])
    sheet(_("按类型"), [_("类型"), _("客户数")], [[k["name"], k["count"]] for k in data["kinds"]])
    sheet(
        _("按身份"), [_("入住身份"), _("客户数")], [[r["name"], r["count"]] for r in data["roles"]]
    )
    sheet(_("房屋状态"), [_("状态"), _("房间数")], [[r["name"], r["count"]] for r in data["rooms"]])
    mv = data["movement"]
    sheet(_("等级变动"), [_("月份"), _("升级"), _("降级"), _("首次定级")],
          [[m, mv["up"][i], mv["down"][i], mv["new"][i]] for i, m in enumerate(mv["labels"])])  # fmt: skip
    sheet(_("变动明细"), [_("原等级"), _("新等级"), _("人次")],
          [[t["old"], t["new"], t["count"]] for t in mv["transitions"]])  # fmt: skip
    if data["coverage"] is not None:
        sheet(_("拜访覆盖"), [_("等级"), _("客户数"), _("近三个月已拜访"), _("覆盖率（%）")],
              [[c["name"], c["total"], c["visited"], c["rate"]] for c in data["coverage"]])  # fmt: skip
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
