#!/usr/bin/env bash
# Creates (once) a virtual environment inside the checkout and installs funcnet into it
# with the test extra. Re-running is cheap: it reinstalls only when pyproject.toml changed.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.venv"
py="${PYTHON:-python3}"
if [ ! -x "$venv/bin/python" ]; then
  "$py" -m venv "$venv"
fi
stamp="$venv/.funcnet-installed"
want="$(sha256sum "$root/pyproject.toml" | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  "$venv/bin/python" -m pip install --quiet --upgrade pip
  "$venv/bin/python" -m pip install --quiet -e "$root[test]"
  echo "$want" > "$stamp"
fi
# byte-compile the (editable) sources once: imports then skip compilation even where
# PYTHONDONTWRITEBYTECODE is set
"$venv/bin/python" -m compileall -q "$root/funcnet" >/dev/null || true
