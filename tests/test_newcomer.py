"""A newcomer's first minutes: `make demo` on another address, a quiet `make install`, and a
`make test` that says what it skipped."""

import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_the_licence_is_an_spdx_expression_setuptools_does_not_warn_about():
    project = pyproject()["project"]
    assert isinstance(project["license"], str) and project["license"] == "MIT"
    assert not [c for c in project.get("classifiers", []) if c.startswith("License ::")]
    assert "setuptools>=77.0.3" in pyproject()["build-system"]["requires"]


def test_the_test_run_reports_skipped_tests_and_why():
    assert "-rs" in pyproject()["tool"]["pytest"]["ini_options"]["addopts"].split()


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
@pytest.mark.parametrize("args, addr", [([], "127.0.0.1:8000"),
                                         (["ADDR=127.0.0.1:8001"], "127.0.0.1:8001")])
def test_make_demo_serves_at_the_address_given(args, addr):
    plan = subprocess.run(["make", "-n", "demo", *args], cwd=ROOT, capture_output=True,
                          text=True, check=True).stdout
    assert f"manage.py run_demo --addr {addr}" in plan
