"""The fault suite's harness: real servers on 127.0.0.1 and people clicking through HTTP.

Running: `RUN_FAULTS=1 DATABASE_URL=postgres://... REDIS_URL=redis://... pytest -m faults
tests/faults` (.ci/run does this after `make test`). Without RUN_FAULTS=1 every test here is
skipped; without a reachable PostgreSQL and Redis they skip saying so. Also read:
LOAD_SECONDS (60) and LOAD_CLIENTS (20) for test_load.py, FAULTS_REFRESH_SECONDS (30) for the
safety refresh's period in the started processes, FAULTS_KEEP_DATABASE=1 to keep the database.

Fixtures (tests/faults/conftest.py)

    stack       session. A fresh PostgreSQL database `faults_<hex>` migrated by `manage.py
                migrate`, a Redis database number of its own (so no other run's worker takes
                its tasks), static files collected, and `stack.env`: the environment of the
                deployed settings (DEBUG=0, a SECRET_KEY, ALLOWED_HOSTS=127.0.0.1) for every
                process. Django in the test process uses the same database, so the ORM and
                tests/factories.py see what the servers see (no pytest-django `db` fixture:
                its test database would be private to the test's transaction).
                `stack.terminate_connections()` ends every other connection to the database;
                `stack.flush_broker()` empties its Redis database; `stack.redis_url`,
                `stack.database_url`, `stack.process_env(**overrides)`.
    processes   function. Starts servers and stops all of them at the test's end, then empties
                the broker:
                    server = processes.gunicorn(workers=3, **env)   # .url, .process
                    worker = processes.worker(pool="prefork", concurrency=1, **env)
                    beat = processes.beat(**env)
                `**env` adds or overrides environment variables for that process.
    seed        function. `seed(producers=4, prospects_each=0, commitments=False) -> Cast`:
                an agency whose producers log in over HTTP with `cast.password`. A Cast has
                .agency, .producers, .password, .activity_types, .path (the open stages in
                order, then the won one), .prospects {producer id: [Prospect in path[0]]} and
                .week_start().
    figures     function. A list: a line appended is printed in the run's closing "fault
                suite figures" section (requests, writes acknowledged and found, latencies).

Functions (usable without the fixtures)

    start_gunicorn(env, workers=3) -> (Popen, base_url)   waits until /login/ answers
    start_worker(env, pool="prefork", concurrency=1) -> Popen   waits until it is ready
    start_beat(env) -> Popen
    stop(process, timeout=10)        SIGTERM to its process group, SIGKILL after `timeout`
    kill(process_or_pid, sig=SIGKILL)   a signal to the one process (not its group)
    children(pid) -> [pid]           its child processes (e.g. a prefork worker's pool)
    log_tail(process, chars=4000)    what it printed (stdout and stderr, in LOG_DIR)
    wait_for(predicate, timeout, interval=0.2, message="")   the first truthy value or fail

HTTP (standard library only; one `Browser` per simulated person, each in its own thread)

    journal = Journal()
    browser = Browser(base_url, journal)
    browser.login(username, password)            # the login form, CSRF and all
    response = browser.get("/week/", kind="page")          # Response(status, body, ...)
    response = browser.post("/week/log/", {...}, kind="quick_log", htmx=True)
    tab = browser.clone()                        # the same session in another "tab"
    journal.entries / journal.count(500) / journal.summary() / journal.summary_line()
    live_version(html) -> the `v` a page's live poller sends

Redirects are never followed (a 302 is an answer in its own right). A request that got no
answer (refused, reset, timed out after 30 s) is recorded with status 0. The journal keeps
bodies only of answers >= 500.
"""

import contextlib
import http.cookiejar
import os
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from dataclasses import dataclass, field, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REQUEST_TIMEOUT = 30
# Each started process's output, kept after the run for a failure's post-mortem.
LOG_DIR = Path(tempfile.gettempdir()) / "salesculture-faults"
_started: list[subprocess.Popen] = []  # everything started here, stopped at exit at the latest


# --- processes ------------------------------------------------------------------------------

def _spawn(argv: list[str], env: dict, name: str, **kwargs) -> subprocess.Popen:
    """Start in its own process group (so `stop` reaches its children), output to a file."""
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    descriptor, log_path = tempfile.mkstemp(prefix=f"{name}-", suffix=".log", dir=LOG_DIR)
    try:
        process = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=descriptor,
                                   stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   start_new_session=True, **kwargs)
    finally:
        os.close(descriptor)
    process.log_path = Path(log_path)
    process.name = name
    _started.append(process)
    return process


