package rag

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"citebot/rag/internal/analysis"
	"citebot/rag/internal/extract"
	"citebot/rag/internal/followup"
	"citebot/rag/internal/qa"
	"citebot/rag/textutil"
)

// ChatModel generates the reply to a prompt. It is the provider-neutral
// side of the model-backed path: rag/openai.Chat implements it for any
// OpenAI-compatible server.
type ChatModel interface {
	// Name identifies the model for logs, e.g. "gpt-4o-mini@api.openai.com".
	Name() string
	// Complete returns the reply to p. When onDelta is not nil the reply is
	// streamed: onDelta receives its fragments in order, from one
	// goroutine, before Complete returns.
	Complete(ctx context.Context, p Prompt, onDelta func(fragment string)) (Completion, error)
}

// Completion is a chat model's reply.
type Completion struct {
	// Text is the reply.
	Text string
	// Finish is why the model stopped: "stop", "length" (cut off at the
	// length limit), "content_filter"; empty when unknown.
	Finish string
}

// ModelError is a request to a model server that failed after any
// retries; a [ChatModel] or [Embedder] talking to a server (package
// rag/openai) returns it, and the answerer shows its Reason. Its message
// never contains the API key or an HTML error page.
type ModelError struct {
	// Op is what was asked: "embeddings" or "chat".
	Op string
	// Reason is a short phrase for users: "timeout", "rate limited: 429
	// Too Many Requests", "server error: 502 Bad Gateway", "unreachable",
	// "rejected: 401 Unauthorized", "interrupted", "bad response".
	Reason string
	// StatusCode is the HTTP status, 0 when there was no response.
	StatusCode int
	// Detail is the server's error message, shortened; may be empty.
	Detail string
	// Err is the underlying error.
	Err error
}

// Error returns "model server <op>: <reason>[: <detail>]".
func (e *ModelError) Error() string {
	s := fmt.Sprintf("model server %s: %s", e.Op, e.Reason)
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	return s
}

// Unwrap returns the underlying error.
func (e *ModelError) Unwrap() error { return e.Err }

// MaxQuoteChars bounds a citation's quote from a model-backed answer, in
// characters; it is cut at sentence boundaries.
const MaxQuoteChars = 500

// uncitedMark is inserted before the final punctuation of a sentence of a
// model's answer that cites no passage that was given.
const uncitedMark = " (uncited)"

// LLMAnswerer answers with a chat model, grounded and verified:
//
//  1. It retrieves the same passages as the extractive answerer
//     ([Extractive.Retrieve]: as-of filtering, recency) and numbers them in
//     the prompt ([BuildPrompt]).
//  2. It asks the model, streaming to [Query.OnDelta] when set. The
//     fragments are passed on with the markers already renumbered as in
//     step 3 (unknown ones dropped) and without a leading <think> block or
//     a NOT FOUND reply, so that the streamed text usually equals the final
//     one; it is still unverified ("(uncited)" marks need whole sentences).
//  3. It verifies the reply: a marker [n] must name a passage that was
//     given; unknown markers are removed, and a sentence left without a
//     valid marker is marked "(uncited)" (statements that the passages are
//     silent, and lead-ins ending in ":", are not). Valid markers are
//     renumbered 1..m by article in order of first use, and each article
//     becomes one [Citation] whose quote is the best-matching sentences of
//     the cited passages (at most [MaxQuoteChars]).
//  4. A reply of "NOT FOUND" becomes a not-found answer without citations.
//
// In a conversation ([Query.History]) a follow-up is first resolved as the
// extractive answerer resolves it, and retrieval uses the resolved
// question; the earlier turns, bounded by [HistoryTokenBudget], go into
// the prompt ([BuildConversationPrompt]) as context, and citations are
// verified against this turn's passages only. A message that asks nothing
// ([Chitchat]) gets an empty answer without calling the model.
//
// It never presents an ungrounded reply as grounded: a reply with no valid
// citation, a model error, a timeout or a broken stream gives the
// extractive answer ([Extractive.Compose] over the same passages) with
// Mode "extractive" and a Note saying why. Only a bad question or the
// caller's cancellation is an error.
type LLMAnswerer struct {
	ex   *Extractive
	chat ChatModel
	log  *slog.Logger
}

