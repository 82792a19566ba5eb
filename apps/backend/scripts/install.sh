#!/usr/bin/env bash
# Creates apps/backend/.venv and installs requirements-dev.txt into it.
# Skips the work when the venv already matches the requirement files, so
# `nx run backend:test` stays fast; the venv lives outside Nx outputs, so a
# cache hit can never claim a venv exists that does not.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
# Only the requirement files: `python3` may resolve differently under Nx and
# in a shell (pyenv shims), which must not force a reinstall.
stamp_value="$(cat requirements.txt requirements-dev.txt | sha256sum | cut -d' ' -f1)"
stamp_file=.venv/.requirements-stamp

if [[ -f "$stamp_file" && "$(cat "$stamp_file")" == "$stamp_value" && -x .venv/bin/python ]]; then
  echo "backend venv is up to date ($stamp_file)"
  exit 0
fi

rm -rf .venv
"$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet --requirement requirements-dev.txt
.venv/bin/python -m pip check
echo "$stamp_value" > "$stamp_file"
echo "backend venv ready: $(.venv/bin/python --version)"
