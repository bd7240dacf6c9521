# Sourced by the scripts: a .venv with the project installed, and the mini-program's node_modules.
# Re-installs only when pyproject.toml or package-lock.json changed since the last install.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

PYTHON_BIN="${PYTHON:-python3}"
if ! "$PYTHON_BIN" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
  echo "youzhan needs Python >= 3.11 (found: $("$PYTHON_BIN" --version 2>&1)); set PYTHON=/path/to/python3.11" >&2
  exit 1
fi

setup_python() {
  local stamp=".venv/.youzhan-installed" want
  want="$(sha256sum pyproject.toml | cut -d' ' -f1)"
  if [ ! -x .venv/bin/python ]; then
    echo "== creating .venv" >&2
    "$PYTHON_BIN" -m venv .venv
  fi
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    echo "== installing Python dependencies into .venv (log: .venv/install.log)" >&2
    if ! { .venv/bin/python -m pip install --upgrade pip && .venv/bin/python -m pip install -e ".[dev]"; } \
        > .venv/install.log 2>&1; then
      tail -40 .venv/install.log >&2
      echo "installing the Python dependencies failed: see .venv/install.log" >&2
      exit 1
    fi
    echo "$want" > "$stamp"
  fi
}

setup_node() {
  [ -f miniprogram/package.json ] || return 0
  if ! command -v npm >/dev/null 2>&1; then
    echo "npm is needed for the mini-program tests: install Node.js >= 18" >&2
    return 1
  fi
  local stamp="miniprogram/node_modules/.youzhan-installed" want
  want="$(sha256sum miniprogram/package-lock.json 2>/dev/null | cut -d' ' -f1)"
  if [ ! -d miniprogram/node_modules ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    echo "== installing the mini-program's npm packages" >&2
    (cd miniprogram && npm ci --no-audit --no-fund --loglevel=error >&2)
    echo "$want" > "$stamp"
  fi
}
