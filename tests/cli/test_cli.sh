#!/usr/bin/env bash
# The shoal binary as a user runs it: init, config, db info/check, and bad input.
# usage: test_cli.sh PATH/TO/shoal
set -u
shoal=$1
tmp=$(mktemp -d)
trap 'chmod -R u+w "$tmp"; rm -rf "$tmp"' EXIT
passed=0 failed=0

# expect NAME WANT_RC PATTERN -- CMD...: runs CMD, checks its exit code and that its output matches PATTERN.
expect() {
  local name=$1 want=$2 pattern=$3; shift 4
  local out rc
  out=$("$@" 2>&1); rc=$?
  if [ "$rc" = "$want" ] && grep -qE -- "$pattern" <<<"$out"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    printf 'FAIL %s: exit %s (want %s), output:\n%s\n' "$name" "$rc" "$want" "$out"
  fi
}

unset SHOAL_HOME SHOAL_CONFIG
h=$tmp/home
expect "help" 0 "init" -- "$shoal" --help
expect "no command" 2 "required" -- "$shoal"
expect "unknown command" 2 "" -- "$shoal" frobnicate
expect "info before init" 4 "shoal init" -- "$shoal" db info --home "$h"
expect "init" 0 "initialised: .*shoal.db \(schema [0-9]+\)" -- "$shoal" init --home "$h"
expect "init again" 0 "already initialised" -- "$shoal" init --home "$h"
expect "db info" 0 "schema version: [0-9]+" -- "$shoal" db info --home "$h"
expect "db info json" 0 '"schema_version": [0-9]+' -- "$shoal" db info --json --home "$h"
expect "db check" 0 "^ok:" -- "$shoal" db check --home "$h"
expect "home from env" 0 "schema version: [0-9]+" -- env SHOAL_HOME="$h" "$shoal" db info

# config precedence as the binary shows it
echo '{"model": "file-model", "ideas": 5}' > "$h/config.json"
expect "config file" 0 "ideas = 5 .*\(file" -- "$shoal" config --home "$h"
expect "env over file" 0 "ideas = 9 .*\(env" -- env SHOAL_IDEAS=9 "$shoal" config --home "$h"
expect "cli over env" 0 "ideas = 2 .*\(cli" -- env SHOAL_IDEAS=9 "$shoal" config --home "$h" --set ideas=2

# bad input: clear message, documented exit code
expect "unknown key in file" 3 "unknown setting 'modle'" -- "$shoal" config --config <(echo '{"modle": 1}') --home "$h"
expect "unknown --set key" 3 "unknown setting 'budgett'" -- "$shoal" config --home "$h" --set budgett=1
expect "bad value" 3 "budget_usd.*must be a number" -- "$shoal" config --home "$h" --set budget_usd=lots
expect "bad --set" 3 "key=value" -- "$shoal" config --home "$h" --set nonsense
expect "bad json" 3 "not valid JSON" -- "$shoal" config --config <(echo '{') --home "$h"
rm "$h/config.json"

mkdir -p "$tmp/newer"
sqlite3 "$tmp/newer/shoal.db" "CREATE TABLE t(x); PRAGMA user_version = 42;"
before=$(sha256sum "$tmp/newer/shoal.db")
expect "newer schema" 6 "schema version 42.*newer shoal" -- "$shoal" db info --home "$tmp/newer"
expect "newer schema, init" 6 "schema version 42" -- "$shoal" init --home "$tmp/newer"
[ "$before" = "$(sha256sum "$tmp/newer/shoal.db")" ] && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL newer schema db changed"; }

mkdir -p "$tmp/corrupt"
head -c 8192 /dev/urandom > "$tmp/corrupt/shoal.db"
before=$(sha256sum "$tmp/corrupt/shoal.db")
expect "corrupt db" 6 "not a Shoal database" -- "$shoal" db check --home "$tmp/corrupt"
expect "corrupt db, init" 6 "damaged" -- "$shoal" init --home "$tmp/corrupt"
[ "$before" = "$(sha256sum "$tmp/corrupt/shoal.db")" ] && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL corrupt db changed"; }

# a read-only home (run as an unprivileged user when root, since root ignores permissions)
mkdir -p "$tmp/ro" && chmod 555 "$tmp/ro"
as_user=()
if [ "$(id -u)" = 0 ]; then as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups); chmod 755 "$tmp"; fi
expect "read-only home" 5 "not writable|cannot create" -- "${as_user[@]}" "$shoal" init --home "$tmp/ro/home"
[ ! -e "$tmp/ro/home" ] && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL read-only home was written"; }

echo "cli: $passed passed, $failed failed"
[ "$failed" = 0 ]