// NewLLMAnswerer returns a model-backed answerer over ix. log receives
// fallbacks and verification problems (nil: discard).
func NewLLMAnswerer(ix *Index, chat ChatModel, log *slog.Logger) *LLMAnswerer {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &LLMAnswerer{ex: NewExtractive(ix), chat: chat, log: log}
}

// Extractive returns the answerer used for retrieval and fallback, e.g. to
// set its clock.
func (a *LLMAnswerer) Extractive() *Extractive { return a.ex }

// Answer answers q; see [LLMAnswerer].
func (a *LLMAnswerer) Answer(ctx context.Context, q Query) (Answer, error) {
	fu := followup.New(a.ex.x).Resolve(q) // see package followup
	if fu.Chitchat {
		return followup.ChitchatAnswer(ModeLLM), nil
	}
	asked := q.Question
	q.Question = fu.Question // retrieval uses the resolved question
	ans, err := a.answer(ctx, q, asked, fu.Resolved)
	if err != nil {
		return Answer{}, err
	}
	return fu.WithResolved(ans), nil
}

// answer answers q (its question resolved) with the model; asked is the
// question as the user wrote it, for the prompt of a conversation.
func (a *LLMAnswerer) answer(ctx context.Context, q Query, asked, resolved string) (Answer, error) {
	r, err := a.ex.x.Retrieve(ctx, q)
	if err != nil {
		return Answer{}, err
	}
	question, passages, asOf := r.Question, r.Passages, r.AsOf
	if len(passages) == 0 {
		ans := a.ex.x.Compose(r) // not found, saying what the corpus covers
		ans.Mode = ModeLLM
		return ans, nil
	}
	start := time.Now()
	var onDelta func(string)
	var rw *streamRewriter
	if q.OnDelta != nil {
		rw = newStreamRewriter(passages, q.OnDelta)
		onDelta = rw.write
	}
	prompt := BuildPrompt(question, asOf, passages)
	if len(q.History) > 0 {
		if askedQ, err := NormalizeQuestion(asked); err == nil {
			prompt = BuildConversationPrompt(askedQ, resolved, q.History, asOf, passages)
		}
	}
	comp, err := a.chat.Complete(ctx, prompt, onDelta)
	if rw != nil {
		rw.flush()
	}
	if err != nil {
		if errors.Is(ctx.Err(), context.Canceled) {
			return Answer{}, ctx.Err()
		}
		reason := "error"
		var me *ModelError
		switch {
		case errors.As(err, &me):
			reason = me.Reason
		case errors.Is(err, context.DeadlineExceeded):
			reason = "timeout"
		}
		a.log.Warn("language model unavailable; answering extractively", "model", a.chat.Name(), "error", err.Error())
		return a.fallback(r, fmt.Sprintf("The language model was unavailable (%s); this is the extractive answer.", reason)), nil
	}
	a.log.Debug("model replied", "model", a.chat.Name(), "finish", comp.Finish, "took", time.Since(start).Round(time.Millisecond))
	if comp.Finish == "content_filter" {
		return a.fallback(r, "The language model declined to answer (content filter); this is the extractive answer."), nil
	}
	v := verifyCitations(stripThinking(comp.Text), len(passages))
	switch {
	case v.notFound:
		ans := a.ex.x.Compose(extract.Retrieval{Question: question, Read: r.Read, AsOf: asOf})
		ans.Mode = ModeLLM
		return ans, nil
	case len(v.order) == 0:
		a.log.Warn("the model's answer cites no passage that was given; answering extractively", "model", a.chat.Name(), "markers_removed", v.removed)
		return a.fallback(r, "The language model's answer cited none of the passages, so it is not shown; this is the extractive answer."), nil
	}
	if v.removed > 0 || v.uncited > 0 {
		a.log.Debug("removed invalid citations from the model's answer", "model", a.chat.Name(), "markers_removed", v.removed, "sentences_uncited", v.uncited)
	}
	text, cites := a.citations(v, passages)
	ans := Answer{Question: question, Text: text, Mode: ModeLLM, Citations: cites}
	var notes []string
	if v.uncited > 0 {
		notes = append(notes, fmt.Sprintf("%s of the model's answer %s no passage and %s marked (uncited).",
			textutil.Plural(v.uncited, "sentence"), pick(v.uncited == 1, "cites", "cite"), pick(v.uncited == 1, "is", "are")))
	}
	if comp.Finish == "length" {
		notes = append(notes, "The model's answer was cut off at its length limit.")
	}
	ans.Note = strings.Join(notes, " ")
	return ans, nil
}

