#!/usr/bin/env bash
# `shoal template check` and `shoal template baseline` as a user runs them, in the real
# sandbox: the tiny test template passes, each broken variant of it (made here from tiny,
# one fault each) fails with a message naming its fault, and the four shipped templates
# pass check and run their reduced (smoke) baselines.
# usage: test_template_cli.sh PATH/TO/shoal [--no-shipped]
set -u
shoal=$1
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp"
passed=0 failed=0
home=$tmp/home

# expect NAME WANT_RC PATTERN -- CMD...: checks the exit code and that the output (as one
# string, so PATTERN may span lines) matches PATTERN.
expect() {
  local name=$1 want=$2 pattern=$3; shift 4
  local out rc
  out=$("$@" 2>&1); rc=$?
  if [ "$rc" = "$want" ] && grep -qzE -- "$pattern" <<<"$out"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    printf 'FAIL %s: exit %s (want %s), output:\n%s\n' "$name" "$rc" "$want" "$out"
  fi
}

# variant NAME: a copy of tiny to break.
variant() { cp -r "$here/tiny" "$tmp/$1"; echo "$tmp/$1"; }

"$shoal" init --home "$home" >/dev/null
expect "tiny passes check" 0 "tiny: ok" -- "$shoal" template check "$here/tiny" --home "$home"
expect "tiny: metric from template.json" 0 "metric: loss, lower is better \(template.json\)" -- "$shoal" template check "$here/tiny" --home "$home"
# An AI-Scientist-format template: no template.json, a filecontents bibliography.
expect "seir: inferred metric, with a warning" 0 "metric: infected_peak, lower is better \(inferred\).*warning: template.json names no metric.*--metric infected_peak:min" -- "$shoal" template check "$here/seir" --home "$home"
expect "seir: the filecontents bibliography is found" 0 "bibliography: 0 entries in latex/references.bib, 2 in template.tex's filecontents block.*seir: ok" -- "$shoal" template check "$here/seir" --home "$home"
expect "tiny: no bibliography warned" 0 "warning: the template has no BibTeX entries" -- "$shoal" template check "$here/tiny" --home "$home"

t=$(variant missing); rm "$t/plot.py" "$t/latex/template.tex"
expect "missing files" 3 "plot.py: missing.*" -- "$shoal" template check "$t" --home "$home"
expect "missing latex named" 3 "latex/template.tex: missing" -- "$shoal" template check "$t" --home "$home"

t=$(variant json); printf '{"system": "s",\n  "task_description": "t",,\n}\n' > "$t/prompt.json"
expect "broken json" 3 "prompt.json: prompt.json is not valid JSON at line 2, column" -- "$shoal" template check "$t" --home "$home"

t=$(variant knob); sed -i 's/"--steps", "values"/"--stepz", "values"/' "$t/template.json"
expect "unknown knob" 3 "knob --stepz is not accepted by experiment.py" -- "$shoal" template check "$t" --home "$home"

t=$(variant latex); sed -i 's/Placeholder./\\undefinedmacro Placeholder./' "$t/latex/template.tex"
expect "latex error" 3 "does not compile with pdflatex.*Undefined control sequence" -- "$shoal" template check "$t" --home "$home"

t=$(variant shape); sed -i 's/default="ok"/default="bad_shape"/' "$t/experiment.py"
expect "final_info shape" 3 "final_info.json: fit must be an object with \"means\"" -- "$shoal" template check "$t" --home "$home"
expect "baseline refuses bad shape" 3 "must be an object with \"means\"" -- "$shoal" template baseline "$t" --home "$home"

t=$(variant metric); sed -i 's/"name": "loss"/"name": "accuracy"/' "$t/template.json"
expect "metric missing" 3 "reports metric 'accuracy'" -- "$shoal" template check "$t" --home "$home"

t=$(variant crash); sed -i 's/default="ok"/default="crash"/' "$t/experiment.py"
expect "crash" 3 "failed \(exit code 1\).*crashing on purpose" -- "$shoal" template baseline "$t" --home "$home"

t=$(variant hang); sed -i 's/default="ok"/default="hang"/' "$t/experiment.py"; sed -i 's/"timeout_s": 60/"timeout_s": 3/' "$t/template.json"
expect "hang" 3 "limit hit: wall_time" -- "$shoal" template baseline "$t" --home "$home"

t=$(variant nooutput); sed -i 's/default="ok"/default="no_output"/' "$t/experiment.py"
expect "no final_info" 3 "wrote no run_0/final_info.json" -- "$shoal" template baseline "$t" --home "$home"

# nothing half-written is kept as a baseline: only failed nodes so far
done_nodes=$(sqlite3 "$home/shoal.db" "SELECT count(*) FROM nodes WHERE status = 'done'")
failed_nodes=$(sqlite3 "$home/shoal.db" "SELECT count(*) FROM nodes WHERE status = 'failed'")
if [ "$done_nodes" = 0 ] && [ "$failed_nodes" = 4 ]; then passed=$((passed + 1)); else
  failed=$((failed + 1)); echo "FAIL stored nodes: done=$done_nodes failed=$failed_nodes (want 0 and 4)"; fi

# a good baseline is stored once and reused
expect "tiny baseline" 0 "stored baseline node-" -- "$shoal" template baseline "$here/tiny" --home "$home"
expect "tiny baseline reused" 0 "reusing stored baseline node-" -- "$shoal" template baseline "$here/tiny" --home "$home"
expect "tiny baseline forced" 0 "stored baseline node-" -- "$shoal" template baseline "$here/tiny" --force --home "$home"
expect "not a folder" 4 "no template folder" -- "$shoal" template check "$tmp/nope" --home "$home"

if [ "${2:-}" != "--no-shipped" ]; then
  for name in grokking diffusion2d charlm circle_packing; do
    expect "$name check" 0 "$name: ok" -- "$shoal" template check "$repo/templates/$name" --home "$home"
    expect "$name smoke baseline" 0 "stored baseline node-.*\(smoke\)" -- "$shoal" template baseline "$repo/templates/$name" --smoke --home "$home"
  done
fi

echo "templates: $passed passed, $failed failed"
[ "$failed" = 0 ]
