// Package eval measures answer and retrieval quality on a question set in
// the JSONL format of the shared evaluation data:
//
//	{"id": "...", "question": "...", "answer": "...", "must_include": [["a", "b"], ["c"]],
//	 "evidence": ["article id"], "kind": "fact|temporal|multi|negative|unanswerable|adversarial",
//	 "as_of": "YYYY-MM-DD"}
package eval

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"time"

	"citebot/rag"
)

// Question is one line of a question set.
type Question struct {
	ID       string `json:"id"`
	Question string `json:"question"`
	// Answer is the reference answer, for people reading failures.
	Answer string `json:"answer"`
	// MustInclude holds groups of alternatives; an answer passes when it
	// contains (case-insensitively) one alternative of every group.
	MustInclude [][]string `json:"must_include"`
	// Evidence lists the ids of the articles that hold the answer.
	Evidence []string `json:"evidence"`
	Kind     string   `json:"kind"`
	// AsOf is the date the question is asked on (YYYY-MM-DD); empty: today.
	AsOf string `json:"as_of"`
}

// ExpectsNotFound reports whether the right answer is "the corpus doesn't say".
func (q Question) ExpectsNotFound() bool {
	switch q.Kind {
	case "negative", "unanswerable", "adversarial":
		return true
	}
	return false
}

// LoadQuestions reads a question set. Invalid lines are returned as
// warnings naming the line; err is non-nil only when r fails.
func LoadQuestions(r io.Reader, name string) (qs []Question, warnings []error, err error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 1<<16), 16<<20)
	for line := 1; sc.Scan(); line++ {
		b := sc.Bytes()
		if len(strings.TrimSpace(string(b))) == 0 {
			continue
		}
		var q Question
		if err := json.Unmarshal(b, &q); err != nil {
			warnings = append(warnings, fmt.Errorf("%s:%d: invalid JSON: %w", name, line, err))
			continue
		}
		if strings.TrimSpace(q.Question) == "" {
			warnings = append(warnings, fmt.Errorf("%s:%d: missing \"question\"", name, line))
			continue
		}
		if q.ID == "" {
			q.ID = fmt.Sprintf("line%d", line)
		}
		qs = append(qs, q)
	}
	if err := sc.Err(); err != nil {
		return qs, warnings, fmt.Errorf("read %s: %w", name, err)
	}
	return qs, warnings, nil
}

// Answerer answers questions; *rag.Extractive and the model-backed
// answerer implement it.
type Answerer interface {
	Answer(ctx context.Context, q rag.Query) (rag.Answer, error)
}

// Retriever ranks passages; *rag.Index implements it.
type Retriever interface {
	Search(ctx context.Context, query string, opts rag.SearchOptions) ([]rag.Passage, error)
}

// Result is the outcome of one question.
type Result struct {
	ID       string `json:"id"`
	Kind     string `json:"kind"`
	Question string `json:"question"`
	Expected string `json:"expected"`
	Answer   string `json:"answer"`
	NotFound bool   `json:"not_found"`
	// Cited and Retrieved are article ids: the citations, and the top five
	// distinct articles retrieved.
	Cited     []string `json:"cited"`
	Retrieved []string `json:"retrieved"`
	// Failures says what went wrong; empty when the question passed.
	Failures []string      `json:"failures,omitempty"`
	Latency  time.Duration `json:"-"`
}

// Report holds the figures of a run. A rate is null when no question of the
// set counts towards it.
type Report struct {
	Questions int `json:"questions"`
	// AnswerHit: share of questions with must_include groups whose answer
	// satisfies them all.
	AnswerHit *float64 `json:"answer_hit"`
	// EvidenceHit: share of questions with evidence whose answer cites an
	// evidence article.
	EvidenceHit *float64 `json:"evidence_hit"`
	// RecallAt1 and RecallAt5: share of questions with evidence that have
	// an evidence article first, or among the top five retrieved articles.
	RecallAt1 *float64 `json:"retrieval_recall_at_1"`
	RecallAt5 *float64 `json:"retrieval_recall_at_5"`
	// NotFoundCorrect: share of negative, unanswerable and adversarial
	// questions answered "not found".
	NotFoundCorrect *float64 `json:"not_found_correct"`
	// FalseNotFound: share of answerable questions (with evidence) answered
	// "not found".
	FalseNotFound *float64 `json:"false_not_found"`
	// P50ms and P95ms are answer latencies in milliseconds.
	P50ms float64 `json:"p50_ms"`
	P95ms float64 `json:"p95_ms"`
	// Errors counts questions whose answering failed outright.
	Errors int `json:"errors"`
	// Counts are the denominators of the rates above.
	Counts  map[string]int `json:"counts"`
	Results []Result       `json:"-"`
}

// Options tunes [Run].
type Options struct {
	// Now is "today" for questions without as_of. Default time.Now.
	Now func() time.Time
	// K is passed to the answerer. Default 5.
	K int
	// Progress, if set, is called after each question.
	Progress func(done, total int)
}

