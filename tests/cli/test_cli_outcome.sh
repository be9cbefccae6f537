#!/usr/bin/env bash
# What a run's end shows a newcomer: `shoal status` (the same lines as the end of `shoal run`
# and `shoal resume`) names each idea's paper, its pages, checks and score, and the commands to
# look at it; `shoal open` writes a paper's PDF; `shoal init` is quiet unless asked.
# usage: test_cli_outcome.sh PATH/TO/shoal PATH/TO/web_fixture
set -u
shoal=$1 fixture=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0
ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); printf 'FAIL %s\n' "$*"; }

# expect NAME WANT_RC PATTERN -- CMD...: runs CMD, checks its exit code and that its output matches PATTERN.
expect() {
  local name=$1 want=$2 pattern=$3; shift 4
  local out rc
  out=$("$@" 2>&1); rc=$?
  if [ "$rc" = "$want" ] && grep -qE -- "$pattern" <<<"$out"; then ok; else
    bad "$name: exit $rc (want $want), output:"; printf '%s\n' "$out"; fi
}

unset SHOAL_HOME SHOAL_CONFIG SHOAL_LOG_LEVEL
out=$("$shoal" init --home "$tmp/quiet" 2>&1)
[ "$(wc -l <<<"$out")" = 1 ] && grep -q "initialised" <<<"$out" && ok || bad "init prints one line, got: $out"
expect "init --log-level info shows migrations" 0 "migrated .* to schema 1" -- "$shoal" init --home "$tmp/loud" --log-level info

home=$tmp/home
ids=$("$fixture" "$home") || { echo "web_fixture failed"; exit 1; }
id_of() { python3 -c "import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])" "$ids" "$1"; }
best=$(id_of best_paper) failed_paper=$(id_of failed_paper)

status=$("$shoal" status run-fixture-done --home "$home" 2>&1)
for pattern in "what came out:" "weight_decay: paper $best" "How weight_decay affects" "1 page · UNVERIFIED \(1 number\(s\) match no stored result; not a finished paper\) · checks failed · review score 6.00" \
    "0 finished paper\(s\), 2 unverified \(not counted as finished\)" \
    "look at them:" "shoal serve --home $home .*http://127.0.0.1:8080/runs/run-fixture-done" "shoal open $best --home $home"; do
  grep -qE -- "$pattern" <<<"$status" && ok || bad "status lacks '$pattern':"$'\n'"$status"
done
grep -qF '\_' <<<"$status" && bad "status shows LaTeX escapes: $status" || ok
expect "status budget" 0 'LLM cost \$0\.0183 of \$10\.00$' -- "$shoal" status run-fixture-done --home "$home"

cd "$tmp"
expect "open writes ./PAPER.pdf" 0 "^$tmp/$best.pdf$" -- "$shoal" open "$best" --home "$home"
[ "$(head -c 4 "$tmp/$best.pdf")" = "%PDF" ] && ok || bad "the written file is no PDF"
mkdir -p "$tmp/out"
expect "open into a folder" 0 "^$tmp/out/$best.pdf$" -- "$shoal" open "$best" "$tmp/out" --home "$home"
expect "open to a path" 0 "^$tmp/mine.pdf$" -- "$shoal" open "$best" mine.pdf --home "$home"
cmp -s "$tmp/mine.pdf" "$tmp/$best.pdf" && ok || bad "open wrote different bytes"
expect "open an unknown paper" 4 "no paper nope .*shoal status" -- "$shoal" open nope --home "$home"
expect "open a paper without PDF" 4 "has no PDF.*Undefined control sequence" -- "$shoal" open "$failed_paper" --home "$home"
expect "open without a paper" 2 "PAPER is required" -- "$shoal" open --home "$home"

echo "cli_outcome: $passed passed, $failed failed"
[ "$failed" = 0 ]
