// Package eval measures answer and retrieval quality on a question set in
// the JSONL format of the shared evaluation data:
//
//	{"id": "...", "question": "...", "answer": "...", "must_include": [["a", "b"], ["c"]],
//	 "evidence": ["article id"], "kind": "fact|temporal|multi|negative|unanswerable|adversarial",
//	 "as_of": "YYYY-MM-DD"}
//
// A line may instead hold a conversation, whose turns are asked in order,
// each with the earlier turns as history:
//
//	{"id": "...", "as_of": "YYYY-MM-DD", "turns": [{"question": "...", ...expectations, "kind": "followup"}, ...]}
//
// A turn with a kind is scored like a single question; a turn without one
// is context only. Kind "chitchat" is correct when the answer has no text
// and no citation.
package eval

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"time"

	"citebot/rag"
	"citebot/rag/jsonl"
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
	// Turns, when set, makes the line a conversation: its turns are asked
	// in order in one conversation, with AsOf applying to every turn, and
	// Question is empty. A turn's ID is "ID/n", n counting from 1.
	Turns []Question `json:"turns,omitempty"`
}

// KindChitchat is the kind of a conversation turn that asks nothing
// ("thanks!"): it is correct when answered with no text and no citation.
const KindChitchat = "chitchat"

// IsConversation reports whether q is a conversation line.
func (q Question) IsConversation() bool { return len(q.Turns) > 0 }

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
	return jsonl.Read(r, name, checkQuestion)
}

// checkQuestion gives a question line without an id its line number as
// id and its turns theirs, or says what is wrong with it.
func checkQuestion(line int, q *Question) error {
	if q.ID == "" {
		q.ID = fmt.Sprintf("line%d", line)
	}
	if q.Turns == nil {
		if strings.TrimSpace(q.Question) == "" {
			return errors.New(`missing "question"`)
		}
		return nil
	}
	if w := checkConversation(*q); w != "" {
		return errors.New(w)
	}
	for i := range q.Turns {
		q.Turns[i].ID = fmt.Sprintf("%s/%d", q.ID, i+1)
		q.Turns[i].AsOf = q.AsOf
	}
	return nil
}