// Run answers every question and scores the answers and the retrieval.
func Run(ctx context.Context, a Answerer, r Retriever, qs []Question, opts Options) (Report, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	rep := Report{Questions: len(qs), Counts: map[string]int{}}
	var (
		lat                                   []float64
		hit, hitN, ev, evN, r1, r5, nfc, nfcN int
		fnf, answerable                       int
	)
	for i, q := range qs {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		res := Result{ID: q.ID, Kind: q.Kind, Question: q.Question, Expected: q.Answer}
		asOf := time.Time{}
		if q.AsOf != "" {
			t, err := time.Parse("2006-01-02", q.AsOf)
			if err != nil {
				res.Failures = append(res.Failures, fmt.Sprintf("bad as_of %q", q.AsOf))
			}
			asOf = t
		}
		if asOf.IsZero() {
			now := opts.Now().UTC()
			asOf = time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
		}
		start := time.Now()
		ans, err := a.Answer(ctx, rag.Query{Question: q.Question, AsOf: asOf, K: opts.K})
		res.Latency = time.Since(start)
		lat = append(lat, float64(res.Latency.Microseconds())/1000)
		if err != nil {
			if ctx.Err() != nil {
				return rep, ctx.Err()
			}
			rep.Errors++
			res.Failures = append(res.Failures, "error: "+err.Error())
			// A refused question (empty, too long) is a not-found answer.
			ans = rag.Answer{NotFound: errors.Is(err, rag.ErrEmptyQuestion) || errors.Is(err, rag.ErrQuestionTooLong)}
		}
		res.Answer, res.NotFound = ans.Text, ans.NotFound
		for _, c := range ans.Citations {
			res.Cited = append(res.Cited, c.ArticleID)
		}
		if ps, err := r.Search(ctx, q.Question, rag.SearchOptions{K: 5, PerArticle: 1, Before: asOf}); err == nil {
			for _, p := range ps {
				if len(res.Retrieved) < 5 && !slices.Contains(res.Retrieved, p.ArticleID) {
					res.Retrieved = append(res.Retrieved, p.ArticleID)
				}
			}
		}

		if len(q.MustInclude) > 0 && !q.ExpectsNotFound() {
			hitN++
			if missing := missingGroups(ans.Text, q.MustInclude); len(missing) == 0 && !ans.NotFound {
				hit++
			} else {
				res.Failures = append(res.Failures, fmt.Sprintf("answer lacks %s", strings.Join(missing, "; ")))
			}
		}
		if len(q.Evidence) > 0 {
			evN++
			answerable++
			if intersects(res.Cited, q.Evidence) {
				ev++
			} else {
				res.Failures = append(res.Failures, fmt.Sprintf("cites %v, not evidence %v", res.Cited, q.Evidence))
			}
			if len(res.Retrieved) > 0 && slices.Contains(q.Evidence, res.Retrieved[0]) {
				r1++
			}
			if intersects(res.Retrieved, q.Evidence) {
				r5++
			} else {
				res.Failures = append(res.Failures, fmt.Sprintf("evidence not in top 5 retrieved %v", res.Retrieved))
			}
			if ans.NotFound {
				fnf++
				res.Failures = append(res.Failures, "answered not found")
			}
		}
		if q.ExpectsNotFound() {
			nfcN++
			if ans.NotFound && len(ans.Citations) == 0 {
				nfc++
			} else {
				res.Failures = append(res.Failures, "should be not found")
			}
		}
		rep.Results = append(rep.Results, res)
		if opts.Progress != nil {
			opts.Progress(i+1, len(qs))
		}
	}
	rate := func(n, d int) *float64 {
		if d == 0 {
			return nil
		}
		v := math.Round(float64(n)/float64(d)*10000) / 10000
		return &v
	}
	rep.AnswerHit = rate(hit, hitN)
	rep.EvidenceHit = rate(ev, evN)
	rep.RecallAt1 = rate(r1, evN)
	rep.RecallAt5 = rate(r5, evN)
	rep.NotFoundCorrect = rate(nfc, nfcN)
	rep.FalseNotFound = rate(fnf, answerable)
	rep.P50ms = percentile(lat, 0.50)
	rep.P95ms = percentile(lat, 0.95)
	rep.Counts = map[string]int{"with_must_include": hitN, "with_evidence": evN, "expect_not_found": nfcN}
	return rep, nil
}

// quotes folds typographic quotation marks and apostrophes to their
// ASCII forms, so that "People’s" in an article matches "People's" in a
// question set.
var quotes = strings.NewReplacer("’", "'", "‘", "'", "“", `"`, "”", `"`)

// missingGroups returns the must_include groups (as "a|b") that text lacks.
// Markdown emphasis in text ("**90 minutes**") does not count, nor the
// difference between typographic and ASCII quotation marks.
func missingGroups(text string, groups [][]string) []string {
	low := quotes.Replace(strings.ToLower(strings.ReplaceAll(text, "**", "")))
	var missing []string
	for _, g := range groups {
		ok := false
		for _, alt := range g {
			if strings.Contains(low, quotes.Replace(strings.ToLower(alt))) {
				ok = true
				break
			}
		}
		if !ok {
			missing = append(missing, strings.Join(g, "|"))
		}
	}
	return missing
}

func intersects(a, b []string) bool {
	for _, x := range a {
		if slices.Contains(b, x) {
			return true
		}
	}
	return false
}

// percentile returns the p-quantile of xs (nearest rank), rounded to 0.01.
func percentile(xs []float64, p float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	i := int(math.Ceil(p*float64(len(s)))) - 1
	i = max(0, min(i, len(s)-1))
	return math.Round(s[i]*100) / 100
}
