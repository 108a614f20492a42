from django.contrib import admin

from linli.care.reception.models import NeedType


@admin.register(NeedType)
class NeedTypeAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "sort", "is_active")
    list_editable = ("name", "sort", "is_active")
    ordering = ("sort", "code")
