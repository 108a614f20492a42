from django.contrib import admin

from linli.surveys.models import Dimension


@admin.register(Dimension)
class DimensionAdmin(admin.ModelAdmin):
    """The company's service dimensions (客户服务, 秩序维护…): new ones appear in the
    questionnaire editor; a dimension in use is switched off, not deleted."""

    list_display = ("code", "name", "sort", "is_active")
    list_editable = ("name", "sort", "is_active")
    ordering = ("sort", "code")

    def has_delete_permission(self, request, obj=None):
        return False
