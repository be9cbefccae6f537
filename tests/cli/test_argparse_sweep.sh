#!/usr/bin/env bash
# The offline agent on a template without template.json: it runs `experiment.py --help` in
# the sandbox and sweeps the numeric and choice flags argparse shows, their defaults as the
# baseline (tests/templates/argparse). A template whose --help shows no such flag stops
# with the message about knobs.
# usage: test_argparse_sweep.sh PATH/TO/shoal
set -u
shoal=$1
here=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp"
passed=0 failed=0
ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); printf 'FAIL %s\n' "$*"; }
unset SHOAL_HOME SHOAL_CONFIG SHOAL_MODEL SHOAL_LOG_LEVEL
home=$tmp/home
"$shoal" init --home "$home" >/dev/null

cp -r "$here/templates/argparse" "$tmp/argparse"
[ ! -e "$tmp/argparse/template.json" ] && ok || bad "the argparse template must have no template.json"
out=$("$shoal" run "$tmp/argparse" --model offline --ideas 1 --no-novelty --home "$home" 2>&1); rc=$?
[ "$rc" = 0 ] && ok || bad "offline run of the argparse template exits $rc:"$'\n'"$out"
grep -q "experiment.py --help shows 3 to sweep: --lr, --optimizer, --steps" <<<"$out" && ok || bad "the knobs found are not named:"$'\n'"$out"
grep -q "run_1: --lr=0.025" <<<"$out" && ok || bad "the sweep did not start at a quarter of --lr's default:"$'\n'"$out"
run=$(sed -n 's/^run \(run-[^ ]*\) .*/\1/p' <<<"$out" | head -1)
# The sweep's nodes, as the store has them: the four --lr values, never the default (run_0, the baseline).
commands=$(sqlite3 "$home/shoal.db" "SELECT n.command FROM nodes n JOIN ideas i ON n.idea_id = i.id WHERE i.run_id = '$run' AND n.kind = 'sweep' ORDER BY n.step")
for v in 0.025 0.05 0.2 0.4; do
  grep -q -- "--lr $v\$" <<<"$commands" && ok || bad "no sweep node ran --lr $v; nodes:"$'\n'"$commands"
done
grep -q -- "--lr 0.1\$" <<<"$commands" && bad "the default --lr 0.1 was run again as a sweep node" || ok
# One idea per knob found (--ideas 1 carries the first through).
ideas=$(sqlite3 "$home/shoal.db" "SELECT name || ' ' || status FROM ideas WHERE run_id = '$run' ORDER BY name" | tr '\n' ',')
[ "$ideas" = "sweep_lr done,sweep_optimizer skipped,sweep_steps skipped," ] && ok || bad "ideas: $ideas"
grep -q "what came out:" <<<"$out" && grep -q "sweep_lr: paper paper-" <<<"$out" && ok || bad "the run's end names no paper:"$'\n'"$out"

# No numeric or choice flag: today's message about knobs, a usage error.
cp -r "$here/templates/argparse" "$tmp/bare"
cat > "$tmp/bare/experiment.py" <<'PY'
import argparse, json, os
parser = argparse.ArgumentParser(formatter_class=argparse.ArgumentDefaultsHelpFormatter)
parser.add_argument("--out_dir", default="run_0")
parser.add_argument("--verbose", action="store_true")
args = parser.parse_args()
os.makedirs(args.out_dir, exist_ok=True)
json.dump({"fit": {"means": {"loss": 1.0}}}, open(os.path.join(args.out_dir, "final_info.json"), "w"))
PY
out=$("$shoal" run "$tmp/bare" --model offline --ideas 1 --no-novelty --home "$home" 2>&1); rc=$?
[ "$rc" != 0 ] && ok || bad "a template with no knobs at all ran to the end"
grep -q "declares no knobs" <<<"$out" && ok || bad "no message about knobs:"$'\n'"$out"

echo "argparse_sweep: $passed passed, $failed failed"
[ "$failed" = 0 ]
