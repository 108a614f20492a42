"""`linli import customers FILE --community CODE [--create-rooms] [--dry-run] [--json]`.

The same pipeline as the web import. Exit status 0 only when the file is valid (and, without
--dry-run, imported); 1 when it has errors (nothing written); 2 for a wrong command line.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from linli.customers.importer import (
    COUNT_KEYS,
    COUNT_LABELS,
    ImportFileError,
    Outcome,
    describe,
    run_import,
)


class Command(BaseCommand):
    help = "Import an .xlsx workbook (业主信息登记表) into a community's customer database"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=["customers"], help="what to import")
        parser.add_argument("file", help="the .xlsx workbook")
        parser.add_argument("--community", required=True, help="community code, e.g. CH")
        parser.add_argument(
            "--create-rooms",
            action="store_true",
            help="create the buildings, units and rooms it names",
        )
        parser.add_argument("--dry-run", action="store_true", help="validate only, write nothing")
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="print one JSON object"
        )
        parser.add_argument("--sheet", default="", help="the sheet to import (default: found)")

    def handle(self, *args: Any, **options: Any) -> None:
        from linli.org.models import Community

        code = options["community"].strip().upper()
        community = Community.objects.filter(code=code).first()
        if community is None:
            raise CommandError(_("小区代码 %(code)s 不存在。") % {"code": code}, returncode=2)
        try:
            stream = open(options["file"], "rb")  # noqa: SIM115  (closed below)
        except OSError as error:
            message = _("无法打开文件 %(file)s：%(why)s") % {
                "file": options["file"],
                "why": error.strerror or error,
            }
            outcome = Outcome.failed(ImportFileError(message))
        else:
            with stream:
                outcome = run_import(
                    community,
                    stream,
                    actor=None,
                    create_rooms=options["create_rooms"],
                    dry_run=options["dry_run"],
                    sheet=options["sheet"],
                    name=str(options["file"]),
                )
        if options["as_json"]:
            self.stdout.write(json.dumps(outcome.as_json(), ensure_ascii=False))
        else:
            self.summary(outcome, dry_run=options["dry_run"])
        if not outcome.ok:
            raise CommandError(
                _("有 %(n)s 处错误，未写入任何数据。") % {"n": len(outcome.errors)}, returncode=1
            )

    def summary(self, outcome: Outcome, *, dry_run: bool) -> None:
        if outcome.layout is not None:
            sheets = "、".join(title for title, _row in outcome.layout.sheets)
            self.stdout.write(
                _("工作表：%(sheets)s（表头在第 %(row)s 行）")
                % {"sheets": sheets, "row": outcome.layout.header_row}
            )
        self.stdout.write(
            "，".join(f"{COUNT_LABELS[key]} {outcome.counts.get(key, 0)}" for key in COUNT_KEYS)
        )
        for title, items in ((_("错误"), outcome.errors), (_("提示"), outcome.warnings)):
            if items:
                self.stdout.write(_("%(title)s %(n)s 处：") % {"title": title, "n": len(items)})
                for item in items:
                    self.stdout.write("  " + describe(item))
        if outcome.committed:
            self.stdout.write(self.style.SUCCESS(_("已导入。")))
        elif outcome.ok and dry_run:
            self.stdout.write(self.style.SUCCESS(_("预检通过（--dry-run，未写入）。")))