func pick(c bool, a, b string) string {
	if c {
		return a
	}
	return b
}

// fallback is the extractive answer to the same passages, with a note.
func (a *LLMAnswerer) fallback(r extract.Retrieval, note string) Answer {
	ans := a.ex.x.Compose(r)
	ans.Mode = ModeExtractive
	ans.Note = note
	return ans
}

// thinkRE matches the reasoning some local models emit before the answer.
var thinkRE = regexp.MustCompile(`(?s)^\s*<think>.*?(?:</think>|$)`)

func stripThinking(s string) string { return strings.TrimSpace(thinkRE.ReplaceAllString(s, "")) }

// silentRE matches sentences that say the passages lack something ("The
// passages do not say what they discussed", "The articles give no date"):
// statements about the evidence, not about the world, so they need no
// citation. See isSilence.
var silentRE = regexp.MustCompile(`(?i)\b(?:passages?|articles?|sources?|corpus|context)\b.*(?:\b(?:do(?:es)?\s*n[o'’]?t|did\s*n[o'’]?t|never|cannot|can't|can’t)\b.*\b(?:say|said|mention|state|specify|answer|report|give|include|contain|provide|address|tell|show|indicate)|\b(?:say|says|give|gives|mention|mentions|provide|provides|contain|contains|include|includes|offer|offers)\s+no\b|\b(?:are|is)\s+(?:silent|unclear)\b)`)

// isSilence reports whether a sentence only says the passages lack
// something: it matches silentRE, is short, and does not go on to claim
// something else ("…, but Xi resigned").
func isSilence(s string) bool {
	if !silentRE.MatchString(s) || len(strings.Fields(s)) > 30 {
		return false
	}
	l := strings.ToLower(s)
	return !strings.Contains(l, " but ") && !strings.Contains(l, "however") && !strings.Contains(l, ";")
}

// verified is a model's reply after citation checking.
type verified struct {
	text     string
	notFound bool
	// order lists the cited passages (0-based) in order of first use.
	order []int
	// claims maps a cited passage to the text of the sentences citing it.
	claims map[int][]string
	// removed counts markers naming no given passage; uncited the
	// sentences left without a valid marker.
	removed, uncited int
}

// markerMatch is a citation marker in a reply.
type markerMatch struct {
	start, end int
	nums       []int // 1-based passage numbers, valid ones only
}

// verifyCitations checks the markers of a reply against n passages and
// rewrites the text: invalid markers removed, uncited sentences marked,
// valid markers replaced by per-passage placeholders (see resolveRefs).
func verifyCitations(text string, n int) verified {
	v := verified{claims: map[int][]string{}}
	text = strings.ReplaceAll(text, "\x00", "") // placeholders are ours
	if isNotFoundReply(text) {
		v.notFound = true
		return v
	}
	r := reply{text: text, spans: replySentences(text)}
	r.marks, v.removed = findMarkers(text, n)
	r.placeMarkers()
	uncited := v.addClaims(r.citedBy(), r.claims())
	v.order = firstUse(r.marks)
	v.text = r.rewrite(uncited)
	return v
}

// reply is a model's reply under verification: its sentences and its
// citation markers.
type reply struct {
	text  string
	spans []analysis.Span // the sentences
	marks []markerMatch
	// spanOf is the sentence each marker stands in; owner the sentence it
	// cites for, which differs for a marker opening a sentence.
	spanOf, owner []int
}

// findMarkers finds the citation markers of text and keeps, in each, the
// numbers of the n passages given; removed counts the others.
func findMarkers(text string, n int) (marks []markerMatch, removed int) {
	for _, m := range qa.MarkerRE.FindAllStringSubmatchIndex(text, -1) {
		mm := markerMatch{start: m[0], end: m[1]}
		for _, num := range parseMarkerNumbers(text[m[2]:m[3]]) {
			switch {
			case num < 1 || num > n:
				removed++
			case !slices.Contains(mm.nums, num):
				mm.nums = append(mm.nums, num)
			}
		}
		marks = append(marks, mm)
	}
	return marks, removed
}

