#!/usr/bin/env bash
# The world-variants table of docs/model.md §13.8: each variant's TOML (the VARIANTS of
# tests/it/claims.rs, `the_ranking_holds_across_world_variants`) added to every preset as
# `name = "P"` / `extends = "P"`, the four run together at 1000 runs, seed 42, and each
# archetype's paired difference against aligned read from compare.csv.
#
# Usage: bash docs/world-variants.sh [BIN] [OUTDIR]
#   BIN     the backsim binary (default: target/release/backsim)
#   OUTDIR  where the scenario files and runs go (default: a new temporary directory)
# Prints the table's markdown rows on stdout.
set -euo pipefail
bin=${1:-target/release/backsim}
out=${2:-$(mktemp -d)}
runs=1000
seed=42
presets=(aligned siloed-pm overloaded-po blurred-roles)
variants=(base arrivals-3 arrivals-10 one-lane capacity-45 value-sigma-0.75 calm-market
  turbulent-market horizon-52)
toml() {
  case $1 in
    base) ;;
    arrivals-3) printf '[backlog]\narrivals_per_sprint = 3.0\n' ;;
    arrivals-10) printf '[backlog]\narrivals_per_sprint = 10.0\n' ;;
    one-lane) printf '[team]\nlanes = 1\n' ;;
    capacity-45) printf '[team]\ncapacity = { dist = "gamma", mean = 45.0, cv = 0.15 }\n' ;;
    value-sigma-0.75) printf '[backlog]\nvalue_sigma = 0.75\n' ;;
    calm-market) printf '[market]\ndrift_sigma = 0.03\nshock_rate = 0.0\n' ;;
    turbulent-market) printf '[market]\ndrift_sigma = 0.2\nshock_rate = 0.25\n' ;;
    horizon-52) printf '[simulation]\nsprints = 52\n' ;;
    *) echo "unknown variant $1" >&2; exit 1 ;;
  esac
}
echo '| world variant | Δ value eff. siloed | overloaded | blurred | Δ release delay siloed | overloaded | blurred |'
echo '|---|---|---|---|---|---|---|'
for v in "${variants[@]}"; do
  d=$out/$v
  mkdir -p "$d"
  files=()
  for p in "${presets[@]}"; do
    { printf 'name = "%s"\nextends = "%s"\n' "$p" "$p"; toml "$v"; } >"$d/$p.toml"
    files+=("$d/$p.toml")
  done
  "$bin" run "${files[@]}" --runs $runs --seed $seed --no-charts -q --out "$d/o" >/dev/null 2>"$d/stderr"
  awk -F, -v v="$v" '
    NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
    $col["baseline"] == "aligned" && $col["scenario"] != "aligned" {
      m = $col["metric"]
      if (m != "value_efficiency" && m != "release_delay_sprints") next
      f = (m == "value_efficiency") ? "%+.4f" : "%+.2f"
      cell[$col["scenario"], m] = sprintf(f " [" f ", " f "]", $col["mean_diff"], $col["ci95_low"], $col["ci95_high"])
    }
    END {
      row = "| " v
      split("value_efficiency release_delay_sprints", ms, " ")
      split("siloed-pm overloaded-po blurred-roles", ss, " ")
      for (i = 1; i <= 2; i++) for (j = 1; j <= 3; j++) row = row " | " cell[ss[j], ms[i]]
      print row " |"
    }' "$d/o/compare.csv"
done
