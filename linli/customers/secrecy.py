"""Clearance and grants: what secrecy level of customer file a user may open.

The clearance per role is a policy parameter (`privacy.clearance.<role>`); above it, a file is
readable only with an approved, unexpired access grant (privacy app) at the file's level.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db.models import Exists, OuterRef
from django.utils import timezone

from linli import policy
from linli.customers.models import Secrecy


def clearance_of(user: Any) -> int:
    role = getattr(user, "role", "")
    if not role or not user.is_active:
        return 0
    return int(Secrecy.from_code(policy.value(f"privacy.clearance.{role}")))


def grants_of(user: Any) -> list[tuple[int, int]]:
    """(customer id, level) of the user's approved grants that have not expired.

    Not cached: a grant approved or expiring mid-session must take effect at once, and the
    query is one index lookup on (grantee, status, valid_until).
    """
    if not getattr(user, "pk", None):
        return []
    AccessGrant = apps.get_model(
        "privacy", "AccessGrant"
    )  # privacy builds on customers: looked up lazily
    return list(
        AccessGrant.objects.filter(
            grantee=user, status="approved", valid_until__gt=timezone.now()
        ).values_list("customer_id", "level")
    )


def grant_exists(user: Any, now: Any = None) -> Exists:
    """`grants_of` as a condition on customer rows: the user holds an approved, unexpired
    grant for the row's file at (at least) its level. Evaluated in the statement that reads
    the rows, so a grant takes effect at once and costs no query of its own."""
    AccessGrant = apps.get_model("privacy", "AccessGrant")
    return Exists(
        AccessGrant.objects.filter(
            customer=OuterRef("pk"),
            grantee_id=getattr(user, "pk", None),
            status="approved",
            valid_until__gt=now or timezone.now(),
            level__gte=OuterRef("secrecy"),
        )
    )
