"""pytest fixtures that run a local ECR (ecr-layer-server) for a test session, as moto's threaded server does.

Copy this file beside your tests. The server is the package's command, started on 127.0.0.1 and a free port over a
temporary data dir; ECR_LAYER_SERVER overrides the command (default: `npx --no-install ecr-layer-server`). It runs
with --contract-control, so that the `contract` fixture can inject faults and read the request journal.
"""
import json
import os
import queue
import re
import shlex
import shutil
import signal
import subprocess
import tempfile
import threading
import urllib.error
import urllib.parse
import urllib.request

import boto3
import pytest

LISTENING = re.compile(r"ECR API listening on (http://\S+)")


class EcrServer:
    def __init__(self, command=None, args=(), start_timeout=30.0):
        self.command = shlex.split(command or os.environ.get("ECR_LAYER_SERVER", "npx --no-install ecr-layer-server"))
        self.args = list(args)
        self.start_timeout = start_timeout
        self.url = None
        self.data_dir = None
        self._process = None

    def start(self):
        self.data_dir = tempfile.mkdtemp(prefix="ecr-test-")
        # Its own process group: npx runs the server as a grandchild, and stop() must reach it too.
        self._process = subprocess.Popen(
            [*self.command, "--port", "0", "--data-dir", self.data_dir, "--no-fsync", *self.args],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        # A thread reads its output for as long as it runs (a full pipe would block the server); the first lines are
        # handed over here until the URL shows, so that a server that never prints cannot hang the session.
        lines = queue.Queue()
        threading.Thread(target=self._pump, args=(lines,), daemon=True).start()
        seen = []
        while self.url is None:
            try:
                line = lines.get(timeout=self.start_timeout)
            except queue.Empty:
                break
            if line is None:
                break
            seen.append(line)
            match = LISTENING.search(line)
            if match:
                self.url = match.group(1)
        if self.url is None:
            self.stop()
            raise RuntimeError("ecr-layer-server did not start:\n" + "".join(seen))
        return self

    def _pump(self, lines):
        for line in self._process.stdout:
            if self.url is None:
                lines.put(line)
        lines.put(None)

    def stop(self):
        if self._process is not None:
            # The whole group, even when npx (its leader) has exited already: the server may still be running.
            try:
                os.killpg(self._process.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self._process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self._process.pid, signal.SIGKILL)
                self._process.wait()
        if self.data_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)

    def client(self, service="ecr", config=None):
        return boto3.client(
            service,
            endpoint_url=self.url,
            region_name="us-east-1",
            aws_access_key_id="test",
            aws_secret_access_key="test",
            config=config,
        )


class Contract:
    """The contract-testing kit of a server started with --contract-control: fault rules and the request journal.

    A rule is `effect` (a dict such as {"type": "error", "error": "ThrottlingException"}, {"type": "cut-request",
    "afterBytes": 65536} or {"type": "status", "status": 503}) applied to calls that `match` (operation, route,
    repository, uploadId, attempt, invocationId): after `skip` of them, `times` times, or with `probability` under `seed`.
    """

    def __init__(self, url):
        self.base = url + "/__contract/"

    def _call(self, method, path, body=None, query=None):
        url = self.base + path + ("?" + urllib.parse.urlencode(query, doseq=True) if query else "")
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(url, data=data, method=method, headers={"content-type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.read().decode()
        except urllib.error.HTTPError as e:
            raise ValueError(f"{method} {path}: {e.code} {e.read().decode()}") from None

    def add_fault(self, effect, match=None, **schedule):
        """Adds a rule after the others and returns it (with its id); `schedule`: skip, times, probability, seed, id."""
        rule = {"effect": effect, **({"match": match} if match else {}), **schedule}
        return json.loads(self._call("POST", "faults", rule))["rules"][0]

    def faults(self):
        return json.loads(self._call("GET", "faults"))["rules"]

    def clear_faults(self):
        self._call("DELETE", "faults")

    def journal(self, **match):
        """Journal entries (dicts) oldest first, those matching `match` (e.g. operation="UploadLayerPart")."""
        return [json.loads(line) for line in self._call("GET", "journal", query=match).splitlines() if line]

    def reset_journal(self):
        self._call("DELETE", "journal")

    def fail_next_write(self):
        """The store's next write fails as a full disk does."""
        self._call("POST", "disk-full")

    def reset(self):
        self._call("POST", "reset")


def assert_parts_resent_identically(entries):
    """Every part was sent once or resent with the same bytes (same upload and first byte: one SHA-256)."""
    seen = {}
    for e in entries:
        if e.get("protocol") != "api" or e.get("operation") != "UploadLayerPart" or "sha256" not in e.get("body", {}):
            continue
        key = (e["uploadId"], e["input"].get("partFirstByte"))
        first = seen.setdefault(key, e)
        assert first["body"]["sha256"] == e["body"]["sha256"], f"part {key} was resent with other bytes: #{first['seq']} and #{e['seq']}"


@pytest.fixture(scope="session")
def ecr_server():
    server = EcrServer(args=["--contract-control"]).start()
    yield server
    server.stop()


@pytest.fixture
def contract(ecr_server):
    """The server's fault rules and journal, emptied before and after each test."""
    kit = Contract(ecr_server.url)
    kit.reset()
    yield kit
    kit.reset()


@pytest.fixture
def ecr(ecr_server):
    return ecr_server.client()
