"""The measuring side of `linli bench` (DESIGN §8): real server, real HTTP, bare SQL beside it.

- `prepare_database` makes (or reuses) the bench's own PostgreSQL database;
- `Server` runs gunicorn with 2 sync workers against it on a free loopback port;
- `Http` is a small HTTP/1.1 client (keep-alive when the server offers it — gunicorn's sync
  workers close after each response, so each request also pays a loopback connect);
- `capture_data_sql` runs a request in-process and keeps the SQL that reads the customer
  tables (the rows of the response), which `time_sql` then times on a bare psycopg connection;
- `measure` / `throughput` give p50/p95 and requests per second.
"""

from __future__ import annotations

import json
import os
import platform
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

DATA_TABLES = ("customers_customer", "customers_room", "customers_occupancy")
TICKET_TABLES = ("tickets_ticket", "tickets_returnvisit", "tickets_ticketevent")


# --- numbers --------------------------------------------------------------------------------
def percentile(samples: Sequence[float], p: float) -> float:
    """Linear interpolation between closest ranks (numpy's default)."""
    if not samples:
        return float("nan")
    ordered = sorted(samples)
    rank = (len(ordered) - 1) * p / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def allowed(*, sql_p95: float, slack: float) -> float:
    """The relative budget of DESIGN §8: at most max(2 × SQL, SQL + slack)."""
    return max(2 * sql_p95, sql_p95 + slack)


