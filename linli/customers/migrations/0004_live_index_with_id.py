"""The list's live-file index also holds the id, which the grant check of
`CustomerQuerySet.visible_to` (an EXISTS on the access grants) reads: the list's count stays an
index-only scan (docs/performance.md)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0003_search_indexes"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="customer",
            name="customers_cust_live_idx",
        ),
        migrations.AddIndex(
            model_name="customer",
            index=models.Index(
                condition=models.Q(("anonymised_at__isnull", True)),
                fields=["community", "secrecy"],
                include=("id",),
                name="customers_cust_live_id_idx",
            ),
        ),
    ]