// placeMarkers sets spanOf and owner. Markers belong to the sentence they
// are in, except markers at the very start of a sentence: they close the
// one before ("… April. [1]").
func (r *reply) placeMarkers() {
	r.owner = make([]int, len(r.marks))
	r.spanOf = make([]int, len(r.marks))
	for i, m := range r.marks {
		s := 0
		for s+1 < len(r.spans) && r.spans[s+1].Start <= m.start {
			s++
		}
		r.spanOf[i] = s
		r.owner[i] = s
		if s > 0 && onlyMarkersBefore(r.text, r.spans[s].Start, m.start, r.marks) {
			r.owner[i] = s - 1
		}
	}
}

// citedBy returns, for each sentence, the valid passage numbers (1-based)
// of the markers it owns.
func (r *reply) citedBy() [][]int {
	valid := make([][]int, len(r.spans))
	for i, m := range r.marks {
		valid[r.owner[i]] = append(valid[r.owner[i]], m.nums...)
	}
	return valid
}

// claims returns each sentence's text without its markers, on one line:
// what the sentence claims.
func (r *reply) claims() []string {
	content := make([]string, len(r.spans))
	for s, sp := range r.spans {
		var b strings.Builder
		pos := sp.Start
		for i, m := range r.marks {
			if r.spanOf[i] == s {
				b.WriteString(r.text[pos:m.start])
				pos = m.end
			}
		}
		b.WriteString(r.text[pos:sp.End])
		content[s] = textutil.OneLine(b.String())
	}
	return content
}

// addClaims records each cited sentence's claim under the passages it
// cites, and returns which sentences are uncited: sentences that say
// something (letters or digits), do not introduce a list (a final ":")
// and do not say the passages are silent, yet cite no given passage.
func (v *verified) addClaims(valid [][]int, content []string) (uncited []bool) {
	uncited = make([]bool, len(content))
	for s, c := range content {
		switch {
		case len(valid[s]) > 0:
			for _, num := range valid[s] {
				v.claims[num-1] = append(v.claims[num-1], c)
			}
		case !qa.HasLetterOrDigit(c):
		case strings.HasSuffix(c, ":") || isSilence(c):
		default:
			uncited[s] = true
			v.uncited++
		}
	}
	return uncited
}

// firstUse returns the cited passages (0-based) in order of first use.
func firstUse(marks []markerMatch) []int {
	var order []int
	seen := map[int]bool{}
	for _, m := range marks {
		for _, num := range m.nums {
			if !seen[num-1] {
				seen[num-1] = true
				order = append(order, num-1)
			}
		}
	}
	return order
}

// rewrite returns the reply with valid markers turned into placeholders
// \x00<passage>\x00, which resolveRefs turns into article refs; removed
// markers take the space before them (or, at the start of a sentence,
// after them) along; uncited sentences are marked.
func (r *reply) rewrite(uncited []bool) string {
	var b strings.Builder
	pos := 0
	for s, sp := range r.spans {
		b.WriteString(r.text[pos:sp.Start])
		out := r.rewriteSentence(s)
		if uncited[s] {
			out = markUncited(out)
		}
		b.WriteString(out)
		pos = sp.End
	}
	b.WriteString(r.text[pos:])
	return strings.TrimSpace(b.String())
}

// rewriteSentence returns sentence s with its markers rewritten (see
// rewrite).
func (r *reply) rewriteSentence(s int) string {
	sp := r.spans[s]
	var seg strings.Builder
	p := sp.Start
	for i, m := range r.marks {
		if r.spanOf[i] != s {
			continue
		}
		seg.WriteString(r.text[p:m.start])
		p = m.end
		if len(m.nums) > 0 {
			for _, num := range m.nums {
				fmt.Fprintf(&seg, "\x00%d\x00", num-1)
			}
			continue
		}
		kept := strings.TrimRight(seg.String(), " \t")
		seg.Reset()
		seg.WriteString(kept)
		if kept == "" {
			for p < sp.End && (r.text[p] == ' ' || r.text[p] == '\t') {
				p++
			}
		}
	}
	seg.WriteString(r.text[p:sp.End])
	return seg.String()
}

