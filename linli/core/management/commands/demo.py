"""`linli demo`: load the deterministic demo data of every chapter built so far."""

from __future__ import annotations

from importlib import import_module
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

# The care chapter's apps (linli/care/<part>/), loaded after grades in this order.
CARE_PARTS = ("visits", "reception", "outreach")


class Command(BaseCommand):
    help = "Load demo data (company, communities, staff, households, …); deterministic for a seed"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--seed", type=int, default=2026, help="random seed (default 2026)")
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing when the database has data"
        )
        parser.add_argument(
            "--households", type=int, default=None, help="cap the households per community (tests)"
        )

    def handle(
        self,
        *args: Any,
        seed: int = 2026,
        if_empty: bool = False,
        households: int | None = None,
        **options: Any,
    ) -> None:
        from linli.customers.demo import load_households
        from linli.customers.services import create_due_review_tasks
        from linli.grading.demo import load_grades
        from linli.org.demo import load_organisation
        from linli.org.models import Community
        from linli.policy.selectors import snapshot
        from linli.surveys.demo import load_demo as load_surveys
        from linli.tickets.demo import load_tickets

        if if_empty and Community.objects.exists():
            self.stdout.write("demo: the database already has data; nothing loaded")
            return
        counts = load_organisation(seed)
        self.stdout.write(
            f"demo: {counts['communities']} communities, {counts['staff']} staff accounts "
            f"(password {settings.LINLI_DEMO_PASSWORD})"
        )
        for community in Community.objects.order_by("code"):
            with snapshot():
                made = load_households(community, seed, limit=households)
            if made["customers"]:
                self.stdout.write(
                    f"demo: {community.code} {made['households']} households, {made['customers']} customers"
                )
            with snapshot():  # a year of tickets, in proportion to the households loaded
                tickets = load_tickets(community, seed)
            if tickets:
                self.stdout.write(
                    f"demo: {community.code} {tickets.get('tickets', 0)} tickets in the last year "
                    f"({tickets.get('escalated', 0)} escalations, {tickets.get('reopened', 0)} reopened)"
                )
        self.stdout.write(f"demo: {load_grades(seed)['graded']} customers graded")
        for part in CARE_PARTS:
            loaded = import_module(f"linli.care.{part}.demo").load_demo(seed)
            if loaded:
                summary = ", ".join(f"{n} {what}" for what, n in loaded.items())
                self.stdout.write(f"demo: care/{part}: {summary}")
        surveys = load_surveys(seed)
        if surveys:
            self.stdout.write(
                f"demo: {surveys['rounds']} survey rounds, {surveys['responses']} forms answered, "
                f"{surveys['comments']} comments to call back"
            )
        create_due_review_tasks()
