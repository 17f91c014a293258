#!/usr/bin/env bash
# Measures citebot on a large news corpus, the rows of docs/performance.md's
# "Large corpus" table: build the index, a cold `ask` with the corpus
# unchanged, the resident memory of `serve` once loaded, and questions
# answered in one process (`eval`), each with its wall time, peak resident
# memory and CPU time (from GNU time; on a shared machine the CPU time is
# the steadier figure). Go's GOMEMLIMIT, when set, applies to every step.
#
#   scripts/bench-large.sh [COPIES] [SHARED_DIR]
#
# COPIES (default 31) copies of SHARED_DIR/eval/news-dev/articles.jsonl
# (2,489 articles), paragraphs shuffled (scripts/bigcorpus), make the
# corpus: 31 copies are about 77,000 articles and 1.5 million passages
# (news-dev averages 19 passages an article). It needs about twice the
# corpus's size in free disk under $TMPDIR, and memory as measured.
set -euo pipefail
cd "$(dirname "$0")/.."
copies=${1:-31}
shared=${2:-../shared}
news="$shared/eval/news-dev"
[ -f "$news/articles.jsonl" ] || { echo "bench-large.sh: $news/articles.jsonl not found; pass the shared directory" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "bench-large.sh: needs GNU time at /usr/bin/time (Debian: apt-get install time)" >&2; exit 1; }
command -v curl > /dev/null || { echo "bench-large.sh: needs curl (Debian: apt-get install curl)" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/citebot" ./cmd/citebot
go run ./scripts/bigcorpus -in "$news/articles.jsonl" -n "$copies" -out "$work/articles.jsonl"
head -n 20 "$news/qa.jsonl" > "$work/qa.jsonl"
bin="$work/citebot"
common=(--articles "$work/articles.jsonl" --data "$work/data" --as-of 2022-09-20)

measure() { # label, command...
  local label=$1; shift
  /usr/bin/time -f "%e %M %U %S" -o "$work/time" "$@" > "$work/out" 2> "$work/err" || { echo "$label failed:"; tail -5 "$work/err"; exit 1; }
  read -r wall rss user sys < "$work/time"
  printf '%-28s %8.1f s  %7.0f MB peak RSS  (CPU %.1f s user, %.1f s sys)\n' "$label" "$wall" "$((rss / 1024))" "$user" "$sys"
}

# serve_rss: resident memory of `citebot serve` once its index is loaded
# (/readyz reports "index":"ok"), read from /proc. Discord cannot be
# reached here, so serve is stopped right after (a dummy token).
serve_rss() {
  local port=$((20000 + RANDOM % 10000)) pid status i
  DISCORD_TOKEN=MTAxMjM0NTY3ODkwMTIzNDU2.Gabcde.abcdefghijklmnopqrstuvwxyz0123456789AB \
    "$bin" serve "${common[@]}" --http "127.0.0.1:$port" > "$work/serve.out" 2> "$work/serve.err" &
  pid=$!
  for ((i = 0; i < 6000; i++)); do
    status=$(curl -s "127.0.0.1:$port/readyz" || true)
    case $status in *'"index":"ok"'*) break ;; esac
    kill -0 "$pid" 2> /dev/null || { echo "serve exited before loading:"; tail -3 "$work/serve.err"; return; }
    sleep 0.1
  done
  printf '%-28s %8s    %7.0f MB RSS (peak while loading %.0f MB)\n' "serve, after load" "" \
    "$(($(awk '/^VmRSS/ {print $2}' /proc/$pid/status) / 1024))" "$(($(awk '/^VmHWM/ {print $2}' /proc/$pid/status) / 1024))"
  kill "$pid" 2> /dev/null || true
  wait "$pid" 2> /dev/null || true
}

echo "corpus: $(wc -l < "$work/articles.jsonl") articles, $(du -h "$work/articles.jsonl" | cut -f1)"
measure "index" "$bin" index "${common[@]}"
grep -m1 -i "indexed" "$work/out" "$work/err" || true
measure "ask, cold, unchanged" "$bin" ask "${common[@]}" "which automaker recalled vehicles this week?"
serve_rss
measure "eval, 20 questions" "$bin" eval "${common[@]}" --qa "$work/qa.jsonl" --json
python3 - "$work/out" <<'PY' || true
import json, sys
d = json.load(open(sys.argv[1]))
print(f"  one question: p50 {d['p50_ms']:.0f} ms, p95 {d['p95_ms']:.0f} ms")
PY
