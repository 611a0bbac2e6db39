"""Schemathesis over the OpenAPI schema against `maas serve` on the sample network (loopback).

Every check (``--checks all``: no server error, status codes, content types and response bodies
as documented, schema-valid data accepted and schema-invalid data refused) plus
``no_internal_detail`` (tests/schemathesis_hooks.py). Bounded for CI by ``MAAS_FUZZ_EXAMPLES``
(examples per operation and phase, default 15: about 500 cases); the bar's run uses 60 (over
1,000 cases, see benchmarks/RESULTS.md).
"""
from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

import maas
from maas.feeds.sample import write_sample

TESTS = Path(__file__).resolve().parent
# schema-valid requests the service may still refuse for what the schema cannot say: an unknown
# stop id, a date outside the feed's calendar (422), a rate limit (429), a busy queue (503), an
# admin without the token (401)
ACCEPTED = ["2xx", "401", "409", "422", "429", "503"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_schemathesis_all_checks(tmp_path):
    st = shutil.which("schemathesis", path=str(Path(sys.executable).parent)) or shutil.which("schemathesis")
    if st is None:
        pytest.skip("schemathesis is not installed (pip install -e '.[dev]')")
    gtfs, velotm, carshare, parking, *_ = write_sample(tmp_path / "feeds")
    net = tmp_path / "network"
    maas.build_network([gtfs], out=net, gbfs=[str(velotm), str(carshare)], parking=str(parking))
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = dict(os.environ, MAAS_ACCESS_LOG="0", MAAS_ADMIN_TOKEN="fuzz-token")
    log = open(tmp_path / "serve.log", "wb")
    proc = subprocess.Popen([sys.executable, "-m", "maas.cli", "serve", str(net), "--port", str(port)],
                            stdout=log, stderr=subprocess.STDOUT, env=env)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, (tmp_path / "serve.log").read_text()
            try:
                if httpx.get(base + "/v1/ready", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "server did not come up"
            time.sleep(0.2)
        (tmp_path / "schemathesis.toml").write_text(
            "[checks.positive_data_acceptance]\nexpected-statuses = [" + ", ".join(f'"{s}"' for s in ACCEPTED) + "]\n")
        examples = os.environ.get("MAAS_FUZZ_EXAMPLES", "15")
        run_env = dict(os.environ, SCHEMATHESIS_HOOKS="schemathesis_hooks",
                       PYTHONPATH=os.pathsep.join([str(TESTS), os.environ.get("PYTHONPATH", "")]))
        r = subprocess.run([st, "run", base + "/openapi.json", "--checks", "all", "--mode", "all",
                            "--max-examples", examples, "--seed", os.environ.get("MAAS_FUZZ_SEED", "12"),
                            "--no-color"],
                           capture_output=True, text=True, cwd=tmp_path, env=run_env, timeout=900)
        out = r.stdout + r.stderr
        (tmp_path / "schemathesis.out").write_text(out)
        m = re.search(r"(\d+) generated", out)
        assert m, out[-3000:]
        cases = int(m.group(1))
        print(f"schemathesis: {cases} cases, exit {r.returncode}")
        assert r.returncode == 0, out[-6000:]
        assert cases >= 200, out[-3000:]
        spec = httpx.get(base + "/openapi.json", timeout=10).json()
        operations = sum(len(methods) for methods in spec["paths"].values())
        assert f"Tested: {operations}\n" in out, out[-3000:]           # every endpoint was exercised
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
    assert "Traceback" not in (tmp_path / "serve.log").read_text()
