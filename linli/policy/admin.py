from django.contrib import admin

from linli.policy.models import ParameterVersion


@admin.register(ParameterVersion)
class ParameterVersionAdmin(admin.ModelAdmin):
    """Read-only: a change is a new version made through the policy page, never an edit."""

    list_display = ["key", "community", "version", "value", "effective_from", "created_by"]
    list_filter = ["key"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
