"""`python -m app.devstack`: the whole stack on one machine — sandbox, migrations, demo data, web app, worker.

scripts/run uses it with the embedded defaults; the test suites use it with a database of their own.
It prints one JSON line {"api": …, "sandbox": …} when everything answers, and stops its children on
SIGTERM or SIGINT.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from app.sandbox.keys import ensure_sandbox_keys
from app.settings import PROJECT_ROOT


def stack_env(*, data_dir: Path, api_port: int, sandbox_port: int, base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of every process of a dev stack: WeChat and WeChat Pay both point at the sandbox."""
    keys = ensure_sandbox_keys(data_dir / "sandbox")
    env = dict(os.environ if base is None else base)
    env.setdefault("DATA_DIR", str(data_dir))
    env.update({
        "PORT": str(api_port),
        "WECHAT_API_BASE": f"http://127.0.0.1:{sandbox_port}",
        "WECHAT_PAY_API_BASE": f"http://127.0.0.1:{sandbox_port}",
        "WECHAT_PAY_PRIVATE_KEY_PATH": str(keys.merchant_private),
        "WECHAT_PAY_PUBLIC_KEY_PATH": str(keys.platform_public),
        "PYTHONPATH": str(PROJECT_ROOT),
    })
    return env


def wait_http(url: str, process: subprocess.Popen, name: str, timeout: float = 30.0) -> None:
    """Poll url until it answers below 500; fail early when the process exits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited with {process.returncode} before answering")
        try:
            if httpx.get(url, timeout=1.0).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{name} did not answer {url} within {timeout} s")


def stop_all(processes: list[subprocess.Popen]) -> None:
    """SIGTERM each child, then kill what has not gone within 10 s."""
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 10
    for process in processes:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def start(*, data_dir: Path, api_port: int, sandbox_port: int, retry_scale: float, worker: bool = True,
          env: dict[str, str] | None = None, quiet: bool = False, log_dir: Path | None = None
          ) -> tuple[list[subprocess.Popen], dict[str, str]]:
    """Start sandbox, migrate and seed, then the web app and the worker; returns (processes, env).

    Output goes to the terminal, to /dev/null (quiet), or to one file per process in log_dir.
    """
    env = stack_env(data_dir=data_dir, api_port=api_port, sandbox_port=sandbox_port, base=env)
    python = sys.executable

    def out(name: str):
        if log_dir is not None:
            log_dir.mkdir(parents=True, exist_ok=True)
            return open(log_dir / f"{name}.log", "ab")  # noqa: SIM115 - the child keeps it
        return subprocess.DEVNULL if quiet else None

    processes: list[subprocess.Popen] = []
    try:
        sandbox = subprocess.Popen(
            [python, "-m", "app.sandbox", "--port", str(sandbox_port), "--keys-dir", str(data_dir / "sandbox"),
             "--retry-scale", str(retry_scale)], env=env, cwd=PROJECT_ROOT, stdout=out("sandbox"),
            stderr=subprocess.STDOUT,
        )
        processes.append(sandbox)
        for command in ("migrate", "seed-demo"):
            subprocess.run([python, "-m", "app.commands", command], env=env, cwd=PROJECT_ROOT, check=True,
                           stdout=out("commands"), stderr=subprocess.STDOUT)
        web = subprocess.Popen([python, "-m", "app"], env=env, cwd=PROJECT_ROOT, stdout=out("web"),
                               stderr=subprocess.STDOUT)
        processes.append(web)
        if worker:
            processes.append(subprocess.Popen([python, "-m", "app.worker"], env=env, cwd=PROJECT_ROOT,
                                              stdout=out("worker"), stderr=subprocess.STDOUT))
        wait_http(f"http://127.0.0.1:{sandbox_port}/sandbox/health", sandbox, "sandbox")
        wait_http(f"http://127.0.0.1:{api_port}/api/health", web, "web app")
    except BaseException:
        stop_all(processes)
        raise
    return processes, env


def main() -> None:
    """Run until interrupted."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", default=os.environ.get("DATA_DIR", str(PROJECT_ROOT / "data")))
    parser.add_argument("--api-port", type=int, default=int(os.environ.get("PORT", "8000")))
    parser.add_argument("--sandbox-port", type=int, default=int(os.environ.get("SANDBOX_PORT", "8001")))
    parser.add_argument("--retry-scale", type=float, default=0.05, help="WeChat Pay's re-send delays × this")
    parser.add_argument("--quiet", action="store_true", help="children's output to /dev/null")
    args = parser.parse_args()
    data_dir = Path(args.data_dir).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    processes, _ = start(data_dir=data_dir, api_port=args.api_port, sandbox_port=args.sandbox_port,
                         retry_scale=args.retry_scale, quiet=args.quiet)
    print(json.dumps({"api": f"http://127.0.0.1:{args.api_port}", "sandbox": f"http://127.0.0.1:{args.sandbox_port}"}),
          flush=True)
    stopping = False

    def _stop(*_):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    try:
        while not stopping and all(p.poll() is None for p in processes):
            time.sleep(0.2)
    finally:
        stop_all(processes)


if __name__ == "__main__":
    main()