// checkConversation returns what is wrong with a conversation line, or "".
func checkConversation(q Question) string {
	switch {
	case len(q.Turns) == 0:
		return `"turns" is empty`
	case q.Question != "":
		return `a line has either "question" or "turns", not both`
	}
	for i, t := range q.Turns {
		switch {
		case strings.TrimSpace(t.Question) == "":
			return fmt.Sprintf(`turn %d: missing "question"`, i+1)
		case len(t.Turns) > 0:
			return fmt.Sprintf(`turn %d: a turn cannot hold turns`, i+1)
		case t.AsOf != "":
			return fmt.Sprintf(`turn %d: "as_of" belongs on the conversation`, i+1)
		}
	}
	return ""
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

// Result is the outcome of one question or scored conversation turn.
type Result struct {
	ID       string `json:"id"`
	Kind     string `json:"kind"`
	Question string `json:"question"`
	// Resolved is the question as the answerer rewrote it from the
	// conversation (a follow-up); empty when answered as asked.
	Resolved string `json:"resolved,omitempty"`
	Expected string `json:"expected"`
	Answer   string `json:"answer"`
	NotFound bool   `json:"not_found"`
	// Cited and Retrieved are article ids: the citations, and the top five
	// distinct articles retrieved (for the resolved question, if any).
	Cited     []string `json:"cited"`
	Retrieved []string `json:"retrieved"`
	// Failures says what went wrong; empty when the question passed.
	Failures []string      `json:"failures,omitempty"`
	Latency  time.Duration `json:"-"`
}

// Report holds the figures of a run. A rate is null when no question of the
// set counts towards it. The rates are over the single questions and the
// scored conversation turns together.
type Report struct {
	// Questions counts the scored items: single questions plus
	// conversation turns with a kind.
	Questions int `json:"questions"`
	// Conversations and Turns count the conversation lines read and all
	// their turns, scored or not.
	Conversations int `json:"conversations,omitempty"`
	Turns         int `json:"turns,omitempty"`
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
	// ChitchatCorrect: share of chitchat turns left unanswered (no text,
	// no citation); null without such turns.
	ChitchatCorrect *float64 `json:"chitchat_correct,omitempty"`
	// FollowUpAnswerHit is AnswerHit over the scored turns that follow
	// another turn of their conversation (not a first turn); null without
	// such turns.
	FollowUpAnswerHit *float64 `json:"followup_answer_hit,omitempty"`
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
	// Progress, if set, is called after each line (question or
	// conversation).
	Progress func(done, total int)
}

// tally accumulates the counts of a run.
type tally struct {
	lat                                   []float64
	hit, hitN, ev, evN, r1, r5, nfc, nfcN int
	fnf, answerable, chat, chatN          int
	fhit, fhitN                           int
}

// retrievedArticles is how many distinct articles a question's retrieval
// is scored on: recall@5 asks whether evidence is among the five best, as
// many as an answer usually cites from.
const retrievedArticles = 5

// rateDecimals is how many decimals a rate keeps: enough to tell one
// question in a set of a thousand.
const rateDecimals = 4

// Run answers every question and scores the answers and the retrieval. A
// conversation's turns are asked in order, each with the earlier turns
// (questions and answers) as [rag.Query.History]; its turns with a kind
// are scored.
func Run(ctx context.Context, a Answerer, r Retriever, qs []Question, opts Options) (Report, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	rn := &run{a: a, r: r, opts: opts, rep: Report{Counts: map[string]int{}}}
	for i, q := range qs {
		if err := ctx.Err(); err != nil {
			return rn.rep, err
		}
		var err error
		if q.IsConversation() {
			err = rn.conversation(ctx, q)
		} else {
			err = rn.single(ctx, q)
		}
		if err != nil {
			return rn.rep, err
		}
		if opts.Progress != nil {
			opts.Progress(i+1, len(qs))
		}
	}
	rn.t.fill(&rn.rep)
	return rn.rep, nil
}

// run is the state of one [Run].
type run struct {
	a    Answerer
	r    Retriever
	opts Options
	t    tally
	rep  Report
}

// single asks and scores a question asked on its own.
func (rn *run) single(ctx context.Context, q Question) error {
	res, _, err := rn.ask(ctx, q, nil, true)
	if err != nil {
		return err
	}
	rn.rep.Questions++
	rn.rep.Results = append(rn.rep.Results, res)
	return nil
}

// conversation asks a conversation's turns in order, each with the
// earlier ones as history, and scores the turns with a kind.
func (rn *run) conversation(ctx context.Context, q Question) error {
	rn.rep.Conversations++
	var history []rag.Turn
	for _, turn := range q.Turns {
		scored := turn.Kind != ""
		res, ans, err := rn.ask(ctx, turn, history, scored)
		if err != nil {
			return err
		}
		rn.rep.Turns++
		history = append(history, rag.Turn{Question: turn.Question, Answer: ans})
		if scored {
			rn.rep.Questions++
			rn.rep.Results = append(rn.rep.Results, res)
		}
	}
	return nil
}

// fill writes the rates, latencies and denominators of t into rep.
func (t *tally) fill(rep *Report) {
	rate := func(n, d int) *float64 {
		if d == 0 {
			return nil
		}
		scale := math.Pow10(rateDecimals)
		v := math.Round(float64(n)/float64(d)*scale) / scale
		return &v
	}
	rep.AnswerHit = rate(t.hit, t.hitN)
	rep.EvidenceHit = rate(t.ev, t.evN)
	rep.RecallAt1 = rate(t.r1, t.evN)
	rep.RecallAt5 = rate(t.r5, t.evN)
	rep.NotFoundCorrect = rate(t.nfc, t.nfcN)
	rep.FalseNotFound = rate(t.fnf, t.answerable)
	rep.ChitchatCorrect = rate(t.chat, t.chatN)
	rep.FollowUpAnswerHit = rate(t.fhit, t.fhitN)
	rep.P50ms = percentile(t.lat, 0.50)
	rep.P95ms = percentile(t.lat, 0.95)
	rep.Counts = map[string]int{"with_must_include": t.hitN, "with_evidence": t.evN, "expect_not_found": t.nfcN}
	if t.chatN > 0 {
		rep.Counts["chitchat"] = t.chatN
	}
	if t.fhitN > 0 {
		rep.Counts["followup_with_must_include"] = t.fhitN
	}
}

// ask answers one question (a single one, or a conversation turn with its
// history) and, when scored, adds its scores to the tally. The error is
// non-nil only when ctx ends.
func (rn *run) ask(ctx context.Context, q Question, history []rag.Turn, scored bool) (Result, rag.Answer, error) {
	res := Result{ID: q.ID, Kind: q.Kind, Question: q.Question, Expected: q.Answer}
	asOf := rn.asOf(q, &res)
	start := time.Now()
	ans, err := rn.a.Answer(ctx, rag.Query{Question: q.Question, AsOf: asOf, K: rn.opts.K, History: history})
	res.Latency = time.Since(start)
	if err != nil {
		if ctx.Err() != nil {
			return res, ans, ctx.Err()
		}
		if scored {
			rn.rep.Errors++
		}
		res.Failures = append(res.Failures, "error: "+err.Error())
		// A refused question (empty, too long) is a not-found answer.
		ans = rag.Answer{NotFound: errors.Is(err, rag.ErrEmptyQuestion) || errors.Is(err, rag.ErrQuestionTooLong)}
	}
	if !scored {
		return res, ans, nil
	}
	t := &rn.t
	t.lat = append(t.lat, float64(res.Latency.Microseconds())/1000)
	res.Resolved = ans.Resolved
	res.Answer, res.NotFound = ans.Text, ans.NotFound
	for _, c := range ans.Citations {
		res.Cited = append(res.Cited, c.ArticleID)
	}
	res.Retrieved = rn.retrieved(ctx, cmp.Or(ans.Resolved, q.Question), asOf)
	followUp := len(history) > 0
	t.scoreChitchat(q, ans, &res)
	t.scoreMustInclude(q, ans, followUp, &res)
	t.scoreEvidence(q, ans, &res)
	t.scoreNotFound(q, ans, &res)
	return res, ans, nil
}

// asOf returns the question's as_of date, or today; a bad as_of is a
// failure of res.
func (rn *run) asOf(q Question, res *Result) time.Time {
	if q.AsOf != "" {
		d, err := time.Parse("2006-01-02", q.AsOf)
		if err != nil {
			res.Failures = append(res.Failures, fmt.Sprintf("bad as_of %q", q.AsOf))
		} else if !d.IsZero() {
			return d
		}
	}
	return rag.Today(rn.opts.Now())
}

// retrieved returns the ids of the best distinct articles retrieval finds
// for the question searched (the resolved one for a follow-up); none when
// the search fails.
func (rn *run) retrieved(ctx context.Context, searched string, asOf time.Time) []string {
	ps, err := rn.r.Search(ctx, searched, rag.SearchOptions{K: retrievedArticles, PerArticle: 1, Before: asOf})
	if err != nil {
		return nil
	}
	var ids []string
	for _, p := range ps {
		if len(ids) < retrievedArticles && !slices.Contains(ids, p.ArticleID) {
			ids = append(ids, p.ArticleID)
		}
	}
	return ids
}

// scoreChitchat scores a chitchat question: it must get no answer and no
// citation.
func (t *tally) scoreChitchat(q Question, ans rag.Answer, res *Result) {
	if q.Kind != KindChitchat {
		return
	}
	t.chatN++
	if strings.TrimSpace(ans.Text) == "" && len(ans.Citations) == 0 {
		t.chat++
	} else {
		res.Failures = append(res.Failures, "chitchat should get no answer and no citation")
	}
}

// scoreMustInclude scores an answerable question's must_include groups:
// the answer must contain one alternative of each.
func (t *tally) scoreMustInclude(q Question, ans rag.Answer, followUp bool, res *Result) {
	if len(q.MustInclude) == 0 || q.ExpectsNotFound() {
		return
	}
	t.hitN++
	if followUp {
		t.fhitN++
	}
	if missing := missingGroups(ans.Text, q.MustInclude); len(missing) == 0 && !ans.NotFound {
		t.hit++
		if followUp {
			t.fhit++
		}
	} else {
		res.Failures = append(res.Failures, fmt.Sprintf("answer lacks %s", strings.Join(missing, "; ")))
	}
}

// scoreEvidence scores a question with evidence articles: the answer must
// cite one, retrieval must find one (first, for recall@1; among
// res.Retrieved, for recall@5), and the answer must not be "not found".
func (t *tally) scoreEvidence(q Question, ans rag.Answer, res *Result) {
	if len(q.Evidence) == 0 {
		return
	}
	t.evN++
	t.answerable++
	if intersects(res.Cited, q.Evidence) {
		t.ev++
	} else {
		res.Failures = append(res.Failures, fmt.Sprintf("cites %v, not evidence %v", res.Cited, q.Evidence))
	}
	if len(res.Retrieved) > 0 && slices.Contains(q.Evidence, res.Retrieved[0]) {
		t.r1++
	}
	if intersects(res.Retrieved, q.Evidence) {
		t.r5++
	} else {
		res.Failures = append(res.Failures, fmt.Sprintf("evidence not in top %d retrieved %v", retrievedArticles, res.Retrieved))
	}
	if ans.NotFound {
		t.fnf++
		res.Failures = append(res.Failures, "answered not found")
	}
}

// scoreNotFound scores a question the corpus does not answer: it must be
// answered "not found", citing nothing.
func (t *tally) scoreNotFound(q Question, ans rag.Answer, res *Result) {
	if !q.ExpectsNotFound() {
		return
	}
	t.nfcN++
	if ans.NotFound && len(ans.Citations) == 0 {
		t.nfc++
	} else {
		res.Failures = append(res.Failures, "should be not found")
	}
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
