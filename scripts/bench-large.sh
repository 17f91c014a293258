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
#
# CITEBOT_BENCH_MEMORY=4G runs every step in a memory cgroup of that size
# (as `docker run --memory 4g` would; needs root and a writable cgroup v1
# or v2 hierarchy), so that a step which needs more is killed rather than
# measured; the cgroup's own peak (which counts the page cache of the files
# read and written) is printed after each step. The page cache is dropped
# before each step, so that it reads the corpus and the index file from
# disk and their pages count against the cgroup, not against the step that
# wrote them: the times are then those of a start after a reboot. citebot
# sets Go's memory limit to 80% of the cgroup's while indexing and 90% once
# the index is open (unless GOMEMLIMIT is set).
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

# The memory cgroup of CITEBOT_BENCH_MEMORY: cg is its directory, limited
# the command prefix that runs a command in it, peak its peak usage file.
cg="" peak="" limited=()
if [ -n "${CITEBOT_BENCH_MEMORY:-}" ]; then
  bytes=$(numfmt --from=iec "$CITEBOT_BENCH_MEMORY")
  v1=$(awk -F: '$2 ~ /(^|,)memory(,|$)/ {print $3}' /proc/self/cgroup)
  if [ -n "$v1" ] && [ -d "/sys/fs/cgroup/memory$v1" ]; then
    cg="/sys/fs/cgroup/memory${v1%/}/citebot-bench-$$" peak=memory.max_usage_in_bytes
    mkdir "$cg" && echo "$bytes" > "$cg/memory.limit_in_bytes"
  else
    v2=$(awk -F: '$1 == "0" {print $3}' /proc/self/cgroup)
    cg="/sys/fs/cgroup${v2%/}/citebot-bench-$$" peak=memory.peak
    mkdir "$cg" && echo "$bytes" > "$cg/memory.max"
  fi || { echo "bench-large.sh: cannot make a memory cgroup at $cg (run as root)" >&2; exit 1; }
  trap 'rmdir "$cg" 2> /dev/null; rm -rf "$work"' EXIT
  # shellcheck disable=SC2016 # expanded by the inner shell
  limited=(sh -c 'echo $$ > "$0/cgroup.procs" && exec "$@"' "$cg")
  echo "every step runs in a memory cgroup of $CITEBOT_BENCH_MEMORY ($cg)"
fi

# drop_caches empties the page cache before a step in the cgroup.
drop_caches() {
  [ -n "$cg" ] || return 0
  sync
  echo 1 > /proc/sys/vm/drop_caches 2> /dev/null || echo "bench-large.sh: cannot drop the page cache; the files' pages stay charged to the index step" >&2
}

# cg_peak prints the cgroup's peak usage since the last call, and resets it
# where the kernel allows (v1).
cg_peak() {
  [ -n "$cg" ] || return 0
  printf '%-28s %8s    %7.0f MB peak in the %s cgroup (page cache included)\n' "" "" "$(($(cat "$cg/$peak") / 1048576))" "$CITEBOT_BENCH_MEMORY"
  echo 0 > "$cg/$peak" 2> /dev/null || true
}

measure() { # label, command...
  local label=$1; shift
  /usr/bin/time -f "%e %M %U %S" -o "$work/time" "$@" > "$work/out" 2> "$work/err" || { echo "$label failed (killed when over a memory cgroup's limit):"; tail -5 "$work/err"; exit 1; }
  read -r wall rss user sys < "$work/time"
  printf '%-28s %8.1f s  %7.0f MB peak RSS  (CPU %.1f s user, %.1f s sys)\n' "$label" "$wall" "$((rss / 1024))" "$user" "$sys"
}

# rss prints the resident memory of process $2 from /proc: all of it, the
# process's own (anonymous) memory, mapped files (the index file's vectors,
# page cache the kernel may reclaim), and the peak.
rss() {
  local st=/proc/$2/status
  printf '%-28s %8s    %7.0f MB RSS: %.0f MB own memory, %.0f MB of mapped files (peak %.0f MB)\n' "$1" "" \
    "$(($(awk '/^VmRSS/ {print $2}' "$st") / 1024))" "$(($(awk '/^RssAnon/ {print $2}' "$st") / 1024))" \
    "$(($(awk '/^RssFile/ {print $2}' "$st") / 1024))" "$(($(awk '/^VmHWM/ {print $2}' "$st") / 1024))"
}

# serve_rss: resident memory of `citebot serve` once its index is loaded
# (/readyz reports "index":"ok"), read from /proc. Discord cannot be
# reached here, so serve is stopped right after (a dummy token).
serve_rss() {
  local port=$((20000 + RANDOM % 10000)) pid status i
  DISCORD_TOKEN=MTAxMjM0NTY3ODkwMTIzNDU2.Gabcde.abcdefghijklmnopqrstuvwxyz0123456789AB \
    "${limited[@]}" "$bin" serve "${common[@]}" --http "127.0.0.1:$port" > "$work/serve.out" 2> "$work/serve.err" &
  pid=$!
  for ((i = 0; i < 6000; i++)); do
    status=$(curl -s "127.0.0.1:$port/readyz" || true)
    case $status in *'"index":"ok"'*) break ;; esac
    kill -0 "$pid" 2> /dev/null || { echo "serve exited before loading:"; tail -3 "$work/serve.err"; return; }
    sleep 0.1
  done
  rss "serve, after load" "$pid"
  kill "$pid" 2> /dev/null || true
  wait "$pid" 2> /dev/null || true
}

echo "corpus: $(wc -l < "$work/articles.jsonl") articles, $(du -h "$work/articles.jsonl" | cut -f1)"
drop_caches
measure "index" "${limited[@]}" "$bin" index "${common[@]}"
cg_peak
grep -m1 -i "indexed" "$work/out" "$work/err" || true
drop_caches
measure "ask, cold, unchanged" "${limited[@]}" "$bin" ask "${common[@]}" "which automaker recalled vehicles this week?"
cg_peak
drop_caches
serve_rss
cg_peak
drop_caches
measure "eval, 20 questions" "${limited[@]}" "$bin" eval "${common[@]}" --qa "$work/qa.jsonl" --json
cg_peak
python3 - "$work/out" <<'PY' || true
import json, sys
d = json.load(open(sys.argv[1]))
print(f"  one question: p50 {d['p50_ms']:.0f} ms, p95 {d['p95_ms']:.0f} ms")
PY
