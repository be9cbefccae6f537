#!/bin/bash
# `shoal llm chat` against the fake provider server: a reply with an image, the response
# cache, and the errors a user meets first (offline, no key, no server, budget, replay miss).
# usage: test_llm_chat.sh PATH/TO/shoal
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
curl -s "$url/_rules" -d '{"rules": [{"reply": "saw {images}: {echo}", "usage": {"input": 1000, "output": 100}}]}' > /dev/null
echo '{"models": {"openai:tiny": {"max_output": 4, "input": 0, "output": 0}}}' > "$tmp/tiny.json"
printf '\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR\0\0\0\x02\0\0\0\x03\x08\x02\0\0\0' > "$tmp/fig.png"
"$shoal" init --home "$tmp/h" > /dev/null
export OPENAI_API_KEY=sk-test-openai ANTHROPIC_API_KEY=sk-ant-test
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

chat=("$shoal" llm chat --home "$tmp/h")
expect "openai with image" 0 "saw 1 png image\(s\) 2x3: what is this\?" -- \
  "${chat[@]}" --model openai:gpt-4o --llm-base-url "$url/v1" --image "$tmp/fig.png" "what is this?"
expect "tokens and cost" 0 "tokens in 1000 .*out 100; cost \\\$0.003500" -- \
  "${chat[@]}" --model openai:gpt-4o --llm-base-url "$url/v1" --no-cache "again"
expect "cached" 0 "from the response cache" -- \
  "${chat[@]}" --model openai:gpt-4o --llm-base-url "$url/v1" --image "$tmp/fig.png" "what is this?"
expect "anthropic" 0 "saw 0 png image\(s\): hi" -- \
  "${chat[@]}" --model anthropic:claude-sonnet-4-5 --llm-base-url "$url" "hi"
expect "requests served" 0 '"requests": 3' -- curl -s "$url/_stats"
expect "openai o3 (reasoning)" 0 "saw 0 png image\(s\): think" -- \
  "${chat[@]}" --model openai:o3 --llm-base-url "$url/v1" "think"
expect "openai gpt-5-mini (reasoning)" 0 "saw 0 png image\(s\): think" -- \
  "${chat[@]}" --model openai:gpt-5-mini --llm-base-url "$url/v1" "think"
expect "cut reply said on stderr" 0 "cut off at the token limit" -- \
  "$shoal" --set llm_prices_file="$tmp/tiny.json" llm chat --home "$tmp/h" --model openai:tiny --llm-base-url "$url/v1" --max-tokens 2 "a long question to echo back"
start=$(date +%s)
expect "revoked key names the variable" 11 "set OPENAI_API_KEY" -- \
  env OPENAI_API_KEY=sk-revoked "${chat[@]}" --model openai:gpt-5-mini --llm-base-url "$url/v1" --fresh "x"
[ $(( $(date +%s) - start )) -le 5 ] && echo "ok   revoked key exits within seconds" || { echo "FAIL revoked key took too long"; failures=$((failures + 1)); }
# shoal doctor's model check (the other checks depend on the machine: only the model line counts).
for m in openai:o3 openai:gpt-5-mini anthropic:claude-sonnet-4-5; do
  u="$url/v1"; [ "$m" = anthropic:claude-sonnet-4-5 ] && u="$url"
  if "$shoal" doctor --home "$tmp/h" --model "$m" --llm-base-url "$u" 2>&1 | grep -q "ok   model: $m"; then echo "ok   doctor $m"
  else echo "FAIL doctor $m"; failures=$((failures + 1)); fi
done
expect "models lists the table" 0 "openai:o3 .*max_completion_tokens|openai:o3 +openai +200000 +100000" -- "$shoal" models --home "$tmp/h"
expect "models as json" 0 '"token_param": "max_completion_tokens"' -- "$shoal" models --home "$tmp/h" --json
expect "offline is no LLM" 3 "not an LLM" -- "${chat[@]}" --model offline "x"
expect "missing key" 3 "ANTHROPIC_API_KEY is not set" -- env ANTHROPIC_API_KEY= "${chat[@]}" --model anthropic:claude-sonnet-4-5 "x"
expect "unknown provider" 3 "unknown model 'gemini:pro'" -- "${chat[@]}" --model gemini:pro "x"
expect "not a png" 3 "not a PNG" -- "${chat[@]}" --model openai:gpt-4o --llm-base-url "$url/v1" --image "$tmp/port" "x"
expect "budget" 7 "budget_exceeded" -- "$shoal" --set budget_usd=0 llm chat --home "$tmp/h" --model openai:gpt-4o --llm-base-url "$url/v1" "y"
expect "no server" 10 "cannot connect" -- "$shoal" --set llm_max_retries=0 llm chat --home "$tmp/h" --model openai:gpt-4o --llm-base-url "http://127.0.0.1:9/v1" "y"
expect "replay miss" 4 "no stored answer for stage 'chat'" -- "${chat[@]}" --model replay:openai:gpt-4o "never asked"
expect "replay hit" 0 "saw 0 png image\(s\): hi" -- "${chat[@]}" --model replay:anthropic:claude-sonnet-4-5 "hi"
expect "bad price file" 3 "price table" -- "$shoal" --set llm_prices_file=/etc/hostname llm chat --home "$tmp/h" --model openai:gpt-4o "x"
expect "key not stored" 0 "^0$" -- bash -c "sqlite3 '$tmp/h/shoal.db' \"SELECT count(*) FROM llm_calls WHERE request_json LIKE '%sk-test%' OR response_json LIKE '%sk-test%'\""

[ "$failures" = 0 ] && echo "all llm chat checks passed" || { echo "$failures failed"; exit 1; }
