#!/usr/bin/env bash
# The test command of the README: set-up (if needed) then the whole suite.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$root/scripts/setup_env.sh"
cd "$root"
export HYPOTHESIS_PROFILE="${HYPOTHESIS_PROFILE:-ci}"
exec "$root/.venv/bin/python" -m pytest funcnet tests README.md docs --doctest-glob="*.md" "$@"
