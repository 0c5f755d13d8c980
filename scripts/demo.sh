#!/usr/bin/env bash
# The demo command of the README: set-up (if needed) then the main demo.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$root/scripts/setup_env.sh"
exec "$root/.venv/bin/python" "$root/examples/quickstart.py" "$@"