# --- the database ---------------------------------------------------------------------------
def _with_dbname(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def _libpq(url: str) -> str:
    """psycopg wants postgresql:// (dj-database-url also accepts postgres://)."""
    return re.sub(r"^postgres(ql)?(\+\w+)?://", "postgresql://", url)


def dbname_of(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def prepare_database(
    url: str, *, rebuild: bool, fits: Callable[[dict[str, Any] | None], bool]
) -> str:
    """Create the bench database when missing; drop and recreate it on --rebuild or when it
    holds a different data set. Returns what it found or did: "reused" (the data set is there),
    "empty" (migrated or not, no data yet), "created" or "recreated"."""
    import psycopg
    from psycopg import sql

    from linli.customers.bench import MARKER_TABLE

    name = dbname_of(url)
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        raise ValueError(f"unsupported database name {name!r}")
    with psycopg.connect(_libpq(_with_dbname(url, "postgres")), autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
    state = "created"
    if exists:
        marker: dict[str, Any] | None = None
        has_tables = False
        with psycopg.connect(_libpq(url), autocommit=True) as conn:
            tables = {
                r[0]
                for r in conn.execute(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
                ).fetchall()
            }
            has_tables = "customers_customer" in tables
            if MARKER_TABLE in tables:
                row = conn.execute(
                    sql.SQL("SELECT value FROM {} WHERE key = 'dataset'").format(
                        sql.Identifier(MARKER_TABLE)
                    )
                ).fetchone()
                marker = json.loads(row[0]) if row else None
        if not rebuild and (fits(marker) or (marker is None and not has_tables)):
            return "reused" if marker else "empty"
        state = "recreated"
    with psycopg.connect(_libpq(_with_dbname(url, "postgres")), autocommit=True) as admin:
        if exists:
            admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return state


def machine() -> dict[str, Any]:
    from django.db import connection

    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        cpu = platform.processor()
    memory_gb = 0.0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory_gb = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    settings_of_interest = ("shared_buffers", "work_mem", "effective_cache_size", "jit")
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        version = cursor.fetchone()[0]
        cursor.execute(
            "SELECT name, current_setting(name) FROM pg_settings WHERE name = ANY(%s)",
            [list(settings_of_interest)],
        )
        pg_settings = dict(cursor.fetchall())
    import django

    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "memory_gb": memory_gb,
        "postgresql": version.split(" on ")[0],
        "postgresql_settings": pg_settings,
        "python": platform.python_version(),
        "django": django.get_version(),
    }


def wait_idle(seconds: float, *, below: float = 1.0) -> float:
    """Wait up to `seconds` for the 1-minute load average to drop below `below`; the load."""
    deadline = time.monotonic() + seconds
    while os.getloadavg()[0] >= below and time.monotonic() < deadline:
        time.sleep(5)
    return os.getloadavg()[0]


# --- the server -----------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """gunicorn with N sync workers (as `linli serve`) on a free loopback port."""

    def __init__(self, database_url: str, *, workers: int = 2) -> None:
        self.database_url = database_url
        self.workers = workers
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.log = Path(tempfile.mkstemp(prefix="linli-bench-gunicorn-", suffix=".log")[1])

    def __enter__(self) -> Server:
        from django.conf import settings

        env = {
            **os.environ,
            "DATABASE_URL": self.database_url,
            "DJANGO_SETTINGS_MODULE": "linli.settings",
            "DEBUG": "0",
            "PGAPPNAME": APP_NAME,
        }
        argv = [
            sys.executable, "-m", "gunicorn", "linli.wsgi:application",
            "--bind", f"127.0.0.1:{self.port}", "--workers", str(self.workers),
            "--worker-class", "sync", "--timeout", "120", "--log-level", "warning",
        ]  # fmt: skip
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                argv, env=env, cwd=settings.BASE_DIR, stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {self.log.read_text()[-2000:]}")
            try:
                status, _h, _b = Http(self.port).request("GET", "/healthz")
                if status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        self.__exit__()
        raise RuntimeError("gunicorn did not become ready within 60 s")

    def worker_pids(self) -> list[int]:
        if self.process is None:
            return []
        pid = self.process.pid
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            return []
        return [int(c) for c in children]

    def __exit__(self, *exc: object) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.unlink(missing_ok=True)


# --- HTTP -----------------------------------------------------------------------------------
class Http:
    """A minimal HTTP/1.1 client: keep-alive when offered, a cookie jar, Content-Length bodies."""

    def __init__(self, port: int, headers: dict[str, str] | None = None) -> None:
        self.port = port
        self.headers = dict(headers or {})
        self.cookies: dict[str, str] = {}
        self.sock: socket.socket | None = None
        self.buffer = b""

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
        self.sock = None
        self.buffer = b""

    def _connect(self) -> socket.socket:
        sock = socket.create_connection(("127.0.0.1", self.port), timeout=60)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock

    def request(
        self,
        method: str,
        path: str,
        *,
        body: bytes = b"",
        headers: dict[str, str] | None = None,
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{self.port}"]
        merged = {**self.headers, **(headers or {})}
        if self.cookies:
            merged["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body or method == "POST":
            merged["Content-Length"] = str(len(body))
        lines += [f"{k}: {v}" for k, v in merged.items()]
        payload = ("\r\n".join(lines) + "\r\n\r\n").encode() + body
        reused = self.sock is not None
        try:
            return self._exchange(payload)
        except (ConnectionError, TimeoutError, _Closed):
            self.close()
            if not reused:
                raise
            return self._exchange(payload)  # the server closed an idle keep-alive connection

    def _exchange(self, payload: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
        if self.sock is None:
            self.sock = self._connect()
        self.sock.sendall(payload)
        while b"\r\n\r\n" not in self.buffer:
            self._fill()
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        status = int(status_line.split()[1])
        headers = []
        for line in header_lines:
            name, _sep, value = line.partition(":")
            headers.append((name.strip().lower(), value.strip()))
        values = dict(headers)
        if "chunked" in values.get("transfer-encoding", ""):
            raise RuntimeError("chunked responses are not supported by the bench client")
        close = values.get("connection", "").lower() == "close"
        if "content-length" in values:
            length = int(values["content-length"])
            while len(self.buffer) < length:
                self._fill()
            body, self.buffer = self.buffer[:length], self.buffer[length:]
        else:
            while True:
                try:
                    self._fill()
                except _Closed:
                    break
            body, self.buffer, close = self.buffer, b"", True
        for name, value in headers:
            if name == "set-cookie":
                cookie = value.split(";", 1)[0]
                key, _sep, val = cookie.partition("=")
                self.cookies[key.strip()] = val.strip()
        if close:
            self.close()
        return status, headers, body

    def _fill(self) -> None:
        assert self.sock is not None
        chunk = self.sock.recv(65536)
        if not chunk:
            raise _Closed()
        self.buffer += chunk


class _Closed(Exception):
    pass


def api_token(port: int, username: str, password: str) -> str:
    body = json.dumps({"username": username, "password": password}).encode()
    status, _h, data = Http(port).request(
        "POST", "/api/v1/auth/token/", body=body, headers={"Content-Type": "application/json"}
    )
    if status != 200:
        raise RuntimeError(f"token for {username}: HTTP {status} {data[:200]!r}")
    return str(json.loads(data)["token"])


def session_client(port: int, username: str, password: str) -> Http:
    """Logged in through the login form, with its CSRF token, as a browser would."""
    client = Http(port)
    status, _h, page = client.request("GET", "/accounts/login/")
    match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if status != 200 or not match:
        raise RuntimeError(f"login page: HTTP {status}")
    form = urlencode(
        {"username": username, "password": password, "csrfmiddlewaretoken": match[1].decode()}
    ).encode()
    status, _h, _b = client.request(
        "POST",
        "/accounts/login/",
        body=form,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    if status != 302 or "sessionid" not in client.cookies:
        raise RuntimeError(f"login of {username} failed: HTTP {status}")
    return client


# --- cases ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class BudgetClass:
    label: str
    budget_ms: float
    slack_ms: float


SINGLE_SEARCH = BudgetClass("single-community search", 10.0, 8.0)
LIST_PAGE = BudgetClass("list page + count", 15.0, 10.0)
COMPANY_SEARCH = BudgetClass("company-wide search", 15.0, 8.0)
SUBSTRING_SEARCH = BudgetClass("Chinese substring search", 20.0, 8.0)
# "A community dashboard / monthly statistics: ≤ 300 ms, ≤ 2 × SQL": a slack of 0 makes
# max(2 × SQL, SQL + slack) exactly 2 × SQL.
DASHBOARD = BudgetClass("dashboard / monthly statistics", 300.0, 0.0)


def recent_months(n: int) -> list[str]:
    """The `which` values of the statistics page's month list for the last n whole months."""
    from django.utils import timezone

    from linli.reports.periods import period_choices

    choices = [value for value, _label in period_choices("month", timezone.localdate())]
    return choices[1 : n + 1]


@dataclass
class Case:
    name: str
    klass: BudgetClass
    client: Http
    paths: list[str]
    sql: list[list[str]] = field(default_factory=list)  # per path: its data queries
    result: dict[str, Any] = field(default_factory=dict)


def capture_data_sql(
    path: str, *, token: str | None = None, user: Any = None, tables: Sequence[str] = DATA_TABLES
) -> tuple[list[str], int]:
    """The SQL a request runs that reads the data tables (customers by default), and its
    total query count."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(headers={"Authorization": f"Token {token}"} if token else None)
    if user is not None:
        client.force_login(user)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    if response.status_code != 200:
        raise RuntimeError(f"{path}: HTTP {response.status_code} in-process")
    queries = [q["sql"] for q in captured.captured_queries]
    data = [q for q in queries if any(t in q for t in tables)]
    return data, len(queries)


APP_NAME = "linli-bench-gunicorn"  # libpq's application_name for the workers' connections


def cpu_seconds(pids: Iterable[int]) -> dict[int, float]:
    """User + system CPU seconds each process has used so far (Linux /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    used = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        used[pid] = (int(fields[11]) + int(fields[12])) / tick  # utime, stime (fields 14, 15)
    return used


def cpu_used(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds used between two readings by the processes alive at both."""
    return sum(after[pid] - before[pid] for pid in before.keys() & after.keys())


def database_backends(database_url: str) -> list[int]:
    """Process ids of the PostgreSQL backends serving the gunicorn workers."""
    import psycopg

    with psycopg.connect(_libpq(database_url), autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE application_name = %s", [APP_NAME]
        ).fetchall()
    return [r[0] for r in rows]


def measure(
    client: Http,
    paths: Sequence[str],
    n: int,
    *,
    warmup: int,
    processes: Callable[[], tuple[list[int], list[int]]] | None = None,
) -> tuple[list[float], dict[str, float]]:
    """n sequential requests (one in flight), cycling through paths: milliseconds each, and
    the CPU milliseconds per request the app workers and database backends spent."""
    for i in range(warmup):
        client.request("GET", paths[i % len(paths)])
    app, db = processes() if processes else ([], [])
    app_before, db_before = cpu_seconds(app), cpu_seconds(db)
    timings = []
    for i in range(n):
        path = paths[i % len(paths)]
        started = time.perf_counter()
        status, _h, _b = client.request("GET", path)
        timings.append((time.perf_counter() - started) * 1000)
        if status != 200:
            raise RuntimeError(f"{path}: HTTP {status}")
    cpu = {
        "app_cpu_ms": round(cpu_used(app_before, cpu_seconds(app)) * 1000 / n, 2),
        "db_cpu_ms": round(cpu_used(db_before, cpu_seconds(db)) * 1000 / n, 2),
    }
    return timings, cpu


def time_sql(database_url: str, statements: Sequence[Sequence[str]], n: int) -> list[float]:
    """The bare SQL of each request, run back to back on one kept connection; ms per request."""
    import psycopg

    with psycopg.connect(_libpq(database_url), autocommit=True) as conn:
        cursor = conn.cursor()
        for group in statements:  # warm-up: each request's SQL once
            for sql in group:
                cursor.execute(sql.encode())
                cursor.fetchall()
        timings = []
        for i in range(n):
            group = statements[i % len(statements)]
            started = time.perf_counter()
            for sql in group:
                cursor.execute(sql.encode())
                cursor.fetchall()
            timings.append((time.perf_counter() - started) * 1000)
    return timings


def explain(database_url: str, sql: str) -> str:
    import psycopg

    with psycopg.connect(_libpq(database_url), autocommit=True) as conn:
        rows = conn.execute(("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + sql).encode()).fetchall()
    return "\n".join(r[0] for r in rows)


def throughput(
    make_client: Callable[[], Http],
    paths: Sequence[str],
    *,
    clients: int,
    requests: int,
    seconds: float,
) -> dict[str, Any]:
    """`clients` threads send requests back to back until `requests` are done or `seconds`
    pass; requests per second, latency under load and errors."""
    lock = threading.Lock()
    counter = {"next": 0}
    timings: list[float] = []
    errors: list[str] = []
    deadline = time.monotonic() + seconds

    def work() -> None:
        client = make_client()
        local: list[float] = []
        while time.monotonic() < deadline:
            with lock:
                index = counter["next"]
                if index >= requests:
                    break
                counter["next"] = index + 1
            path = paths[index % len(paths)]
            started = time.perf_counter()
            try:
                status, _h, _b = client.request("GET", path)
            except OSError as error:
                errors.append(str(error))
                client.close()
                continue
            local.append((time.perf_counter() - started) * 1000)
            if status != 200:
                errors.append(f"{path}: HTTP {status}")
        client.close()
        with lock:
            timings.extend(local)

    threads = [threading.Thread(target=work) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return {
        "clients": clients,
        "requests": len(timings),
        "seconds": round(elapsed, 2),
        "per_second": round(len(timings) / elapsed, 1) if elapsed else 0.0,
        "p50_ms": round(percentile(timings, 50), 2),
        "p95_ms": round(percentile(timings, 95), 2),
        "errors": len(errors),
        "first_error": errors[0] if errors else "",
    }


def verdict(case_result: dict[str, Any], klass: BudgetClass) -> dict[str, Any]:
    p95, sql_p95 = case_result["p95_ms"], case_result["sql_p95_ms"]
    limit = allowed(sql_p95=sql_p95, slack=klass.slack_ms)
    absolute_ok = p95 <= klass.budget_ms
    relative_ok = p95 <= limit
    return {
        "budget_ms": klass.budget_ms,
        "relative_limit_ms": round(limit, 2),
        "ratio": round(p95 / sql_p95, 1) if sql_p95 else None,
        "absolute": "PASS" if absolute_ok else "FAIL",
        "relative": "PASS" if relative_ok else "FAIL",
        "verdict": "PASS" if absolute_ok and relative_ok else "FAIL",
    }


def run_case(
    case: Case,
    *,
    database_url: str,
    n: int,
    warmup: int,
    processes: Callable[[], tuple[list[int], list[int]]] | None = None,
) -> dict[str, Any]:
    timings, cpu = measure(case.client, case.paths, n, warmup=warmup, processes=processes)
    sql_timings = time_sql(database_url, case.sql, n)
    result = {
        "case": case.name,
        "class": case.klass.label,
        "requests": n,
        "variants": len(case.paths),
        "queries": round(sum(len(g) for g in case.sql) / max(len(case.sql), 1), 1),
        "p50_ms": round(percentile(timings, 50), 2),
        "p95_ms": round(percentile(timings, 95), 2),
        "sql_p50_ms": round(percentile(sql_timings, 50), 2),
        "sql_p95_ms": round(percentile(sql_timings, 95), 2),
        **cpu,
    }
    result.update(verdict(result, case.klass))
    case.result = result
    return result


def format_table(results: Sequence[dict[str, Any]]) -> str:
    header = (
        f"{'case':<36} {'rows':>5} {'p50':>6} {'p95':>6} {'SQL50':>6} {'SQL95':>6} {'ratio':>5} "
        f"{'budget':>6} {'rel.':>5} {'cpu app/db':>11}  verdict"
    )
    lines = [header, "-" * len(header)]
    for r in results:
        ratio = f"{r['ratio']:.1f}" if r["ratio"] is not None else "-"
        cpu = f"{r.get('app_cpu_ms', 0):.1f}/{r.get('db_cpu_ms', 0):.1f}"
        detail = (
            ""
            if r["verdict"] == "PASS"
            else f" (absolute {r['absolute']}, relative {r['relative']})"
        )
        lines.append(
            f"{r['case']:<36} {r.get('rows', ''):>5} {r['p50_ms']:>6.2f} {r['p95_ms']:>6.2f} "
            f"{r['sql_p50_ms']:>6.2f} {r['sql_p95_ms']:>6.2f} {ratio:>5} {r['budget_ms']:>6.0f} "
            f"{r['relative_limit_ms']:>5.1f} {cpu:>11}  {r['verdict']}{detail}"
        )
    return "\n".join(lines)
