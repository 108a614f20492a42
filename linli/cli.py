"""The `linli` command: one entry point for running, operating and inspecting Linli.

linli serve [--port N] [--workers N]   gunicorn on 127.0.0.1 (PORT= overrides)
linli demo [--seed N] [--if-empty]     load the deterministic demo data
linli worker [--once]                  background tasks + periodic sweeps
linli migrate | createsuperuser        Django's commands
linli workdays add DATE N              the date N working days after DATE (ISO)
linli manage ARGS…                     any Django management command
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys


def _django(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linli.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["linli", *argv])
    return 0


def _serve(args: argparse.Namespace) -> int:
    port = args.port or int(os.environ.get("PORT", "8000"))
    host = args.host or os.environ.get("HOST", "127.0.0.1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linli.settings")
    argv = [
        "gunicorn",
        "linli.wsgi:application",
        "--bind",
        f"{host}:{port}",
        "--workers",
        str(args.workers),
        "--worker-class",
        "sync",
        "--access-logfile",
        "-",
        "--timeout",
        "120",
    ]
    os.execvp(sys.executable, [sys.executable, "-m", *argv])
    return 0  # pragma: no cover  (execvp does not return)


def _workdays(args: argparse.Namespace) -> int:
    from linli.core import worktime

    try:
        start = dt.date.fromisoformat(args.date)
    except ValueError:
        print(f"linli workdays: '{args.date}' is not a date (YYYY-MM-DD)", file=sys.stderr)
        return 2
    result = worktime.add_workdays(start, args.n)
    print(result.isoformat())
    first, last = worktime.calendar_coverage()
    if not (first <= start.year <= last and first <= result.year <= last):
        print(
            f"note: holidays are known for {first}-{last} only; other years count weekends only",
            file=sys.stderr,
        )
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(
        prog="linli", description="Linli (邻里) customer-relationship system"
    )
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="serve the app with gunicorn")
    serve.add_argument("--port", type=int, default=None)
    serve.add_argument("--host", default=None)
    serve.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "2")))

    workdays = sub.add_parser("workdays", help="working-calendar arithmetic")
    wsub = workdays.add_subparsers(dest="op", required=True)
    add = wsub.add_parser("add", help="the date N working days after DATE")
    add.add_argument("date")
    add.add_argument("n", type=int)

    for name in ("demo", "worker", "migrate", "createsuperuser"):
        sub.add_parser(name, add_help=False, help=f"Django management command '{name}'")
    sub.add_parser("manage", add_help=False, help="any Django management command")

    if argv and argv[0] in {
        "demo",
        "worker",
        "migrate",
        "createsuperuser",
        "bench",
        "import",
        "export",
    }:
        return _django(argv)
    if argv and argv[0] == "manage":
        return _django(argv[1:])
    args = parser.parse_args(argv)
    if args.command == "serve":
        return _serve(args)
    if args.command == "workdays":
        return _workdays(args)
    parser.print_help()
    return 2


if __name__ == "__main__":
    sys.exit(main())
