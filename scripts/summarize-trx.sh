#!/usr/bin/env bash
# Sums the <Counters> of every TRX file below a folder and prints: tests: N passed, N failed, N skipped
set -euo pipefail
if [[ "${1:-}" == "-h" || "${1:-}" == "--help" || $# -ne 1 ]]; then
  echo "Usage: scripts/summarize-trx.sh RESULTS_DIR"; [[ $# -eq 1 ]] && exit 0 || exit 2
fi
passed=0; failed=0; total=0
while IFS= read -r -d '' trx; do
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  get() { echo "$counters" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*' || echo 0; }
  total=$((total + $(get total)))
  passed=$((passed + $(get passed)))
  failed=$((failed + $(get failed) + $(get error) + $(get timeout) + $(get aborted)))
done < <(find "$1" -name '*.trx' -print0)
skipped=$((total - passed - failed))
if [[ $skipped -lt 0 ]]; then skipped=0; fi
echo "tests: ${passed} passed, ${failed} failed, ${skipped} skipped"
