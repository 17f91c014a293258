#!/usr/bin/env bash
# Runs `citebot eval` on the shared question sets and writes the figures to
# docs/quality.md (the figures, then scripts/quality-notes.md), so that every
# change shows its effect on quality.
#
#   scripts/quality.sh [SHARED_DIR]      (default: ../shared beside the repo)
#
# The sets are not in the repository: SHARED_DIR/eval must hold dev.jsonl,
# realistic.jsonl, followups.jsonl, news-dev/, squad2/ and wiki/ in the format of
# its README.
set -euo pipefail
cd "$(dirname "$0")/.."
shared=${1:-../shared}
eval_dir="$shared/eval"
[ -f "$eval_dir/dev.jsonl" ] || { echo "quality.sh: $eval_dir/dev.jsonl not found; pass the shared directory" >&2; exit 1; }

data=$(mktemp -d)
trap 'rm -rf "$data" "$bin"' EXIT
bin=$(mktemp)
go build -o "$bin" ./cmd/citebot

# Fixed "today", so that temporal answers do not drift with the calendar.
asof=2026-11-23
row() { "$bin" eval --data "$data" --as-of "$asof" --markdown-row "$@"; }

out=docs/quality.md
{
  echo "# Answer and retrieval quality"
  echo
  echo "Written by \`scripts/quality.sh\` — do not edit by hand. Offline path: local embedder,"
  echo "extractive answerer, default settings (\`top_k\` 5, chunks of 1000 bytes), as-of $asof."
  echo
  echo "- commit: \`$(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo '+changes')\`"
  echo "- machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2 | sed 's/^ *//' || uname -m), $(go version | cut -d' ' -f3)"
  echo
  "$bin" eval --markdown-header
  row "seed dev set (16, shipped corpus)" --qa "$eval_dir/dev.jsonl"
  row "realistic, as typed in Discord (48, shipped corpus)" --qa "$eval_dir/realistic.jsonl"
  row "follow-up conversations (20 conversations, 49 scored turns, shipped corpus)" --qa "$eval_dir/followups.jsonl"
  row "news-dev quiz (131; 2,489 news articles, dated questions)" --qa "$eval_dir/news-dev/qa.jsonl" --articles "$eval_dir/news-dev/articles.jsonl"
  row "SQuAD 2.0 dev half (6,078; 646 paragraphs)" --qa "$eval_dir/squad2/qa.jsonl" --articles "$eval_dir/squad2/articles.jsonl"
  row "MuSiQue multi-hop (100; 8,009 wiki passages)" --qa "$eval_dir/wiki/musique-qa.jsonl" --articles "$eval_dir/wiki/articles.jsonl"
  echo
  cat scripts/quality-notes.md
} > "$out.tmp"
mv "$out.tmp" "$out"
echo "wrote $out"
