"""pytest fixtures that run a local ECR (ecr-layer-server) for a test session, as moto's threaded server does.

Copy this file beside your tests. The server is the package's command, started on 127.0.0.1 and a free port over a
temporary data dir; ECR_LAYER_SERVER overrides the command (default: `npx --no-install ecr-layer-server`).
"""
import os
import queue
import re
import shlex
import shutil
import signal
import subprocess
import tempfile
import threading

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
        if self._process is not None and self._process.poll() is None:
            os.killpg(self._process.pid, signal.SIGTERM)
            try:
                self._process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self._process.pid, signal.SIGKILL)
                self._process.wait()
        if self.data_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)

    def client(self, service="ecr"):
        return boto3.client(
            service,
            endpoint_url=self.url,
            region_name="us-east-1",
            aws_access_key_id="test",
            aws_secret_access_key="test",
        )


@pytest.fixture(scope="session")
def ecr_server():
    server = EcrServer().start()
    yield server
    server.stop()


@pytest.fixture
def ecr(ecr_server):
    return ecr_server.client()
