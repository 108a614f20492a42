"""Infrastructure tables only: no domain models live in core."""

from __future__ import annotations

from typing import Any, Protocol, Self

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class BaseModel(models.Model):
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        abstract = True


class ScopedUser(Protocol):
    """What the scoping gate needs to know of a user (org.Staff implements it)."""

    is_authenticated: bool
    is_company_wide: bool
    community_id: int | None


class CommunityScopedQuerySet(models.QuerySet):
    """The one read gate for community-owned rows.

    Company roles see every community, office roles their own, anyone else nothing.
    Models whose rows belong to a community through a different path override
    `community_lookup`.
    """

    community_lookup = "community_id"

    def visible_to(self, user: Any) -> Self:
        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.is_company_wide:
            return self.all()
        if user.community_id is None:
            return self.none()
        return self.filter(self.office_scope(user.community_id))

    def office_scope(self, community_id: int) -> Q:
        """What an office user of `community_id` may see; models with company-wide rows that
        offices also read (a company survey plan) widen it."""
        return Q(**{self.community_lookup: community_id})

    def in_community(self, community_id: int | None) -> Self:
        """Narrow to the community chosen in the switcher (None = all visible)."""
        if community_id is None:
            return self.all()
        return self.filter(**{self.community_lookup: community_id})


class SweepRun(models.Model):
    """When each periodic sweep last ran and next falls due.

    Workers claim a due sweep with a compare-and-set update on `next_run_at`, so several
    workers never run the same sweep twice for the same slot.
    """

    name = models.CharField(max_length=100, unique=True)
    next_run_at = models.DateTimeField()
    last_started_at = models.DateTimeField(null=True, blank=True)
    last_finished_at = models.DateTimeField(null=True, blank=True)
    last_result = models.TextField(blank=True, default="")
    last_error = models.TextField(blank=True, default="")

    class Meta:
        verbose_name = _("定时任务")
        verbose_name_plural = _("定时任务")

    def __str__(self) -> str:
        return self.name
