"""Running the sandbox as a child process, the way tests and the demo do."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import IO

import httpx

from app.settings import PROJECT_ROOT


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


class SandboxProcess:
    """`python -m app.sandbox` in a child process: start() waits for health, stop() sends SIGTERM."""

    def __init__(self, *, keys_dir: Path, port: int | None = None, host: str = "127.0.0.1",
                 retry_scale: float | None = None, extra_args: tuple[str, ...] = (), env: dict | None = None,
                 log_path: Path | None = None, python: str = sys.executable):
        self.host = host
        self.port = port or free_port(host)
        self.keys_dir = Path(keys_dir)
        self.log_path = log_path
        args = [python, "-m", "app.sandbox", "--host", host, "--port", str(self.port), "--keys-dir", str(keys_dir)]
        if retry_scale is not None:
            args += ["--retry-scale", str(retry_scale)]
        self._args = args + list(extra_args)
        self._env = {**os.environ, **(env or {})}
        self._proc: subprocess.Popen | None = None
        self._log: IO[bytes] | int | None = None  # the log file, subprocess.DEVNULL or nothing yet

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self, timeout: float = 20.0) -> SandboxProcess:
        """Launch and wait until /sandbox/health answers."""
        self._log = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL
        self._proc = subprocess.Popen(self._args, cwd=PROJECT_ROOT, env=self._env, stdout=self._log,
                                      stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise RuntimeError(f"the sandbox exited with {self._proc.returncode}: {self.log_tail()}")
            try:
                if httpx.get(f"{self.base_url}/sandbox/health", timeout=1.0).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        self.stop()
        raise TimeoutError(f"the sandbox did not answer within {timeout} s: {self.log_tail()}")

    def stop(self, timeout: float = 10.0) -> int | None:
        """SIGTERM, then SIGKILL if it has not exited within `timeout`; returns the exit code."""
        proc, self._proc = self._proc, None
        code = None
        if proc is not None:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
            code = proc.returncode
        # the only int ever held is subprocess.DEVNULL, which is not ours to close
        if self._log is not None and not isinstance(self._log, int):
            self._log.close()
        self._log = None
        return code

    def log_tail(self, size: int = 4000) -> str:
        """The end of the child's output, when it is logged to a file."""
        if self.log_path is None or not Path(self.log_path).exists():
            return ""
        return Path(self.log_path).read_bytes()[-size:].decode("utf-8", "replace")

    def __enter__(self) -> SandboxProcess:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
