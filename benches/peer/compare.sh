#!/usr/bin/env bash
# Side by side: backsim against the JavaScript peer (ProjectForecaster's monte_carlo.js under
# node) on the same case, 1 000 000 trials of a 120-item bootstrap forecast, whole processes,
# paired A B A B… Fetches nothing: the peer's core must already be in the cache (see
# README.md). Usage: benches/peer/compare.sh [PAIRS (default 5)] [RUNS (default 1000000)]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
pairs=${1:-5}
runs=${2:-1000000}
core=${PF_CORE:-$HOME/.cache/backsim-peer/monte_carlo.js}
if [[ ! -f $core ]]; then
    echo "no peer core at $core: see benches/peer/README.md for how to get it" >&2
    exit 2
fi
command -v node >/dev/null || { echo "node is not installed" >&2; exit 2; }
(cd "$root" && cargo build --release --quiet)
bin=$root/target/release/backsim
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

measure() { # label command... -> appends "label wall_s peak_mib" to $work/times
    local label=$1
    shift
    /usr/bin/time -f "%e %M" -o "$work/t" "$@" >"$work/out.txt" 2>"$work/err.txt" || {
        cat "$work/err.txt" >&2
        exit 1
    }
    read -r wall kb <"$work/t"
    echo "$label $wall $(awk -v k="$kb" 'BEGIN { printf "%.1f", k / 1024 }')" | tee -a "$work/times"
}

echo "backsim $(git -C "$root" rev-parse --short HEAD) vs peer $(sha256sum "$core" | cut -c1-12), $runs trials, $pairs pairs"
echo "load before: $(uptime)"
for i in $(seq "$pairs"); do
    measure backsim "$bin" run "$here/forecast-120.toml" --runs "$runs" --seed "$i" -q --force --out "$work/out"
    measure peer env PF_CORE="$core" node "$here/run_pf.js" "$here/forecast.json" "$runs" "$i"
done
# Memory at 10 000 runs, for the "flat in the run count" check.
measure backsim-10k "$bin" run "$here/forecast-120.toml" --runs 10000 -q --force --out "$work/out10k"
echo "load after: $(uptime)"
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
b_wall=$(awk '$1 == "backsim" { print $2 }' "$work/times" | median)
p_wall=$(awk '$1 == "peer" { print $2 }' "$work/times" | median)
b_mem=$(awk '$1 == "backsim" { print $3 }' "$work/times" | median)
p_mem=$(awk '$1 == "peer" { print $3 }' "$work/times" | median)
k_mem=$(awk '$1 == "backsim-10k" { print $3 }' "$work/times")
awk -v bw="$b_wall" -v pw="$p_wall" -v bm="$b_mem" -v pm="$p_mem" -v km="$k_mem" 'BEGIN {
    printf "median wall: backsim %.2f s, peer %.2f s: backsim %.1fx faster\n", bw, pw, pw / bw
    printf "median peak: backsim %.1f MiB, peer %.1f MiB; backsim at 10 000 runs %.1f MiB (1M / 10k = %.2f)\n", bm, pm, km, bm / km
}'
