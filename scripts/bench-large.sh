#!/usr/bin/env bash
# Measures citebot on a large news corpus, the rows of docs/performance.md's
# "Large corpus" table: build the index, a cold `ask` with the corpus
# unchanged, and questions answered in one process (`eval`), each with its
# wall time and peak resident memory (from GNU time).
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

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/citebot" ./cmd/citebot
go run ./scripts/bigcorpus -in "$news/articles.jsonl" -n "$copies" -out "$work/articles.jsonl"
head -n 20 "$news/qa.jsonl" > "$work/qa.jsonl"
bin="$work/citebot"
common=(--articles "$work/articles.jsonl" --data "$work/data" --as-of 2022-09-20)

measure() { # label, command...
  local label=$1; shift
  /usr/bin/time -f "%e %M" -o "$work/time" "$@" > "$work/out" 2> "$work/err" || { echo "$label failed:"; tail -5 "$work/err"; exit 1; }
  read -r wall rss < "$work/time"
  printf '%-28s %8.1f s  %7.0f MB peak RSS\n' "$label" "$wall" "$((rss / 1024))"
}

echo "corpus: $(wc -l < "$work/articles.jsonl") articles, $(du -h "$work/articles.jsonl" | cut -f1)"
measure "index" "$bin" index "${common[@]}"
grep -m1 -i "indexed" "$work/out" "$work/err" || true
measure "ask, cold, unchanged" "$bin" ask "${common[@]}" "which automaker recalled vehicles this week?"
measure "eval, 20 questions" "$bin" eval "${common[@]}" --qa "$work/qa.jsonl" --json
python3 - "$work/out" <<'PY' || true
import json, sys
d = json.load(open(sys.argv[1]))
print(f"  one question: p50 {d['p50_ms']:.0f} ms, p95 {d['p95_ms']:.0f} ms")
PY
