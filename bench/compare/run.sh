#!/usr/bin/env bash
# Speed comparison: capconf vs ajv (as @rjsf/validator-ajv8 runs it) vs python-jsonschema.
# Builds nothing.
#
#   bench/compare/run.sh [--capconf PATH] [--bench PATH] [--runs 5] [--lines 100000] [--seconds 2]
#
#   --capconf  capconf release binary      (default: build/release/capconf)
#   --bench    its Google Benchmark binary (default: build/release/bench/capconf_bench), whose
#              BM_ValidateValid and BM_ValidateInvalidAllErrors report items_per_second
#   --runs     runs of each contender; the table shows medians and the min..max spread
#   --lines    JSON lines in the bulk file (make_bulk.mjs)
#   --seconds  measuring time of one ajv / Python run (after 0.5 s of warm-up)
#
# Figures: validations per second on the valid and on the invalid customer-support config
# (bench/data, all errors collected), and the wall-clock seconds of validating the bulk file
# through `capconf validate --schema S --output json -` vs bench/compare/ajv_bulk.mjs (process
# start, JSON parsing and output included). Without the capconf binaries it still measures ajv
# and Python and says that capconf is missing.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
CAPCONF="$ROOT/build/release/capconf"
BENCH="$ROOT/build/release/bench/capconf_bench"
RUNS=5
LINES=100000
SECONDS_PER_RUN=2
PY=/usr/bin/python3

while [ $# -gt 0 ]; do
  case "$1" in
    --capconf) CAPCONF="$2"; shift 2 ;;
    --bench) BENCH="$2"; shift 2 ;;
    --runs) RUNS="$2"; shift 2 ;;
    --lines) LINES="$2"; shift 2 ;;
    --seconds) SECONDS_PER_RUN="$2"; shift 2 ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done

SCHEMA="$ROOT/bench/data/customer-support.schema.json"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/capconf-bench-compare.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

if [ ! -d "$ROOT/tools/ajv/node_modules/ajv" ] || [ ! -d "$ROOT/tools/ajv/node_modules/ajv-formats" ]; then
  echo "tools/ajv: node_modules missing, running npm ci" >&2
  (cd "$ROOT/tools/ajv" && npm ci --no-audit --no-fund >&2)
fi

have_capconf=1
[ -x "$CAPCONF" ] || { have_capconf=0; echo "capconf binary missing: $CAPCONF" >&2; }
have_bench=1
[ -x "$BENCH" ] || { have_bench=0; echo "capconf benchmark binary missing: $BENCH" >&2; }

now() { echo "$EPOCHREALTIME"; }

# ---- per-validation throughput ---------------------------------------------------------------
: > "$WORK/ajv.jsonl"; : > "$WORK/python.jsonl"; : > "$WORK/capconf.jsonl"
for i in $(seq "$RUNS"); do
  echo "run $i/$RUNS: ajv" >&2
  node "$HERE/ajv_bench.mjs" --seconds "$SECONDS_PER_RUN" >> "$WORK/ajv.jsonl"
  echo "run $i/$RUNS: python-jsonschema" >&2
  "$PY" "$HERE/jsonschema_bench.py" --seconds "$SECONDS_PER_RUN" >> "$WORK/python.jsonl"
  if [ "$have_bench" = 1 ]; then
    echo "run $i/$RUNS: capconf_bench" >&2
    "$BENCH" --benchmark_format=json '--benchmark_filter=^BM_Validate(Valid|InvalidAllErrors)' \
      > "$WORK/capconf-bench-$i.json" 2> "$WORK/capconf-bench-$i.err" || {
        echo "capconf_bench failed:" >&2; cat "$WORK/capconf-bench-$i.err" >&2; have_bench=0; }
    if [ "$have_bench" = 1 ]; then
      node -e '
        const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
        const get = (re) => { const b = r.benchmarks.find((x) => re.test(x.name) && x.run_type !== "aggregate");
                              return b ? b.items_per_second : null; };
        console.log(JSON.stringify({ valid_per_s: get(/^BM_ValidateValid\b/), invalid_per_s: get(/^BM_ValidateInvalidAllErrors\b/) }));
      ' "$WORK/capconf-bench-$i.json" >> "$WORK/capconf.jsonl"
    fi
  fi
done

# ---- bulk: the CLI over the same JSON Lines file -----------------------------------------------
echo "making $LINES bulk lines" >&2
node "$HERE/make_bulk.mjs" "$WORK/bulk.jsonl" "$LINES" 2>/dev/null
: > "$WORK/bulk-ajv.txt"; : > "$WORK/bulk-capconf.txt"
for i in $(seq "$RUNS"); do
  echo "bulk run $i/$RUNS: ajv_bulk.mjs" >&2
  t0=$(now)
  rc=0; node "$HERE/ajv_bulk.mjs" --schema "$SCHEMA" < "$WORK/bulk.jsonl" > "$WORK/bulk-ajv.out" || rc=$?
  t1=$(now)
  [ "$rc" -le 1 ] || { echo "ajv_bulk.mjs exited $rc" >&2; exit 1; }
  echo "$t0 $t1" | awk '{ printf "%.6f\n", $2 - $1 }' >> "$WORK/bulk-ajv.txt"
  if [ "$have_capconf" = 1 ]; then
    echo "bulk run $i/$RUNS: capconf validate" >&2
    t0=$(now)
    rc=0; "$CAPCONF" validate --schema "$SCHEMA" --output json - < "$WORK/bulk.jsonl" > "$WORK/bulk-capconf.out" || rc=$?
    t1=$(now)
    if [ "$rc" -gt 1 ]; then echo "capconf validate exited $rc; skipping its bulk figure" >&2; have_capconf=0; continue; fi
    echo "$t0 $t1" | awk '{ printf "%.6f\n", $2 - $1 }' >> "$WORK/bulk-capconf.txt"
  fi