def log_tail(process: subprocess.Popen, chars: int = 4000) -> str:
    try:
        text = process.log_path.read_text(errors="replace")
    except OSError:
        return ""
    return text[-chars:]


def stop(process: subprocess.Popen, timeout: float = 10) -> None:
    """SIGTERM to the process group, then SIGKILL to what is left after `timeout`."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=timeout)
    # Children that outlived their parent (a pool process) are still in the group.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    if process.poll() is None:
        process.wait(timeout=timeout)
    if process in _started:
        _started.remove(process)


def stop_all() -> None:
    for process in list(reversed(_started)):
        stop(process, timeout=5)


def kill(process: subprocess.Popen | int, sig: int = signal.SIGKILL) -> None:
    """A signal to one process only (its children are left as they are)."""
    os.kill(process if isinstance(process, int) else process.pid, sig)


def children(pid: int) -> list[int]:
    """The direct children of a process (Linux /proc), e.g. the pool of a prefork worker."""
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def wait_for(predicate, timeout: float, interval: float = 0.2, message: str = ""):
    """Poll `predicate` until it returns something truthy; fail the test after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(message or f"not true within {timeout} s: {predicate}")
        time.sleep(interval)


def _listening_socket() -> socket.socket:
    """A socket bound to a free port of 127.0.0.1, handed to gunicorn as `fd://`, so no other
    process can take the port between choosing it and binding it."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def start_gunicorn(env: dict, workers: int = 3, timeout: float = 60,
                   app: str = "salesculture.wsgi") -> tuple[subprocess.Popen, str]:
    """gunicorn serving `app` (the app's WSGI module) with the deployed settings in `env`."""
    sock = _listening_socket()
    port = sock.getsockname()[1]
    try:
        process = _spawn(
            [sys.executable, "-m", "gunicorn", app, "--bind",
             f"fd://{sock.fileno()}", "--workers", str(workers), "--timeout", "60",
             "--graceful-timeout", "5", "--error-logfile", "-"],
            env, "gunicorn", pass_fds=(sock.fileno(),))
    finally:
        sock.close()  # gunicorn holds its own copy
    base_url = f"http://127.0.0.1:{port}"

    def answers():
        if process.poll() is not None:
            raise AssertionError(f"gunicorn exited ({process.returncode}):\n"
                                 f"{log_tail(process)}")
        try:
            with urllib.request.urlopen(base_url + "/login/", timeout=5) as response:
                return response.status == 200
        except (OSError, urllib.error.URLError):
            return False

    wait_for(answers, timeout, interval=0.25,
             message=f"gunicorn did not answer /login/ in {timeout} s")
    return process, base_url


def start_worker(env: dict, pool: str = "prefork", concurrency: int = 1,
                 timeout: float = 60) -> subprocess.Popen:
    """A Celery worker on the stack's broker (the default queue), ready when this returns."""
    name = f"faults-{secrets.token_hex(3)}@%h"
    process = _spawn(
        [sys.executable, "-m", "celery", "-A", "salesculture", "worker", f"--pool={pool}",
         f"--concurrency={concurrency}", "--loglevel=INFO", "-n", name,
         "--without-heartbeat", "--without-mingle", "--without-gossip"],
        env, "worker")

    def ready():
        if process.poll() is not None:
            raise AssertionError(f"the worker exited ({process.returncode}):\n"
                                 f"{log_tail(process)}")
        return " ready." in log_tail(process, 20000)

    wait_for(ready, timeout, interval=0.25, message="the Celery worker did not get ready")
    return process


def start_beat(env: dict) -> subprocess.Popen:
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    schedule = LOG_DIR / f"beat-{secrets.token_hex(4)}.schedule"
    return _spawn([sys.executable, "-m", "celery", "-A", "salesculture", "beat",
                   "--loglevel=INFO", "--schedule", str(schedule)], env, "beat")


# --- HTTP -----------------------------------------------------------------------------------

@dataclass
class Response:
    status: int  # 0: no answer (connection refused or reset, timed out)
    body: str
    headers: dict
    kind: str
    started: float  # time.monotonic() when the request was sent
    seconds: float

    @property
    def ended(self) -> float:
        return self.started + self.seconds


@dataclass
class Journal:
    """Every request of every browser (thread-safe)."""

    entries: list[Response] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, response: Response) -> None:
        # Bodies are kept only where they explain something (errors), to keep a long run small.
        kept = replace(response, body=response.body[:3000] if response.status >= 500 else "")
        with self.lock:
            self.entries.append(kept)

    def count(self, status: int) -> int:
        return sum(1 for r in self.entries if r.status == status)

    def summary(self) -> dict[str, dict]:
        """Per kind: requests, statuses and latency percentiles in milliseconds."""
        by_kind: dict[str, list[Response]] = defaultdict(list)
        for r in self.entries:
            by_kind[r.kind].append(r)
        return {kind: _stats(rs) for kind, rs in sorted(by_kind.items())}

    def summary_line(self) -> str:
        parts = [f"{kind}: n={s['n']} p50={s['p50']:.0f}ms p95={s['p95']:.0f}ms"
                 for kind, s in self.summary().items()]
        return f"requests={len(self.entries)} 500s={self.count(500)} " + "; ".join(parts)


