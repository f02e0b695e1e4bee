"""The README's API section is a script that works: run with bash and curl against a live
server and a real token, it logs a call and advances a prospect."""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from pipeline.models import Activity, Prospect
from tests.api.client import token_for

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_script() -> str:
    blocks = re.findall(r"```sh\n(.*?)```", README.read_text(), flags=re.S)
    return next(block for block in blocks if block.startswith("# README API script"))


@pytest.mark.skipif(not shutil.which("curl"), reason="curl is not installed")
def test_the_readme_script_logs_a_call_and_advances_a_prospect(live_server, producer):
    env = {"BASE": f"{live_server.url}/api/v1", "TOKEN": token_for(producer),
           "PATH": os.environ.get("PATH", "/usr/bin:/bin")}

    run = subprocess.run(["bash", "-e", "-c", readme_script()], env=env, capture_output=True,
                         text=True, timeout=60)

    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == [
        "Logged 1 × Call.",
        "🎉 Win! Acme Roofing moved to Contacted. Success is the next step. (wins: 1)"]
    prospect = Prospect.objects.get(owner=producer)
    assert (prospect.name, prospect.stage.name) == ("Acme Roofing", "Contacted")
    assert Activity.objects.get(producer=producer).prospect == prospect
