"""`linli worker`: runs queued background tasks and the periodic sweeps.

Tasks come from django-tasks' database backend (row-locked, so several workers can run);
sweeps are claimed with compare-and-set updates, so each slot runs once across all workers.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from django.core.management.base import BaseCommand
from django.db import close_old_connections, connection

from linli.core.sweeps import SWEEPS, run_due_sweeps

logger = logging.getLogger("linli.worker")


class Command(BaseCommand):
    help = "Run background tasks and periodic sweeps"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--once", action="store_true", help="run due sweeps and queued tasks, then exit"
        )
        parser.add_argument(
            "--interval", type=float, default=2.0, help="seconds between queue polls"
        )
        parser.add_argument(
            "--sweep-interval", type=float, default=10.0, help="seconds between sweep checks"
        )

    def handle(
        self,
        *args: Any,
        once: bool = False,
        interval: float = 2.0,
        sweep_interval: float = 10.0,
        **kw: Any,
    ) -> None:
        from django_tasks import task_backends
        from django_tasks_db.management.commands.db_worker import Worker

        backend_name = "default"
        uses_database = task_backends[backend_name].__class__.__module__.startswith(
            "django_tasks_db"
        )
        if once:
            ran = run_due_sweeps()
            self.stdout.write(f"sweeps run: {', '.join(ran) or 'none due'}")
            if uses_database:
                self._worker(Worker, backend_name, interval=0, batch=True).run()
            return

        stop = threading.Event()

        def sweeper() -> None:
            while not stop.is_set():
                try:
                    close_old_connections()
                    for name in run_due_sweeps():
                        logger.info("sweep %s finished", name)
                except Exception:  # keep sweeping; the error is in the log and in SweepRun
                    logger.exception("sweep scheduler failed")
                finally:
                    connection.close()
                stop.wait(sweep_interval)

        thread = threading.Thread(target=sweeper, name="linli-sweeps", daemon=True)
        thread.start()
        self.stdout.write(f"linli worker: {len(SWEEPS)} sweeps scheduled; polling the task queue")
        try:
            if uses_database:
                worker = self._worker(Worker, backend_name, interval=interval, batch=False)
                worker.configure_signals()
                worker.run()
            else:
                thread.join()
        finally:
            stop.set()

    @staticmethod
    def _worker(worker_class: Any, backend_name: str, *, interval: float, batch: bool) -> Any:
        import socket
        import uuid

        return worker_class(
            queue_names=["*"],
            excluded_queue_names=[],
            interval=interval,
            batch=batch,
            backend_name=backend_name,
            startup_delay=False,
            max_tasks=None,
            worker_id=f"{socket.gethostname()}-{uuid.uuid4().hex[:8]}"[:64],
        )
