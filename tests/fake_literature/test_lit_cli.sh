#!/bin/bash
# `shoal lit search` against the fake literature server: text, JSON and BibTeX output, the
# store's cache, one engine only, and the errors a user meets (every engine down, bad engine).
# usage: test_lit_cli.sh PATH/TO/shoal
set -u
shoal=$1
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
/usr/bin/python3 "$here/server.py" --port 0 > "$tmp/port" &
server=$!
trap 'kill $server; rm -rf "$tmp"' EXIT
for _ in $(seq 50); do [ -s "$tmp/port" ] && break; sleep 0.1; done
port=$(head -1 "$tmp/port")
url="http://127.0.0.1:$port"
"$shoal" init --home "$tmp/h" > /dev/null
export SHOAL_LITERATURE_S2_URL=$url SHOAL_LITERATURE_OPENALEX_URL=$url SHOAL_LITERATURE_ARXIV_URL=$url
unset SEMANTIC_SCHOLAR_API_KEY S2_API_KEY
failures=0

# expect NAME CODE REGEX -- COMMAND...: runs COMMAND, checks its exit code and that stdout+stderr match REGEX.
expect() {
  local name=$1 code=$2 regex=$3
  shift 4
  local out rc
  out=$("$@" 2>&1)
  rc=$?
  if [ "$rc" != "$code" ] || ! grep -Eq -- "$regex" <<< "$out"; then
    echo "FAIL $name: exit $rc (wanted $code), output:"; echo "$out"; failures=$((failures + 1))
  else
    echo "ok   $name"
  fi
}

lit=("$shoal" lit search --home "$tmp/h")
expect "text" 0 "1\. Grokking: Generalization Beyond Overfitting on Small Algorithmic Datasets \(2022\)" -- \
  "${lit[@]}" "grokking weight decay"
expect "from semantic scholar" 0 "paper\(s\) from semantic_scholar$" -- "${lit[@]}" --limit 2 "residual image"
expect "cached" 0 "from the cache: no request made" -- "${lit[@]}" "Grokking  Weight Decay"
expect "one request per question" 0 '"requests": 2' -- curl -s "$url/_stats"
expect "json" 0 '"arxiv_id": "2201.02177"' -- "${lit[@]}" --json --engine openalex "grokking"
expect "json engine" 0 '"engine": "openalex"' -- "${lit[@]}" --json --engine openalex "grokking"
expect "bibtex from arxiv" 0 "@misc\{power2022grokking," -- "${lit[@]}" --bibtex --engine arxiv "grokking"
expect "bibtex keys unique" 0 "@Article\{vaswani2017attention," -- "${lit[@]}" --bibtex "attention transformer"
curl -s "$url/_rules" -d '{"rules": [{"engine": "semantic_scholar", "status": 429, "retry_after": "0"}]}' > /dev/null
expect "fallback" 0 "skipped semantic_scholar: HTTP 429 .*after 1 retry" -- \
  "$shoal" --set literature_max_retries=1 lit search --home "$tmp/h" "dropout overfitting"
curl -s "$url/_rules" -d '{"rules": [{"status": 500}]}' > /dev/null
expect "all engines fail" 10 "failed on every engine: semantic_scholar: HTTP 500.*openalex: HTTP 500.*arxiv: HTTP 500.*literature_s2_url" -- \
  "$shoal" --set literature_max_retries=0 lit search --home "$tmp/h" "diffusion"
curl -s "$url/_rules" -d '{"rules": []}' > /dev/null
expect "unknown engine" 3 "unknown literature engine 'scholar'" -- "${lit[@]}" --engine scholar "x"
expect "bad limit" 2 "limit" -- "${lit[@]}" --limit 0 "x"
expect "no database: no cache" 0 "not cached" -- env SHOAL_LITERATURE_ENGINES=arxiv "$shoal" lit search --home "$tmp/none" "grokking"
expect "no server" 10 "openalex: GET http://127.0.0.1:9/works.*failed" -- env SHOAL_LITERATURE_OPENALEX_URL=http://127.0.0.1:9 \
  "$shoal" --set literature_max_retries=0 --set literature_engines=openalex lit search --home "$tmp/h" "new question"

[ "$failures" = 0 ] && echo "all lit search checks passed" || { echo "$failures failed"; exit 1; }
