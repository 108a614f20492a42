from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from linli.org.models import Area, Community, Company, Department, Staff


@admin.register(Staff)
class StaffAdmin(UserAdmin):
    list_display = ["username", "name", "role", "community", "is_active", "is_superuser"]
    list_filter = ["role", "community", "is_active", "is_superuser"]
    search_fields = ["username", "name", "phone"]
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        ("Linli", {"fields": ("name", "role", "community", "department", "phone", "employee_no")}),
    )


@admin.register(Community)
class CommunityAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "households", "is_active"]
    search_fields = ["code", "name"]


admin.site.register(Company)
admin.site.register(
    Area, list_display=["community", "code", "name", "steward"], list_filter=["community"]
)
admin.site.register(
    Department, list_display=["name", "community", "kind"], list_filter=["community", "kind"]
)