// replySentences splits a reply into sentences; a line break also ends
// one, so that each line of a list is checked on its own.
func replySentences(text string) []analysis.Span {
	var out []analysis.Span
	off := 0
	for _, line := range strings.SplitAfter(text, "\n") {
		for _, sp := range analysis.SplitSentences(line) {
			out = append(out, analysis.Span{Start: off + sp.Start, End: off + sp.End})
		}
		off += len(line)
	}
	return out
}

// onlyMarkersBefore reports whether text[from:to] consists of markers and
// white space only.
func onlyMarkersBefore(text string, from, to int, marks []markerMatch) bool {
	pos := from
	for _, m := range marks {
		if m.start < from || m.start >= to {
			continue
		}
		if strings.TrimSpace(text[pos:m.start]) != "" {
			return false
		}
		pos = m.end
	}
	return strings.TrimSpace(text[pos:to]) == ""
}

var markerSepRE = regexp.MustCompile(`\s*(?:,|;|and)\s*`)

// parseMarkerNumbers reads "1", "1, 3", "2-4" (ranges up to 20 long).
func parseMarkerNumbers(s string) []int {
	var out []int
	for _, part := range markerSepRE.Split(s, -1) {
		part = strings.TrimSpace(part)
		if a, b, ok := strings.Cut(strings.ReplaceAll(part, "–", "-"), "-"); ok {
			x, err1 := strconv.Atoi(strings.TrimSpace(a))
			y, err2 := strconv.Atoi(strings.TrimSpace(b))
			if err1 == nil && err2 == nil && x <= y && y-x < 20 {
				for i := x; i <= y; i++ {
					out = append(out, i)
				}
			}
			continue
		}
		if x, err := strconv.Atoi(part); err == nil {
			out = append(out, x)
		}
	}
	return out
}

// markUncited inserts uncitedMark before a sentence's final punctuation.
func markUncited(s string) string {
	t := strings.TrimRight(s, " \t")
	last, n := utf8.DecodeLastRuneInString(t)
	if last == '.' || last == '!' || last == '?' {
		return t[:len(t)-n] + uncitedMark + string(last) + s[len(t):]
	}
	return t + uncitedMark + s[len(t):]
}

// isNotFoundReply reports whether a reply is the not-found answer the
// prompt asks for ("NOT FOUND", perhaps with punctuation or a reason).
func isNotFoundReply(s string) bool {
	s = strings.TrimLeft(s, " \t\r\n*_`\"'“")
	if len(s) < len(notFoundReply) || !strings.EqualFold(s[:len(notFoundReply)], notFoundReply) {
		return false
	}
	rest := s[len(notFoundReply):]
	r, _ := utf8.DecodeRuneInString(rest)
	return rest == "" || !unicode.IsLetter(r)
}

// placeholderRE matches a run of passage placeholders written by
// verifyCitations, e.g. "\x000\x00\x002\x00" or "\x000\x00 \x001\x00".
var placeholderRE = regexp.MustCompile(`\x00\d+\x00(?:[ \t]*\x00\d+\x00)*`)

// resolveRefs turns placeholder runs into citation markers "[1][2]",
// each article once per run.
func resolveRefs(text string, ref map[int]int) string {
	return placeholderRE.ReplaceAllStringFunc(text, func(run string) string {
		var refs []int
		for _, f := range strings.Split(run, "\x00") {
			p, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil {
				continue
			}
			if r := ref[p]; r > 0 && !slices.Contains(refs, r) {
				refs = append(refs, r)
			}
		}
		var b strings.Builder
		for _, r := range refs {
			fmt.Fprintf(&b, "[%d]", r)
		}
		return b.String()
	})
}

