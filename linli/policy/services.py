from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.audit import services as audit
from linli.core.errors import DomainError
from linli.policy.models import ParameterVersion
from linli.policy.registry import PARAMETERS, InvalidValue
from linli.policy.selectors import invalidate_snapshot, latest_version, parameter_value

# A change may not take effect in the past: deadlines already computed would silently change
# meaning. A little slack covers the time between opening the form and saving it.
BACKDATE_SLACK = dt.timedelta(minutes=5)


@transaction.atomic
def set_parameter(
    key: str,
    raw_value: Any,
    *,
    actor: Any,
    reason: str,
    effective_from: dt.datetime | None = None,
    community: Any = None,
    expected_version: int | None = None,
) -> ParameterVersion:
    """Record a new version of a policy parameter; nothing earlier is overwritten.

    `raw_value=None` with a community clears that community's override.
    `expected_version` is the version the editor saw: if someone saved in between, refuse.
    """
    param = PARAMETERS.get(key)
    if param is None:
        raise DomainError(_("没有名为 %(key)s 的制度参数。") % {"key": key}, field="key")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("请填写修改原因。"), field="reason")
    community_id = getattr(community, "pk", community)
    if community_id is not None and not param.community_override:
        raise DomainError(_("该参数由公司统一规定，不能按小区单独设置。"), field="community")
    now = timezone.now()
    effective_from = effective_from or now
    if effective_from < now - BACKDATE_SLACK:
        raise DomainError(_("生效时间不能早于当前时间。"), field="effective_from")
    if raw_value is None:
        if community_id is None:
            raise DomainError(_("请填写取值。"), field="value")
        stored = None
    else:
        try:
            stored = param.to_json(param.parse(raw_value))
        except InvalidValue as error:
            raise DomainError(str(error), field="value") from error

    current_version = latest_version(key, community_id)
    if expected_version is not None and expected_version != current_version:
        raise DomainError(
            _("该参数已被他人修改（当前为第 %(v)s 版），请刷新后重试。") % {"v": current_version}
        )
    old = parameter_value(key, at=effective_from, community=community_id)
    try:
        with transaction.atomic():
            row = ParameterVersion.objects.create(
                key=key,
                community_id=community_id,
                version=current_version + 1,
                value=stored,
                effective_from=effective_from,
                reason=reason,
                created_by=actor,
            )
    except IntegrityError as error:  # two editors saved at the same instant
        raise DomainError(_("该参数刚被他人修改，请刷新后重试。")) from error
    invalidate_snapshot()
    transaction.on_commit(invalidate_snapshot)
    audit.record(
        actor,
        "policy.parameter.changed",
        row,
        {
            "key": key,
            "old": param.to_json(old),
            "new": stored,
            "version": row.version,
            "effective_from": effective_from.isoformat(),
            "reason": reason,
        },
        community_id=community_id,
    )
    return row
