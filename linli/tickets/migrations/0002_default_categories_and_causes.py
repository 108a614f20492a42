"""The policy's default categories (设施设备, 环境卫生 …) and cause categories; editable later."""

from django.db import migrations

CATEGORIES = [
    ("facilities", "设施设备", "engineering", True),
    ("environment", "环境卫生", "cleaning", False),
    ("security", "秩序安全", "security", False),
    ("attitude", "服务态度", "customer_service", False),
    ("charges", "收费", "customer_service", False),
    ("greening", "绿化", "greening", False),
    ("other", "其他", "customer_service", False),
]
CAUSES = ["服务态度", "响应不及时", "维修质量", "设施老化", "管理制度", "沟通不足", "第三方原因", "客户误解", "其他"]


def forwards(apps, schema_editor):
    Category = apps.get_model("tickets", "Category")
    Cause = apps.get_model("tickets", "Cause")
    for sort, (code, name, kind, engineering) in enumerate(CATEGORIES):
        Category.objects.get_or_create(
            code=code, defaults={"name": name, "department_kind": kind, "engineering": engineering, "sort": sort}
        )
    for sort, name in enumerate(CAUSES):
        Cause.objects.get_or_create(name=name, defaults={"sort": sort})


def backwards(apps, schema_editor):
    pass


class Migration(migrations.Migration):
    dependencies = [("tickets", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
