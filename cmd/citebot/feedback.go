package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"citebot/bot/feedback"
	"citebot/rag"
	"citebot/rag/eval"
	"citebot/rag/textutil"
)

// runFeedback summarises the votes of feedback.jsonl in the data
// directory (or --file): counts by vote and answer mode, and the answers
// with the most 👎. With --export-qa it writes the 👎 questions as an
// evaluation question set instead.
func runFeedback(_ context.Context, e *env, args []string) error {
	var (
		file, export string
		top          int
	)
	c, err := parse(e, "feedback", "[--file FILE] [--export-qa FILE.jsonl] [flags]\n\nSummarise the 👍/👎 votes the Discord bot recorded in feedback.jsonl in the data directory.", args, func(fs *flag.FlagSet) {
		fs.StringVar(&file, "file", "", "feedback file to read (default: feedback.jsonl in the data directory)")
		fs.StringVar(&export, "export-qa", "", "write the 👎 questions to `FILE` as an eval question set (empty expectations to fill in)")
		fs.IntVar(&top, "top", 10, "how many of the most 👎 answers to list")
	})
	if err != nil {
		return err
	}
	if len(c.args) > 0 {
		return fmt.Errorf("%w: feedback takes no arguments (got %q)", errUsage, c.args[0])
	}
	if top < 0 {
		return fmt.Errorf("%w: feedback: --top %d: use 0 (none) or more", errUsage, top)
	}
	if file == "" {
		file = filepath.Join(c.cfg.DataDir, feedback.File)
	}
	f, err := os.Open(file)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("no feedback yet: %s does not exist (serve writes it when someone votes on an answer)", file)
	}
	if err != nil {
		return fmt.Errorf("open feedback: %w", err)
	}
	recs, warns, err := feedback.Read(f, file)
	f.Close()
	if err != nil {
		return err
	}
	for _, w := range warns {
		c.log.Warn("skipped a feedback line", "problem", w.Error())
	}
	if export != "" {
		n, err := exportQA(export, recs)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "wrote %d 👎 questions to %s; fill in their expectations (answer, must_include, evidence, kind), then run citebot eval --qa %s\n", n, export, export)
		return nil
	}
	summarizeFeedback(e.stdout, file, recs, top)
	return nil
}

// answerVotes are the latest votes on one answer.
type answerVotes struct {
	rec      feedback.Record // the latest record, for the question and answer
	up, down int
}

// tally groups the latest votes (a changed vote counts once, as the new
// vote) by answer, in order of first vote.
func tally(recs []feedback.Record) []*answerVotes {
	var order []*answerVotes
	by := map[string]*answerVotes{}
	for _, r := range feedback.Latest(recs) {
		a := by[r.AnswerID]
		if a == nil {
			a = &answerVotes{}
			by[r.AnswerID] = a
			order = append(order, a)
		}
		a.rec = r
		if r.Vote == feedback.Up {
			a.up++
		} else {
			a.down++
		}
	}
	return order
}

// summarizeFeedback prints counts by mode and vote, then the answers with
// the most 👎.
func summarizeFeedback(w io.Writer, name string, recs []feedback.Record, top int) {
	latest := feedback.Latest(recs)
	answers := tally(recs)
	fmt.Fprintf(w, "%s: %d votes on %d answers", name, len(latest), len(answers))
	if changed := len(recs) - len(latest); changed > 0 {
		fmt.Fprintf(w, " (%d changed votes counted once, as the new vote)", changed)
	}
	fmt.Fprintln(w)
	if len(latest) == 0 {
		return
	}
	type counts struct{ up, down int }
	byMode := map[string]*counts{}
	var total counts
	for _, r := range latest {
		m := cmp.Or(r.Mode, "unknown")
		if byMode[m] == nil {
			byMode[m] = &counts{}
		}
		if r.Vote == feedback.Up {
			byMode[m].up++
			total.up++
		} else {
			byMode[m].down++
			total.down++
		}
	}
	modes := make([]string, 0, len(byMode))
	for m := range byMode {
		modes = append(modes, m)
	}
	slices.Sort(modes)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "\nmode\t👍\t👎\t")
	for _, m := range modes {
		fmt.Fprintf(tw, "%s\t%d\t%d\t\n", m, byMode[m].up, byMode[m].down)
	}
	fmt.Fprintf(tw, "total\t%d\t%d\t\n", total.up, total.down)
	tw.Flush()

	var bad []*answerVotes
	for _, a := range answers {
		if a.down > 0 {
			bad = append(bad, a)
		}
	}
	if len(bad) == 0 {
		return
	}
	slices.SortStableFunc(bad, func(x, y *answerVotes) int {
		if c := cmp.Compare(y.down, x.down); c != 0 {
			return c
		}
		return cmp.Compare(x.up, y.up)
	})
	fmt.Fprintf(w, "\nMost 👎 answers (%d with any):\n", len(bad))
	for _, a := range bad[:min(len(bad), max(top, 0))] {
		r := a.rec
		q := textutil.Shorten(textutil.OneLine(cmp.Or(r.Resolved, r.Question)), 120)
		fmt.Fprintf(w, "  %d 👎 %d 👍  %s  %s, asked as of %s\n", a.down, a.up, r.AnswerID, cmp.Or(r.Mode, "unknown"), cmp.Or(r.AsOf, r.Time.Format(time.DateOnly)))
		fmt.Fprintf(w, "      Q: %s\n", q)
		answer := "(not found)"
		if !r.NotFound {
			answer = textutil.Shorten(textutil.OneLine(r.Answer), 160)
		}
		fmt.Fprintf(w, "      A: %s\n", answer)
		if len(r.Articles) > 0 {
			fmt.Fprintf(w, "      cited: %s\n", strings.Join(r.Articles, ", "))
		}
	}
}