// citations numbers the cited articles 1..m in order of first use, turns
// the placeholders of v.text into those numbers, and builds the citations.
func (a *LLMAnswerer) citations(v verified, passages []Passage) (string, []Citation) {
	type artCite struct {
		ref      int
		passages []int
	}
	byArt := map[string]*artCite{}
	var arts []string
	ref := map[int]int{}
	for _, p := range v.order {
		id := passages[p].ArticleID
		c, ok := byArt[id]
		if !ok {
			c = &artCite{ref: len(arts) + 1}
			byArt[id] = c
			arts = append(arts, id)
		}
		c.passages = append(c.passages, p)
		ref[p] = c.ref
	}
	out := make([]Citation, 0, len(arts))
	for _, id := range arts {
		c := byArt[id]
		art := passages[c.passages[0]].Article
		out = append(out, Citation{
			Ref: c.ref, ArticleID: art.ID, Title: art.Title, Source: art.Source,
			Published: art.PublishedString(), URL: art.URL, Approximate: art.Approximate,
			Quote: a.quote(passages, c.passages, v.claims),
		})
	}
	return resolveRefs(v.text, ref), out
}

// quoteSentence is a sentence of a cited passage, in article offsets.
type quoteSentence struct {
	start, end int
	score      float64
}

// quote picks, for every sentence of the answer citing one of the cited
// passages of an article, the sentence of that passage that shares the
// most (IDF-weighted) terms with it, and joins the picks in article order,
// " … " marking a gap. When they exceed MaxQuoteChars, the weakest are
// left out.
func (a *LLMAnswerer) quote(passages []Passage, cited []int, claims map[int][]string) string {
	lex := a.ex.x.Ix.Vocabulary()
	art := passages[cited[0]].Article
	var picks []quoteSentence
	seen := map[int]bool{}
	for _, pi := range cited {
		p := passages[pi]
		var sents []quoteSentence
		var sentTerms []map[string]bool
		for _, sp := range analysis.SplitSentences(p.Text) {
			sents = append(sents, quoteSentence{start: p.Start + sp.Start, end: p.Start + sp.End})
			sentTerms = append(sentTerms, extract.TermSet(p.Text[sp.Start:sp.End]))
		}
		for _, claim := range claims[pi] {
			want := extract.TermSet(claim)
			best, bestScore := -1, -1.0
			for i, ts := range sentTerms {
				score := 0.0
				for t := range ts {
					if want[t] {
						score += lex.IDF(t)
					}
				}
				if score > bestScore {
					best, bestScore = i, score
				}
			}
			if best >= 0 && !seen[sents[best].start] {
				seen[sents[best].start] = true
				q := sents[best]
				q.score = bestScore
				picks = append(picks, q)
			}
		}
	}
	// Keep the best picks that fit, then restore article order.
	slices.SortStableFunc(picks, func(x, y quoteSentence) int { return cmp.Compare(y.score, x.score) })
	var chosen []quoteSentence
	size := 0
	for _, p := range picks {
		n := utf8.RuneCountInString(art.Text[p.start:p.end])
		if len(chosen) > 0 && size+n+3 > MaxQuoteChars {
			continue
		}
		chosen = append(chosen, p)
		size += n + 3
	}
	if len(chosen) == 0 {
		return ""
	}
	slices.SortFunc(chosen, func(x, y quoteSentence) int { return x.start - y.start })
	var b strings.Builder
	for i, c := range chosen {
		if i > 0 {
			prev := chosen[i-1]
			if c.start < prev.end { // overlapping sentence splits; keep the first
				continue
			}
			if strings.TrimSpace(art.Text[prev.end:c.start]) == "" {
				b.WriteString(" ")
			} else {
				b.WriteString(" … ")
			}
		}
		b.WriteString(art.Text[c.start:c.end])
	}
	return textutil.Shorten(b.String(), MaxQuoteChars)
}

// streamRewriter passes a streamed reply on as verifyCitations and
// citations will render it: markers naming given passages become article
// refs numbered by first use, markers naming none are dropped with the
// white space before them, adjacent markers do not repeat a ref, a leading
// <think>…</think> block is left out, and a NOT FOUND reply is held back.
// Text is held only while a marker is open or white space may precede
// one.
type streamRewriter struct {
	out      func(string)
	passages []Passage
	refs     map[string]int // article id → ref

	head     strings.Builder // the start of the reply, until it is clear what it is
	decided  bool
	thinking bool
	silent   bool // NOT FOUND: nothing is shown
	tail     string

	spaces  string          // white space held back
	marker  strings.Builder // an open "[…"
	inRun   bool            // the last thing emitted was a marker
	runRefs []int
	buf     strings.Builder // output of the current write
}

