#!/usr/bin/env bash
# Runs the data-apis array-api-tests conformance suite against funcnet.numpy (standard 2024.12,
# enable_x64 on so that int64/float64/complex128 are real dtypes), with the documented skips in
# scripts/array-api-skips.txt, and prints the summary and the run time.
#
# Usage: scripts/array_api_tests.sh PATH/TO/array-api-tests [extra pytest args...]
#   The checkout needs its array-api submodule (git submodule update --init) and the suite's
#   requirements (pytest, hypothesis, ndindex) installed for $PYTHON.
# Environment:
#   PYTHON        interpreter to run pytest with (default: python3)
#   MAX_EXAMPLES  hypothesis examples per test (default 100; the suite's "unvectorized" tests
#                 run a tenth of it)
#   RANDOMIZE=1   fresh random examples instead of the derandomised (reproducible) run
set -euo pipefail

suite=${1:?usage: scripts/array_api_tests.sh PATH/TO/array-api-tests [pytest args...]}
shift
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
suite=$(cd "$suite" && pwd)
if [[ ! -d "$suite/array_api_tests" ]]; then
    echo "array_api_tests.sh: $suite is not an array-api-tests checkout" >&2
    exit 2
fi
if [[ ! -d "$suite/array-api/spec/2024.12" ]]; then
    echo "array_api_tests.sh: $suite/array-api is empty; run 'git submodule update --init' there" >&2
    exit 2
fi

export ARRAY_API_TESTS_MODULE="exec('import funcnet; funcnet.config.update(\"enable_x64\", True); import funcnet.numpy as xp')"
export ARRAY_API_TESTS_VERSION=2024.12
export PYTHONPATH="$root${PYTHONPATH:+:$PYTHONPATH}"
derand=(--derandomize)
[[ "${RANDOMIZE:-0}" == 1 ]] && derand=()

cd "$suite"
start=$(date +%s%N)
set +e
"${PYTHON:-python3}" -m pytest array_api_tests -p no:cacheprovider -q -rfE \
    --skips-file "$root/scripts/array-api-skips.txt" \
    --max-examples "${MAX_EXAMPLES:-100}" "${derand[@]}" "$@"
rc=$?
set -e
ms=$(( ($(date +%s%N) - start) / 1000000 ))
printf 'array-api-tests: %d skip ids in scripts/array-api-skips.txt, %d.%d s wall\n' \
    "$(grep -c '^array_api_tests' "$root/scripts/array-api-skips.txt")" $((ms / 1000)) $((ms % 1000 / 100))
exit $rc