// exportQA writes one eval question for every answer with a latest 👎
// (the same question once): its stand-alone form for a follow-up, as of
// the day it was asked, with empty expectations for the owner to fill in.
// It returns how many it wrote.
func exportQA(path string, recs []feedback.Record) (int, error) {
	var qs []eval.Question
	seen := map[string]bool{}
	for _, a := range tally(recs) {
		if a.down == 0 {
			continue
		}
		r := a.rec
		text := strings.TrimSpace(cmp.Or(r.Resolved, r.Question))
		key := strings.ToLower(text) + "\x00" + r.AsOf
		if text == "" || seen[key] {
			continue
		}
		seen[key] = true
		qs = append(qs, eval.Question{
			ID: "feedback-" + r.AnswerID, Question: text, MustInclude: [][]string{}, Evidence: []string{},
			AsOf: cmp.Or(r.AsOf, r.Time.UTC().Format(time.DateOnly)),
		})
	}
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	for _, q := range qs {
		if err := enc.Encode(q); err != nil {
			return 0, fmt.Errorf("export: %w", err)
		}
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		return 0, fmt.Errorf("export: %w", err)
	}
	return len(qs), nil
}

// measuredFeedback counts votes in /metrics as they are recorded:
// citebot_feedback_votes{mode,vote} holds the votes since start (a changed
// vote moves from one to the other) and
// citebot_feedback_write_errors_total the votes that could not be written.
type measuredFeedback struct {
	next   feedback.Sink
	votes  *prometheus.GaugeVec
	failed prometheus.Counter
}

var _ feedback.Sink = (*measuredFeedback)(nil)

// measureFeedback wraps a feedback sink with the feedback metrics,
// registered on m (call it once per metrics).
func (m *metrics) measureFeedback(next feedback.Sink) feedback.Sink {
	mf := &measuredFeedback{next: next,
		votes: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "citebot_feedback_votes",
			Help: "👍/👎 votes on answers since start, by answer mode (extractive, llm, unknown: an answer no longer remembered) and vote (up, down); a changed vote moves from one to the other.",
		}, []string{"mode", "vote"}),
		failed: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "citebot_feedback_write_errors_total",
			Help: "Votes that could not be written to feedback.jsonl (a full disk, an unwritable file); answering goes on.",
		}),
	}
	m.reg.MustRegister(mf.votes, mf.failed)
	for _, mode := range []string{rag.ModeExtractive, rag.ModeLLM} {
		for _, v := range []string{feedback.Up, feedback.Down} {
			mf.votes.WithLabelValues(mode, v)
		}
	}
	return mf
}

// Record passes the vote on and counts it.
func (mf *measuredFeedback) Record(ctx context.Context, f feedback.Vote) error {
	err := mf.next.Record(ctx, f)
	if err != nil {
		mf.failed.Inc()
	}
	mode := cmp.Or(f.Mode, "unknown")
	if f.Previous != "" && f.Previous != f.Vote {
		mf.votes.WithLabelValues(mode, f.Previous).Dec()
	}
	mf.votes.WithLabelValues(mode, f.Vote).Inc()
	return err
}
