"""Run the whole app in one terminal: web server, Celery worker and Celery beat.

Ctrl-C (or SIGTERM) stops all three. Used by `make demo`; production uses the Procfile or
docker-compose instead.
"""

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand

from .seed_demo import DEMO_LOGINS, DEMO_PASSWORD


class Command(BaseCommand):
    help = "Serve the app with a real Celery worker and beat until interrupted."

    def add_arguments(self, parser):
        parser.add_argument("--addr", default="127.0.0.1:8000")

    def handle(self, *args, addr: str, **options):
        python = sys.executable
        celery = [python, "-m", "celery", "-A", "salesculture"]
        beat_schedule = str(settings.DATA_DIR / "celerybeat-schedule")
        commands = {
            "web": [python, "manage.py", "runserver", addr, "--noreload"],
            "worker": [*celery, "worker", "--pool=solo", "--loglevel=INFO"],
            "beat": [*celery, "beat", "--loglevel=INFO", "--schedule", beat_schedule],
        }
        processes = {name: subprocess.Popen(cmd, env=os.environ.copy())
                     for name, cmd in commands.items()}
        broker = "Redis" if settings.REDIS_URL else "the file-system broker"
        database = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
        logins = "\n".join(f"    {role:<9} {user} / {DEMO_PASSWORD}" for user, role in DEMO_LOGINS)
        self.stdout.write(self.style.SUCCESS(
            f"\nSales Culture is running at http://{addr}/  ({database}, Celery on {broker})\n"
            f"  Demo logins:\n{logins}\n  Press Ctrl-C to stop the web server, worker and beat.\n"))

        stopping = False

        def stop(*_):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        try:
            while not stopping:
                for name, process in processes.items():
                    if process.poll() is not None:
                        self.stderr.write(f"{name} exited with {process.returncode}; stopping.")
                        stopping = True
                time.sleep(0.5)
        finally:
            for process in processes.values():
                if process.poll() is None:
                    process.terminate()
            deadline = time.monotonic() + 15
            for process in processes.values():
                try:
                    process.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    process.kill()
            self.stdout.write("Stopped.")