def _stats(responses: list[Response]) -> dict:
    millis = sorted(r.seconds * 1000 for r in responses)
    statuses: dict[int, int] = defaultdict(int)
    for r in responses:
        statuses[r.status] += 1
    return {"n": len(millis), "p50": statistics.median(millis), "p95": _percentile(millis, 95),
            "max": millis[-1], "statuses": dict(statuses)}


def _percentile(sorted_values: list[float], pct: float) -> float:
    index = max(0, min(len(sorted_values) - 1, round(pct / 100 * len(sorted_values)) - 1))
    return sorted_values[index]


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """One person's cookies over plain HTTP: logs in through the login form and sends the
    CSRF token with every POST, as the pages' forms and htmx do."""

    def __init__(self, base_url: str, journal: Journal | None = None):
        self.base_url = base_url
        self.journal = journal if journal is not None else Journal()
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirects())

    def clone(self) -> "Browser":
        """Another tab of the same person: a browser sharing these cookies' values."""
        other = Browser(self.base_url, self.journal)
        for cookie in self.cookies:
            other.cookies.set_cookie(cookie)
        return other

    def cookie(self, name: str) -> str:
        return next((c.value for c in self.cookies if c.name == name), "")

    def request(self, method: str, path: str, data: dict | None = None, *, kind: str,
                htmx: bool = False) -> Response:
        headers = {"Accept": "text/html"}
        if htmx:
            headers["HX-Request"] = "true"
        body = None
        if method == "POST":
            headers["X-CSRFToken"] = self.cookie("csrftoken")
            headers["Referer"] = self.base_url + path
            body = urllib.parse.urlencode(data or {}, doseq=True).encode()
        request = urllib.request.Request(self.base_url + path, data=body, headers=headers,
                                         method=method)
        started = time.monotonic()
        try:
            with self.opener.open(request, timeout=REQUEST_TIMEOUT) as answer:
                status, text, answer_headers = answer.status, answer.read(), answer.headers
        except urllib.error.HTTPError as error:  # any status >= 300 (redirects included)
            status, text, answer_headers = error.code, error.read(), error.headers
        except (OSError, urllib.error.URLError) as error:
            status, text, answer_headers = 0, str(error).encode(), {}
        response = Response(status=status, body=text.decode(errors="replace"),
                            headers=dict(answer_headers), kind=kind, started=started,
                            seconds=time.monotonic() - started)
        self.journal.add(response)
        return response

    def get(self, path: str, *, kind: str = "page", htmx: bool = False) -> Response:
        return self.request("GET", path, kind=kind, htmx=htmx)

    def post(self, path: str, data: dict, *, kind: str, htmx: bool = False) -> Response:
        return self.request("POST", path, data, kind=kind, htmx=htmx)

    def login(self, username: str, password: str) -> None:
        self.get("/login/", kind="login")
        answer = self.post("/login/", {"username": username, "password": password,
                                       "csrfmiddlewaretoken": self.cookie("csrftoken")},
                           kind="login")
        if answer.status != 302:
            raise AssertionError(f"login of {username} answered {answer.status}: "
                                 f"{answer.body[:500]}")


LIVE_VERSION = re.compile(r"[?&;]v=(\d+)")


def live_version(html: str) -> str:
    """The `v` a page's poller sends (the agency's live version when it was rendered)."""
    match = LIVE_VERSION.search(html)
    return match.group(1) if match else ""