func newStreamRewriter(passages []Passage, out func(string)) *streamRewriter {
	return &streamRewriter{out: out, passages: passages, refs: map[string]int{}}
}

// write takes the next fragment of the reply.
func (w *streamRewriter) write(s string) {
	s = strings.ReplaceAll(s, "\x00", "")
	if !w.decided {
		w.head.WriteString(s)
		h := strings.TrimLeft(w.head.String(), " \t\r\n")
		switch {
		case strings.HasPrefix(h, "<think>"):
			w.decided, w.thinking = true, true
			s = h[len("<think>"):]
		case strings.HasPrefix("<think>", h) || (len(h) < len(notFoundReply)+1 && strings.HasPrefix(strings.ToUpper(notFoundReply), strings.ToUpper(strings.TrimLeft(h, "*_`\"'“")))):
			return // could still be either
		default:
			w.decided = true
			s = h
			if isNotFoundReply(h) {
				w.silent = true
			}
		}
	}
	if w.silent {
		return
	}
	if w.thinking {
		t := w.tail + s
		i := strings.Index(t, "</think>")
		if i < 0 {
			w.tail = t[max(0, len(t)-len("</think>")):]
			return
		}
		// The answer proper starts here; decide afresh what it is.
		w.thinking, w.decided, w.tail = false, false, ""
		w.head.Reset()
		w.write(t[i+len("</think>"):])
		return
	}
	for _, r := range s {
		w.rune(r)
	}
	w.emit()
}

func (w *streamRewriter) rune(r rune) {
	if w.marker.Len() > 0 {
		w.marker.WriteRune(r)
		switch {
		case r == ']':
			w.closeMarker()
		case r == '\n' || w.marker.Len() > 40:
			w.text(w.marker.String())
			w.marker.Reset()
		}
		return
	}
	switch r {
	case ' ', '\t':
		w.spaces += string(r)
	case '[':
		w.marker.WriteRune(r)
	default:
		w.text(string(r))
	}
}

// text emits ordinary text, with the white space held before it.
func (w *streamRewriter) text(s string) {
	w.buf.WriteString(w.spaces)
	w.buf.WriteString(s)
	w.spaces = ""
	w.inRun = false
	w.runRefs = w.runRefs[:0]
}

// closeMarker resolves a complete "[…]".
func (w *streamRewriter) closeMarker() {
	m := w.marker.String()
	w.marker.Reset()
	sub := qa.MarkerRE.FindStringSubmatch(m)
	if sub == nil || sub[0] != m {
		w.text(m)
		return
	}
	var refs []int
	for _, num := range parseMarkerNumbers(sub[1]) {
		if num < 1 || num > len(w.passages) {
			continue
		}
		id := w.passages[num-1].ArticleID
		ref, ok := w.refs[id]
		if !ok {
			ref = len(w.refs) + 1
			w.refs[id] = ref
		}
		if !slices.Contains(refs, ref) && !slices.Contains(w.runRefs, ref) {
			refs = append(refs, ref)
		}
	}
	if len(refs) == 0 { // dropped, with the space before it
		w.spaces = ""
		return
	}
	if !w.inRun {
		w.buf.WriteString(w.spaces)
	}
	w.spaces = ""
	for _, r := range refs {
		fmt.Fprintf(&w.buf, "[%d]", r)
	}
	w.inRun = true
	w.runRefs = append(w.runRefs, refs...)
}

func (w *streamRewriter) emit() {
	if w.buf.Len() > 0 {
		w.out(w.buf.String())
		w.buf.Reset()
	}
}

// flush passes on what is held back at the end of the reply.
func (w *streamRewriter) flush() {
	if !w.decided && !w.silent {
		h := strings.TrimSpace(w.head.String())
		w.head.Reset()
		if h != "" && !isNotFoundReply(h) {
			w.decided = true
			for _, r := range h {
				w.rune(r)
			}
		}
	}
	if w.marker.Len() > 0 {
		w.text(w.marker.String())
		w.marker.Reset()
	}
	w.emit()
}
