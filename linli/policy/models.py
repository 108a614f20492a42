from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ParameterVersion(models.Model):
    """One version of one policy parameter; rows are never changed, a change is a new row.

    `community` empty = the company-wide value; set = that 管理处's override (where the
    parameter allows one). A community row with `value` null clears the override.
    """

    key = models.CharField(_("参数"), max_length=100)
    community = models.ForeignKey(
        "org.Community",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("小区"),
    )
    version = models.PositiveIntegerField(_("版本"))
    value = models.JSONField(_("取值"), null=True, blank=True)
    effective_from = models.DateTimeField(_("生效时间"))
    reason = models.CharField(_("修改原因"), max_length=500)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("修改人"),
    )
    created_at = models.DateTimeField(_("修改时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("制度参数版本")
        verbose_name_plural = _("制度参数版本")
        ordering = ["key", "community", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["key", "version"],
                condition=Q(community__isnull=True),
                name="policy_version_company_uniq",
            ),
            models.UniqueConstraint(
                fields=["key", "community", "version"],
                condition=Q(community__isnull=False),
                name="policy_version_community_uniq",
            ),
        ]
        indexes = [
            models.Index(
                fields=["key", "community", "effective_from"], name="policy_key_effective_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.key} v{self.version}"
