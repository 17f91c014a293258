package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"citebot/rag/eval"
	"citebot/rag/textutil"
)

func runEval(ctx context.Context, e *env, args []string) error {
	var (
		qa      string
		limit   int
		asJSON  bool
		rowName string
		header  bool
		results string
	)
	c, err := parse(e, "eval", "--qa FILE.jsonl [--articles FILE.jsonl] [flags]\n\nA line of FILE is a question or a conversation ({\"id\", \"as_of\", \"turns\": [...]}),\nwhose turns are asked in order and scored when they have a kind.", args, func(fs *flag.FlagSet) {
		fs.StringVar(&qa, "qa", "", "question set (JSONL); required")
		fs.IntVar(&limit, "limit", 0, "evaluate only the first N lines, questions or conversations (0: all)")
		fs.BoolVar(&asJSON, "json", false, "print the figures as one JSON object")
		fs.BoolVar(&header, "markdown-header", false, "print the header of the --markdown-row table and exit")
		fs.StringVar(&rowName, "markdown-row", "", "print the figures as one Markdown table row named `name` (see docs/quality.md)")
		fs.StringVar(&results, "results", "", "also write every question's outcome to `FILE` (JSONL: answer, citations, retrieved articles, problems)")
	})
	if err != nil {
		return err
	}
	if header {
		fmt.Fprintln(e.stdout, markdownRowHeader)
		return nil
	}
	if qa == "" {
		return fmt.Errorf("%w: eval needs --qa FILE.jsonl", errUsage)
	}
	if limit < 0 {
		return fmt.Errorf("%w: eval: --limit %d: use 0 (all) or more", errUsage, limit)
	}
	if len(c.args) > 0 {
		return fmt.Errorf("%w: eval takes no arguments", errUsage)
	}
	qs, err := loadQuestionSet(qa, limit, c.log)
	if err != nil {
		return err
	}
	ix, _, err := openIndex(ctx, c.cfg, c.log, newProgressBar(e.stderr, "embedding").update)
	if err != nil {
		return err
	}
	// Latencies are those of a running bot, which warms its index at start.
	if err := ix.Warm(ctx, 0); err != nil {
		return err
	}
	bar := newProgressBar(e.stderr, "evaluating")
	rep, err := eval.Run(ctx, newAnswerer(c.cfg, ix, c.log), ix, qs, eval.Options{
		Now: c.asOf,
		K:   c.cfg.TopK,
		Progress: func(done, total int) {
			bar.update(done, max(total, 200))
		},
	})
	bar.finish()
	if err != nil {
		return err
	}
	if results != "" {
		if err := writeResults(results, rep.Results); err != nil {
			return err
		}
	}
	if asJSON {
		return writeJSON(e.stdout, rep)
	}
	if rowName != "" {
		fmt.Fprintln(e.stdout, markdownRow(rowName, rep))
		return nil
	}
	printReport(e.stdout, rep)
	return nil
}

// loadQuestionSet reads the question set at path, logs the lines it
// skips, and keeps the first limit questions (0: all).
func loadQuestionSet(path string, limit int, log *slog.Logger) ([]eval.Question, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open question set: %w", err)
	}
	qs, warns, err := eval.LoadQuestions(f, path)
	f.Close()
	if err != nil {
		return nil, err
	}
	for _, w := range warns {
		log.Warn("skipped question", "problem", w.Error())
	}
	if limit > 0 && limit < len(qs) {
		qs = qs[:limit]
	}
	if len(qs) == 0 {
		return nil, fmt.Errorf("%s holds no questions", path)
	}
	return qs, nil
}

// printReport prints every question with a problem, then the figures.
func printReport(w io.Writer, rep eval.Report) {
	failed := 0
	for _, r := range rep.Results {
		if len(r.Failures) == 0 {
			continue
		}
		failed++
		resolved := ""
		if r.Resolved != "" {
			resolved = "\n  resolved: " + r.Resolved
		}
		fmt.Fprintf(w, "FAIL %s (%s) %s%s\n  expected: %s\n  answered: %s\n  problems: %s\n\n",
			r.ID, r.Kind, r.Question, resolved, r.Expected, textutil.Shorten(r.Answer, 300), strings.Join(r.Failures, "; "))
	}
	if rep.Conversations > 0 {
		fmt.Fprintf(w, "%d conversations read (%d turns); the figures are over the scored turns and single questions\n", rep.Conversations, rep.Turns)
	}
	fmt.Fprintf(w, "%d questions, %d with a problem, %d errors\n", rep.Questions, failed, rep.Errors)
	row := func(name string, v *float64, n int) {
		if v == nil {
			fmt.Fprintf(w, "  %-24s   n/a\n", name)
			return
		}
		fmt.Fprintf(w, "  %-24s %6.3f  (of %d)\n", name, *v, n)
	}
	row("answer_hit", rep.AnswerHit, rep.Counts["with_must_include"])
	row("evidence_hit", rep.EvidenceHit, rep.Counts["with_evidence"])
	row("retrieval_recall_at_1", rep.RecallAt1, rep.Counts["with_evidence"])
	row("retrieval_recall_at_5", rep.RecallAt5, rep.Counts["with_evidence"])
	row("not_found_correct", rep.NotFoundCorrect, rep.Counts["expect_not_found"])
	row("false_not_found", rep.FalseNotFound, rep.Counts["with_evidence"])
	if rep.FollowUpAnswerHit != nil {
		row("followup_answer_hit", rep.FollowUpAnswerHit, rep.Counts["followup_with_must_include"])
	}
	if rep.ChitchatCorrect != nil {
		row("chitchat_correct", rep.ChitchatCorrect, rep.Counts["chitchat"])
	}
	fmt.Fprintf(w, "  %-24s %6.2f ms\n  %-24s %6.2f ms\n", "p50", rep.P50ms, "p95", rep.P95ms)
}

// markdownRowHeader is the header of the table markdownRow fills.
const markdownRowHeader = "| set | questions | answer_hit | evidence_hit | recall@1 | recall@5 | not_found_correct | false_not_found | p50 ms | p95 ms |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"

// markdownRow renders a report as one row of markdownRowHeader's table.
func markdownRow(name string, r eval.Report) string {
	f := func(v *float64) string {
		if v == nil {
			return "–"
		}
		return fmt.Sprintf("%.3f", *v)
	}
	return fmt.Sprintf("| %s | %d | %s | %s | %s | %s | %s | %s | %.2f | %.2f |", name, r.Questions,
		f(r.AnswerHit), f(r.EvidenceHit), f(r.RecallAt1), f(r.RecallAt5), f(r.NotFoundCorrect), f(r.FalseNotFound), r.P50ms, r.P95ms)
}

// writeResults writes one JSON line per question outcome to path.
func writeResults(path string, rs []eval.Result) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("write results: %w", err)
	}
	w := bufio.NewWriter(f)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for _, r := range rs {
		if err := enc.Encode(r); err != nil {
			f.Close()
			return fmt.Errorf("write results: %w", err)
		}
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("write results: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write results: %w", err)
	}
	return nil
}