done

# ---- the table -------------------------------------------------------------------------------
node - "$WORK" "$have_capconf" "$have_bench" "$LINES" "$RUNS" <<'EOF'
const fs = require("fs");
const [work, haveCli, haveBench, lines, runs] = process.argv.slice(2);
const jl = (f) => { try { return fs.readFileSync(`${work}/${f}`, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l)); } catch { return []; } };
const nums = (f) => { try { return fs.readFileSync(`${work}/${f}`, "utf8").split("\n").filter(Boolean).map(Number); } catch { return []; } };
const stats = (xs) => {
  xs = xs.filter((x) => typeof x === "number" && isFinite(x)).sort((a, b) => a - b);
  if (!xs.length) return null;
  const m = xs.length % 2 ? xs[(xs.length - 1) / 2] : (xs[xs.length / 2 - 1] + xs[xs.length / 2]) / 2;
  return { median: m, min: xs[0], max: xs[xs.length - 1], n: xs.length };
};
const fmtN = (x) => x >= 100 ? Math.round(x).toLocaleString("en-US") : x.toPrecision(3);
const cell = (s, unit = "") => (s ? `${fmtN(s.median)}${unit} (${fmtN(s.min)}..${fmtN(s.max)})` : "missing");
const ratio = (a, b) => (a && b ? `${(a.median / b.median).toFixed(2)}x (${(a.min / b.max).toFixed(2)}..${(a.max / b.min).toFixed(2)})` : "n/a");

const ajv = jl("ajv.jsonl"), py = jl("python.jsonl"), cc = haveBench === "1" ? jl("capconf.jsonl") : [];
const A = { v: stats(ajv.map((r) => r.valid_per_s)), i: stats(ajv.map((r) => r.invalid_per_s)) };
const P = { v: stats(py.map((r) => r.valid_per_s)), i: stats(py.map((r) => r.invalid_per_s)) };
const C = { v: stats(cc.map((r) => r.valid_per_s)), i: stats(cc.map((r) => r.invalid_per_s)) };
const bulkA = stats(nums("bulk-ajv.txt"));
const bulkC = haveCli === "1" ? stats(nums("bulk-capconf.txt")) : null;

const rows = [
  ["validations/s, valid config", cell(C.v), cell(A.v), cell(P.v), ratio(C.v, A.v), ratio(C.v, P.v)],
  ["validations/s, invalid config (all errors)", cell(C.i), cell(A.i), cell(P.i), ratio(C.i, A.i), ratio(C.i, P.i)],
];
const head = ["figure (median of " + runs + ", min..max)", "capconf", "ajv (rjsf config)", "python-jsonschema", "capconf/ajv", "capconf/python"];
const w = head.map((h, k) => Math.max(h.length, ...rows.map((r) => r[k].length)));
const line = (r) => "| " + r.map((c, k) => c.padEnd(w[k])).join(" | ") + " |";
console.log("");
console.log(line(head));
console.log("|" + w.map((n) => "-".repeat(n + 2)).join("|") + "|");
rows.forEach((r) => console.log(line(r)));
console.log("");
const bh = ["bulk: " + Number(lines).toLocaleString("en-US") + " JSON lines, wall clock", "capconf validate -", "ajv_bulk.mjs", "ajv/capconf (speed-up)"];
const br = [["seconds (median, min..max)", cell(bulkC, " s"), cell(bulkA, " s"), bulkC && bulkA ? ratio(bulkA, bulkC) : "n/a"]];
const bw = bh.map((h, k) => Math.max(h.length, ...br.map((r) => r[k].length)));
const bline = (r) => "| " + r.map((c, k) => c.padEnd(bw[k])).join(" | ") + " |";
console.log(bline(bh));
console.log("|" + bw.map((n) => "-".repeat(n + 2)).join("|") + "|");
br.forEach((r) => console.log(bline(r)));
console.log("");
if (ajv[0]) console.log(`ajv: ${ajv[0].errors_per_invalid} errors in the invalid config (node ${ajv[0].node})`);
if (py[0]) console.log(`python-jsonschema ${py[0].jsonschema}: ${py[0].errors_per_invalid} errors in the invalid config (its FormatChecker is not ajv-formats)`);
if (haveBench !== "1") console.log("capconf: benchmark binary missing (no per-validation figures)");
if (haveCli !== "1") console.log("capconf: release binary missing (no bulk figure)");
if (haveCli === "1") {
  // The two bulk outputs should agree line by line on the verdicts.
  const read = (f) => fs.readFileSync(`${work}/${f}`, "utf8").split("\n").filter(Boolean).map((l) => { const o = JSON.parse(l); return "error" in o ? "E" : o.valid ? "V" : "I"; });
  try {
    const a = read("bulk-ajv.out"), c = read("bulk-capconf.out");
    let diff = a.length === c.length ? 0 : Math.abs(a.length - c.length);
    for (let k = 0; k < Math.min(a.length, c.length); k++) if (a[k] !== c[k]) diff++;
    console.log(`bulk verdicts: ${a.filter((x) => x === "V").length} valid of ${a.length} (ajv); capconf ${diff ? `DISAGREES on ${diff} line(s)` : "agrees on every line"}`);
  } catch (e) { console.log(`bulk verdicts: could not compare (${e.message})`); }
}
EOF
