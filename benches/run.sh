#!/usr/bin/env bash
# End-to-end benchmark: the CLI as a user runs it, with wall time, peak memory and
# replications per second per case. Usage: benches/run.sh [--quick]
# Figures go to docs/performance.md by hand, with the commit they were measured at.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=$PWD/target/release/backsim
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
quick=${1:-}
scale=1
[[ $quick == --quick ]] && scale=100

# `forecast` extended to N unit items with an empirical weekly throughput.
for n in 100 120; do
    cat >"$work/forecast-$n.toml" <<TOML
name = "forecast-$n"
extends = "forecast"
[backlog]
initial_items = $n
[team]
capacity = { dist = "empirical", values = [3, 7, 5, 6, 4, 8, 5, 6, 2, 7] }
TOML
done

run_case() { # name runs scenarios... (with CSVs; charts off unless the case says so)
    local name=$1 runs=$2
    shift 2
    local out="$work/out-$name"
    /usr/bin/time -f "%e %M %U %S" -o "$work/time" "$bin" run "$@" --runs "$runs" --quiet --out "$out"
    read -r wall kb user sys <"$work/time"
    local scen=$(( $# ))
    for a in "$@"; do [[ $a == --* ]] && scen=$(( scen - 1 )); done
    [[ $scen -eq 0 ]] && scen=4
    # CPU seconds (user + system) too: on a shared machine they move less than the wall time.
    awk -v n="$name" -v r="$runs" -v s="$scen" -v w="$wall" -v k="$kb" -v c="$user" -v y="$sys" 'BEGIN {
        printf "%-28s %9d runs × %d  %8.2f s wall  %7.1f MiB peak  %12.0f replications/s  %7.2f s CPU\n", n, r, s, w, k/1024, r*s/w, c+y }'
}

echo "backsim $(git rev-parse --short HEAD 2>/dev/null || echo '?') on $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
run_case "default (charts included)" 1000
run_case "archetypes 10k" $((10000 / scale)) --no-charts
run_case "forecast-120 1M" $((1000000 / scale)) --no-charts "$work/forecast-120.toml"
run_case "forecast-120 10k" $((10000 / scale)) --no-charts "$work/forecast-120.toml"
run_case "forecast-100 1M" $((1000000 / scale)) --no-charts "$work/forecast-100.toml"
run_case "forecast-100 10k" $((10000 / scale)) --no-charts "$work/forecast-100.toml"
run_case "aligned 1M" $((1000000 / scale)) --no-charts aligned
run_case "aligned 10k" $((10000 / scale)) --no-charts aligned
