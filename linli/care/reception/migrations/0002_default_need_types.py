"""The company's usual kinds of personalised need; the list is then kept in the admin."""

from django.db import migrations

DEFAULT_TYPES = [
    ("parcel", "代收快递", 10),
    ("housekeeping", "家政服务", 20),
    ("key_custody", "钥匙托管", 30),
    ("bill_payment", "代缴费用", 40),
    ("repair_booking", "上门维修预约", 50),
    ("elderly_care", "老人关怀", 60),
    ("other", "其他", 99),
]


def add_types(apps, schema_editor):
    NeedType = apps.get_model("care_reception", "NeedType")
    for code, name, sort in DEFAULT_TYPES:
        NeedType.objects.get_or_create(code=code, defaults={"name": name, "sort": sort})


def remove_types(apps, schema_editor):
    NeedType = apps.get_model("care_reception", "NeedType")
    NeedType.objects.filter(code__in=[code for code, _name, _sort in DEFAULT_TYPES]).delete()


class Migration(migrations.Migration):
    dependencies = [("care_reception", "0001_initial")]

    operations = [migrations.RunPython(add_types, remove_types)]
