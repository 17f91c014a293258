package extract

import (
	"context"
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"citebot/corpus"
	"citebot/rag/internal/analysis"
	"citebot/rag/internal/answerspan"
	"citebot/rag/internal/index"
	"citebot/rag/internal/qa"
	"citebot/rag/internal/question"
	"citebot/rag/internal/reading"
	"citebot/rag/textutil"
	"citebot/rag/timex"
)

// reader is the index as the extractive answerer reads it: a
// [reading.Reader] with the answerer's own lookups.
type reader struct{ reading.Reader }

// Extractor answers a single question from the passages it retrieves:
// the machinery behind rag.Extractive, less the reading of follow-ups.
type Extractor struct {
	// Ix is the index, read as the answerer reads it.
	Ix reader
	// now returns the current time, for questions without an as-of date.
	now func() time.Time
}

// New returns the extractor over ix whose clock is now.
func New(ix *index.Index, now func() time.Time) *Extractor {
	return &Extractor{Ix: reader{reading.NewReader(ix)}, now: now}
}

// Thresholds of the not-found decision: the share of the question's
// (IDF-weighted) terms found around the best sentence, and in the sentence
// itself.
const (
	// oovWeight caps the weight of non-entity words absent from the corpus.
	oovWeight = 1.0
	// synonymCredit is what a match through [synonyms] is worth.
	synonymCredit = 0.8

	minContextCoverage  = 0.40
	minTermShare        = 0.5
	minSentenceCoverage = 0.30
	minWindowCoverage   = 0.45
	minFitContext       = 0.60
)

// acronymArticles is how many articles are searched for the spelling of
// an acronym.
const acronymArticles = 20

// Retrieval is a question as read, and the evidence found for it.
type Retrieval struct {
	// Question is the normalised question, as the user wrote it.
	Question string
	Read     reading.Reading
	AsOf     time.Time
	Passages []index.Passage
	// timeline holds the passages found for the parts of a question about
	// order in time (see timelinePassages).
	timeline []index.Passage
	// periods holds the passages of each period a comparison names, and
	// periodLabels the periods ("2021", "2024"); see compare.
	periods      [][]index.Passage
	periodLabels []string
	// q and tq are the analysis of read, when analyzed is set (retrieve
	// sets them; answerFor works them out otherwise).
	q        question.Question
	tq       timeQuestion
	analyzed bool
}

// Retrieve normalises q's question, reads it and finds the passages to
// answer it from (within q's filter, before its as-of date, acronyms the
// articles spell out searched again), with the passages of any period the
// question names and of the events it orders in time.
func (e *Extractor) Retrieve(ctx context.Context, q qa.Query) (Retrieval, error) {
	question, err := qa.NormalizeQuestion(q.Question)
	if err != nil {
		return Retrieval{}, err
	}
	ctx = index.WithFilter(ctx, q.Filter) // every search of the answer keeps to it
	r := Retrieval{Question: question, Read: e.Ix.Read(question), AsOf: q.AsOf}
	if r.AsOf.IsZero() {
		now := e.now()
		r.AsOf = time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	}
	if r.Read.Text == "" {
		return r, nil // only instructions to the bot: nothing to look up
	}
	k := q.K
	if k <= 0 {
		k = 5
	}
	opts := index.SearchOptions{K: max(k, 8), Before: r.AsOf}
	r.Passages, err = e.Ix.Search(ctx, r.Read.Text, opts)
	if errors.Is(err, index.ErrEmptyIndex) {
		return r, nil
	}
	// Acronyms the articles spell out: read them as spelled, and search
	// again.
	if acr := e.Ix.UnknownAcronyms(r.Read.Text); err == nil && len(acr) > 0 {
		var wide []index.Passage
		wide, err = e.Ix.Search(index.WithSearchTrace(ctx, nil), r.Read.Text, index.SearchOptions{K: acronymArticles, PerArticle: 1, Before: r.AsOf, KeywordsOnly: true})
		if text := reading.ExpandAcronyms(r.Read.Text, acr, wide); err == nil && text != r.Read.Text {
			r.Read.Text = text
			r.Passages, err = e.Ix.Search(index.WithSearchTrace(ctx, nil), text, opts)
		}
	}
	if err == nil {
		r.Passages, err = e.withPeriodPassages(ctx, r.Read.Text, r.Passages, r.AsOf)
	}
	r.q = e.Ix.AnalyzeReading(r.Read)
	r.tq, r.analyzed = parseTime(r.Read.Text, r.q.Kind), true
	if err == nil {
		r.timeline, err = e.timelinePassages(ctx, r.tq, r.AsOf)
	}
	if periods := periodsOf(r.Read.Text, r.AsOf); err == nil && periods != nil {
		r.periods, err = e.periodPassages(ctx, r.Read.Text, periods, r.AsOf)
		for _, p := range periods {
			r.periodLabels = append(r.periodLabels, onDate(p))
		}
	}
	if err != nil {
		return Retrieval{}, fmt.Errorf("retrieve: %w", err)
	}
	return r, nil
}

// periodExtra bounds the passages of a question's period that join those
// of the whole corpus.
const periodExtra = 3

// boundedPeriodRE matches a month or year that bounds a question rather
// than placing it: "by march 2023", "since 2021".
var boundedPeriodRE = regexp.MustCompile(`(?i)\b(?:by|before|after|since|until|till|through|from)\s+(?:(?:early|mid|late)[- ])?(?:[a-z]+\.?,?\s+)?(?:1[6-9]\d\d|20\d\d)\b`)

// withPeriodPassages adds to ps the best passages of the articles
// published in the month or year the question names (or within
// question.PeriodSlack after it), unless the date only bounds it: "what did sullivan say about a call in march
// 2023" is about what the March 2023 articles report, which the search of
// the whole corpus may rank below articles about other calls.
func (e *Extractor) withPeriodPassages(ctx context.Context, text string, ps []index.Passage, asOf time.Time) ([]index.Passage, error) {
	p, ok := question.QuestionPeriod(text)
	if !ok || boundedPeriodRE.MatchString(text) {
		return ps, nil
	}
	until := p.To.Add(question.PeriodSlack)
	if until.After(asOf) {
		until = asOf
	}
	extra, err := e.Ix.Search(index.WithSearchTrace(ctx, nil), text, index.SearchOptions{K: periodExtra, Since: p.From, Before: until})
	if err != nil {
		return ps, err
	}
	for _, x := range extra {
		if !slices.ContainsFunc(ps, func(q index.Passage) bool { return q.ID == x.ID }) {
			ps = append(ps, x)
		}
	}
	return ps, nil
}

// candidate is a sentence of a retrieved passage.
type candidate struct {
	art        corpus.Article
	start, end int // in art.Text
	text       string
	retrieval  float64
	covS, covC float64
	// contentS and contentC are covS and covC without the question's date
	// terms: what the sentence and its context say, not when.
	contentS, contentC float64
	// contentW is contentS over the sentence and the one before it.
	contentW float64
	// share is the unweighted share of the question's distinct terms that
	// the context holds, so that a rare word the corpus never uses ("cup"
	// in "who won the world cup?") still counts as missing.
	share float64
	// missingKeys counts the question's key terms absent from the context.
	missingKeys int
	fit         float64
	// ownFit is fit without the sentence this one leans on.
	ownFit float64
	// question.Contradicts reports a polarity or antonym clash with the question:
	// it asks "what was not …" and the sentence says nothing negative, or
	// it asks for the "earliest" and the sentence speaks of the "latest".
	contradicts bool
	score       float64
	terms       idSet
	// near holds the terms of the sentence and the one before it.
	near idSet
	// hasTopic reports that near holds what the question asks about
	// ("what did they say about Taiwan?"), if it names that.
	hasTopic bool
	// prevStart and prevEnd locate the sentence before, in the same
	// paragraph, when this one leans on it (see leansBack); prevStart is
	// -1 otherwise.
	prevStart, prevEnd int
}

// leanBackRE finds a sentence that points back to the one before: "That's
// how much …", "It comes after …", "“I can't give you a date,” he told
// reporters".
var leanBackRE = regexp.MustCompile(`^[“"‘'(]?(?:That|That['’]s|This|These|Those|It|It['’]s|He|She|They|His|Her|Its|Their|Such|So)\b|^[“"][^”"]+[”"],? (?:he|she|they) (?:said|told|added|says|explained|noted)\b`)

// sentenceBefore returns the bounds of the sentence of text that ends
// before offset at, or -1, -1.
func sentenceBefore(text string, at int) (int, int) {
	from := max(0, at-600)
	for from > 0 && from < at && !unicode.IsSpace(rune(text[from-1])) {
		from++ // start the window at a word
	}
	spans := analysis.SplitSentences(text[from:at])
	if len(spans) == 0 || (from > 0 && len(spans) == 1) {
		return -1, -1 // none, or only a piece of one
	}
	last := spans[len(spans)-1]
	return from + last.Start, from + last.End
}

// startsWithFocus reports whether s opens by describing the thing a
// which-question asks for: "The show, which follows …".
func startsWithFocus(focus, s string) bool {
	if focus == "" {
		return false
	}
	toks := analysis.Tokenize(s)
	if len(toks) < 2 || (toks[0].Lower != "the" && toks[0].Lower != "this" && toks[0].Lower != "that") {
		return false
	}
	for _, t := range toks[1:min(len(toks), 4)] {
		if t.Term == focus {
			return true
		}
	}
	return false
}

// definiteFocus reports whether s speaks of the thing a which-question
// asks for by description, not name: "the wildly popular South Korean
// show" for "which show …?".
func definiteFocus(focus, s string) bool {
	if focus == "" {
		return false
	}
	toks := analysis.Tokenize(s)
	for i, t := range toks {
		if t.Term != focus {
			continue
		}
		for j := i - 1; j >= 0 && j >= i-5; j-- {
			switch toks[j].Lower {
			case "the", "this", "that":
				return true
			}
		}
	}
	return false
}

// minLeanContent is the share of the question's content a sentence must
// hold for the answer its lead-in holds to count as its own.
const minLeanContent = 0.5

// needsLeadIn reports whether sentence s, as an answer to q, needs the
// sentence before it: it points back to it and does not hold the kind of
// answer q asks for itself ("That's how much a gallon costs", "The show,
// which follows …"), or, for a question without a kind of answer, it
// starts with a pronoun whose subject the sentence before names.
func needsLeadIn(q question.Question, s string) bool {
	if !leansBack(s) && !startsWithFocus(q.Focus, s) && !(definiteFocus(q.Focus, s) && !question.AnyNovelName(q, s)) {
		return false
	}
	_, _, has := answerspan.Find(q, s)
	return !has
}

// leansBack reports whether sentence s points back to the one before.
func leansBack(s string) bool { return leanBackRE.MatchString(s) }

// instructionsNote tells the user that instructions inside a question
// were not followed.
const instructionsNote = "The question held instructions to the bot; they were ignored."

// foreignNote tells the user that the offline answerer reads English only.
const foreignNote = "Answers without a chat model are in English only; a chat model (see docs/models.md) answers questions in other languages."

// withInstructionsNote adds instructionsNote to an answer to a question
// that held instructions, and foreignNote to one to a question not in
// English.
func withInstructionsNote(a qa.Answer, r reading.Reading) qa.Answer {
	switch {
	case a.Note != "":
	case r.Instructions:
		a.Note = instructionsNote
	case r.Foreign:
		a.Note = foreignNote
	}
	return a
}

// Compose builds the extractive answer from a retrieval, noting any
// instructions in the question that were ignored.
func (e *Extractor) Compose(r Retrieval) qa.Answer {
	return withInstructionsNote(e.answerFor(r), r.Read)
}

// answerFor builds the extractive answer from a retrieval.
func (e *Extractor) answerFor(r Retrieval) qa.Answer {
	if r.Read.Text == "" {
		ans := e.notFound(r)
		ans.Note = instructionsNote
		return ans
	}
	q, tq := r.q, r.tq
	if !r.analyzed {
		q = e.Ix.AnalyzeReading(r.Read)
		tq = parseTime(r.Read.Text, q.Kind)
	}
	if a, ok := e.authorship(q, r); ok {
		return a
	}
	if a, ok := e.compare(r); ok {
		return a
	}
	if a, ok := e.temporal(q, tq, r); ok {
		return a
	}
	weights, total := e.TermWeights(q)
	cands := e.candidates(q, e.Ix.WithLedes(q, r.Passages, weights, total), weights, total)
	if q.YesNo && q.Kind == question.KindOther {
		if a, ok := e.yesNo(q, r, cands); ok {
			return a
		}
	}
	if len(cands) == 0 || total == 0 {
		return e.notFound(r)
	}
	best := firstGrounded(q, cands)
	if best == nil {
		if tq.op == opCount {
			if a, ok := e.countEvents(q, tq, r); ok {
				return a
			}
		}
		return e.notFound(r)
	}
	if outcomeQuestionRE.MatchString(q.Text) && aheadOfItsArticle(best) {
		// "how did the video meeting go?" is not answered by the article
		// that announced it.
		ans := e.notFound(r)
		ans.Text = prospectNote + ans.Text
		return ans
	}
	chosen := []*candidate{best}
	if best.prevStart >= 0 {
		chosen = append(chosen, &candidate{art: best.art, start: best.prevStart, end: best.prevEnd, text: best.art.Text[best.prevStart:best.prevEnd], prevStart: -1})
	}
	if extra := pickSecond(q, best, cands); extra != nil {
		chosen = append(chosen, extra)
	}
	return e.render(r, q, withListings(chosen, cands))
}

// listingRE matches a sentence that lists what the one before it named:
// "These include the legitimacy of …, Taiwan's right …".
var listingRE = regexp.MustCompile(`^(?:(?:These|They|Those|This|It)\s+(?:include|includes|included|range|ranged)\b|Among (?:them|these|those)\b)`)

// withListings adds to the chosen sentences the sentence that directly
// follows one of them and lists what it named: "fundamental strategic
// disagreements … have divided Beijing and Washington. These include …".
func withListings(chosen, cands []*candidate) []*candidate {
	for _, c := range slices.Clone(chosen) {
		if next := nextSentence(c, cands); next != nil && listingRE.MatchString(next.text) && !slices.Contains(chosen, next) {
			chosen = append(chosen, next)
		}
	}
	return chosen
}

// TermWeights returns the weight of each term of q in coverage (its IDF,
// capped for a word the corpus never uses unless it names an entity or a
// date) and their sum.
func (e *Extractor) TermWeights(q question.Question) (map[string]float64, float64) {
	lex := e.Ix.Vocabulary()
	keys := map[string]bool{}
	for _, k := range q.Keys {
		keys[k] = true
	}
	weights := map[string]float64{}
	total := 0.0
	for _, t := range q.Terms {
		w := lex.IDF(t)
		// A word the corpus never uses cannot tell passages apart; unless it
		// names an entity, it is likely a paraphrase ("faded"), so it weighs
		// little in coverage. Missing entities are caught by the key check.
		if lex.DF(t) == 0 && !keys[t] && !q.DateTerms[t] {
			w = math.Min(w, oovWeight)
		}
		if q.Preamble[t] {
			w *= preambleWeight
		}
		weights[t] = w
		total += w
	}
	return weights, total
}

// typeDepth is how far down the ranking grounded evidence is looked for
// when the best sentence is not: it lacks the date, number or name asked
// for, or a name of the question, or enough of its words.
const typeDepth = 4

// minTypeScore is the share of the best sentence's score that one looked
// up further down must reach: it must be about the same thing.
const minTypeScore = 0.85

// firstGrounded returns the best candidate if it is grounded evidence
// (see grounded), else the first of the next few that is grounded and
// scores nearly as well. Otherwise nil.
func firstGrounded(q question.Question, cands []*candidate) *candidate {
	if len(cands) == 0 {
		return nil
	}
	best := cands[0]
	if grounded(q, best) {
		return best
	}
	for _, c := range cands[1:min(len(cands), typeDepth)] {
		if c.score >= minTypeScore*best.score && grounded(q, c) {
			return c
		}
	}
	return nil
}

// grounded reports whether a candidate is strong enough evidence to answer
// from: the context names the question's entities (one may be missing when
// it names three or more) and covers enough of its terms.
func grounded(q question.Question, c *candidate) bool {
	return groundedContent(q, c) && question.AnswersType(q, c.text, c.fit)
}

// groundedContent is grounded without the check of the kind of answer.
func groundedContent(q question.Question, c *candidate) bool {
	if c.missingKeys > 0 || c.covC < minContextCoverage || c.share < termShareFor(q) || c.contradicts || !c.hasTopic {
		return false
	}
	// The sentence shares the question's content, or it is the right kind
	// of answer inside a passage that does.
	return c.contentS >= minSentenceCoverage || c.contentW >= minWindowCoverage || (c.fit >= 1 && c.contentC >= minFitContext)
}

// termShareFor is the share of q's terms a candidate's context must hold:
// minTermShare, or longTermShare for a question of longQuestionTerms terms
// or more, whose many incidental words ("In a recent major drug bust near
// the border, authorities seized …") no passage holds half of.
func termShareFor(q question.Question) float64 {
	if len(q.Terms) >= longQuestionTerms {
		return longTermShare
	}
	return minTermShare
}

// longQuestionTerms is the number of terms from which a question counts as
// long for termShareFor; longTermShare is the share its context needs.
const (
	longQuestionTerms = 10
	longTermShare     = 0.4
)

// qterm is a question term resolved against the index vocabulary.
type qterm struct {
	term   string
	weight float64
	id     uint32
	known  bool     // the corpus uses the term
	syns   []uint32 // ids of its synonyms the corpus uses
	date   bool     // names the question's month or year
	key    bool     // names an entity or number
}

// idSet is a set of term ids.
type idSet map[uint32]bool

func newIDSet(ids ...[]uint32) idSet {
	n := 0
	for _, l := range ids {
		n += len(l)
	}
	s := make(idSet, n)
	for _, l := range ids {
		for _, id := range l {
			s[id] = true
		}
	}
	return s
}

// superlativeRE matches the superlative a question asks by: "which state
// has the highest price", "the most cases".
var superlativeRE = regexp.MustCompile(`(?i)\b(?:most|least|highest|lowest|biggest|largest|smallest|greatest|fewest|longest|shortest|oldest|youngest|newest|richest|poorest|fastest|slowest|deadliest|costliest|cheapest|hottest|coldest|tallest|strongest|weakest|busiest|worst)\b`)

// whWordRE finds a question word.
var whWordRE = regexp.MustCompile(`(?i)\b(?:which|what|who|whom|whose|where|when|why|how)\b`)

// AskingClause returns the clause of q that asks, from the punctuation
// before its first question word: "… killed the world's most wanted
// terrorist, who was associated with which group?" asks "who was
// associated with which group?"; the rest describes. A question without a
// question word is returned whole.
func AskingClause(q string) string {
	loc := whWordRE.FindStringIndex(q)
	if loc == nil {
		return q
	}
	start := strings.LastIndexAny(q[:loc[0]], ".,;:?!—")
	return q[start+1:]
}

// superlativeWeight is the score a sentence gains by stating the
// superlative the question asks by ("California has the most cases").
const superlativeWeight = 0.08

// StatesSuperlative reports whether s holds the superlative sup (lower
// case) as a whole word, not ranked by an ordinal before it: "the fifth
// most likely to flip" is not the most likely.
func StatesSuperlative(s, sup string) bool {
	toks := analysis.Tokenize(s)
	for i, t := range toks {
		if t.Lower != sup {
			continue
		}
		if i == 0 || !rankRE.MatchString(toks[i-1].Lower) {
			return true
		}
	}
	return false
}

// rankRE matches an ordinal that ranks a superlative: "second", "3rd".
var rankRE = regexp.MustCompile(`^(?:` + answerspan.LaterOrdinals + `|\d+(?:st|nd|rd|th))$`)

// ledeWeight is the score the first sentence of a dated article gains when
// it holds the question's content and the question asks for the news
// itself ("which …", "… this week"): a news report puts who, what, when and
// where first.
var ledeWeight = 0.05

// ledeShare is the share of the best sentence coverage of the question a
// lede needs for ledeWeight: it breaks near-ties, it does not promote a
// lede about something else.
var ledeShare = 0.8

// isLede reports whether the sentence at start is the first of text, after
// at most a dateline ("Paris CNN —").
func isLede(text string, start int) bool {
	return start < maxDatelineBytes && !strings.ContainsAny(text[:start], ".!?")
}

// datelineRE matches a line that only says where a report comes from and
// who sent it: "CNN —", "Paris CNN Business —", "BOGOTA, Colombia —".
var datelineRE = regexp.MustCompile(`^[\p{L}\p{N} .,'’()]{1,60}?\s*[—–-]+$`)

// IsDateline reports whether s is a dateline, which no answer quotes.
func IsDateline(s string) bool { return datelineRE.MatchString(strings.TrimSpace(s)) }

// maxDatelineBytes bounds the dateline before an article's first sentence.
const maxDatelineBytes = 120

// preambleWeight scales the weight of a term that only the statements
// before a question hold ("The 74th Emmy Awards were presented on Monday.
// Which show won …?"): they set the scene, which the article's lede
// restates, while the answer's sentence matches the question itself.
const preambleWeight = 0.5

// recencyKind reports whether "last" in q asks for the newest evidence: it
// does for when and what happened, not for a count or a duration ("how long
// since they last spoke?") or a reason.
// RecencyShare places an article published at pub between the oldest
// (0) and newest (1) article of the answer's candidates, over a span of at
// least minRecencySpan: articles a day apart in a week's news are
// near-equals, not the two ends of the scale.
func RecencyShare(pub, oldest, newest time.Time) float64 {
	span := max(newest.Sub(oldest), minRecencySpan)
	return 1 - float64(newest.Sub(pub))/float64(span)
}

// minRecencySpan is the shortest span recencyShare spreads the recency
// prior over: a week, the period "this week" and "recently" speak of.
const minRecencySpan = 7 * 24 * time.Hour

func recencyKind(q question.Question) bool {
	return q.Kind != question.KindHowLong && q.Kind != question.KindHowMany && q.Kind != question.KindWhy
}

var recentWordRE = regexp.MustCompile(`(?i)\b(?:last|latest|most recent|recently|newest)\b`)

// focusWeight is the score a sentence gains by naming what a what/which
// question asks for.
const focusWeight = 0.07

// continuesRE finds a sentence that carries on the argument of the one
// before.
var continuesRE = regexp.MustCompile(`^(?:Nonetheless|Nevertheless|However|But|Because|That is because|This is because|As a result|So|Therefore|Thus|Still|Yet|Instead|Firstly|Secondly|First|Second)\b`)

// minSecondCoverage is the share of the question a sentence from elsewhere
// must hold to be added to the answer.
const minSecondCoverage = 0.4

// pickSecond returns a sentence that adds to best, or nil: the next sentence
// of the same article when it continues on the question's terms, or another
// strong sentence saying something else. For "last" questions only the same
// article is used, so that older evidence does not muddle the newest.
func pickSecond(q question.Question, best *candidate, cands []*candidate) *candidate {
	if q.Kind == question.KindWhy || q.Kind == question.KindHow {
		// A reason often goes on in the next sentence: "… Nonetheless,
		// these agreements are fragile and easily broken."
		if next := nextSentence(best, cands); next != nil && continuesRE.MatchString(next.text) {
			return next
		}
	}
	for _, c := range cands[1:] {
		if c == best || c.ownFit < 0.5 && c.fit >= 0.5 {
			continue // its kind of answer is in the sentence it leans on
		}
		sameArt := c.art.ID == best.art.ID
		if q.Recency && !sameArt {
			continue
		}
		if overlap(c.terms, best.terms) > 0.6 {
			continue
		}
		adjacent := sameArt && c.start > best.end && strings.TrimSpace(best.art.Text[best.end:c.start]) == ""
		switch {
		case adjacent && c.covS >= 0.2 && c.score >= 0.6*best.score && c.fit >= 0.5 && (!q.Recency || recentWordRE.MatchString(c.text)):
			return c
		case !q.Recency && c.score >= 0.85*best.score && c.covS >= minSecondCoverage && c.fit >= 0.5:
			return c
		case !q.Recency && c.score >= 0.85*best.score && c.covS >= 0.35 && c.ownFit >= 1 && best.ownFit < 1:
			// The best sentence lacks the date, number, name or place
			// asked for, and this one, about as good, has it.
			return c
		}
	}
	return nil
}

func overlap(a, b idSet) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	n := 0
	for t := range a {
		if b[t] {
			n++
		}
	}
	return float64(n) / float64(min(len(a), len(b)))
}

// anyIn reports whether set holds any of ids.
func anyIn(set idSet, ids []uint32) bool {
	for _, id := range ids {
		if set[id] {
			return true
		}
	}
	return false
}

// without returns a copy of set without id.
func without(set idSet, id uint32) idSet {
	out := make(idSet, len(set))
	for k, v := range set {
		if k != id {
			out[k] = v
		}
	}
	return out
}

// union returns a new set holding the members of a and b.
func union(a, b idSet) idSet {
	u := make(idSet, len(a)+len(b))
	for k := range a {
		u[k] = true
	}
	for k := range b {
		u[k] = true
	}
	return u
}

// TermSet returns the index terms of s as a set.
func TermSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, t := range analysis.Terms(s) {
		m[t] = true
	}
	return m
}

// asOfPrefix says how current the evidence is: "As of about 1 October 2024
// (the newest article on this; 2 years before 23 November 2026)".
func asOfPrefix(pub time.Time, approx bool, asOf time.Time) string {
	about := ""
	if approx {
		about = "about "
	}
	note := "the newest article on this"
	if age := timex.Age(pub, asOf); age != "" && asOf.Sub(pub) > 30*24*time.Hour {
		note += fmt.Sprintf("; %s before %s", age, timex.FormatDay(asOf))
	}
	return fmt.Sprintf("As of %s%s (%s)", about, timex.FormatDay(pub), note)
}

// joinPrefix continues a prefix with sentence s: ", the last call …" when s
// starts with a word that can be lower-cased, ": Biden …" otherwise.
func joinPrefix(s string) string {
	first, _, _ := strings.Cut(s, " ")
	switch first {
	case "The", "Their", "His", "Her", "Its", "This", "That", "These", "Those", "A", "An", "In", "On", "At", "Since", "After", "Before":
		r, n := utf8.DecodeRuneInString(s)
		return ", " + string(unicode.ToLower(r)) + s[n:]
	}
	return ": " + s
}

// notFound is the answer that the corpus does not answer the question:
// no citations, and what the corpus covers.
func (e *Extractor) notFound(r Retrieval) qa.Answer {
	ans := NewBuilder(r).Answer()
	ans.NotFound = true
	ans.Text = e.notFoundText()
	return ans
}

// notFoundText says plainly that the corpus does not answer, and what it
// covers.
func (e *Extractor) notFoundText() string {
	n, oldest, newest := e.Ix.Coverage()
	switch {
	case n == 0:
		return "The corpus is empty, so it can't answer this."
	case oldest.IsZero():
		return fmt.Sprintf("The corpus doesn't say: none of its %s answers this question.", textutil.Plural(n, "article"))
	case oldest.Equal(newest):
		return fmt.Sprintf("The corpus doesn't say: none of its %s (%s) answers this question.", textutil.Plural(n, "article"), timex.FormatMonth(oldest))
	}
	return fmt.Sprintf("The corpus doesn't say: none of its %s (%s to %s) answers this question.", textutil.Plural(n, "article"), timex.FormatMonth(oldest), timex.FormatMonth(newest))
}

// SameWords reports whether a and b have the same words, ignoring case and
// punctuation.
func SameWords(a, b string) bool {
	f := func(s string) string {
		return strings.Join(strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }), " ")
	}
	return f(a) == f(b)
}

// rhetorical reports a sentence that is itself a question ("What comes
// next?"), which answers nothing; one that reports a question after a
// colon ("Xi raised a question: are they competitors or partners?") does.
func rhetorical(s string) bool {
	return strings.HasSuffix(strings.TrimRight(s, "”\"’' "), "?") && !strings.Contains(s, ":")
}

// introducesList reports whether sentence s only announces what follows
// it ("Here are the highest prices in the US:"): it answers nothing
// itself.
func introducesList(s string) bool { return strings.HasSuffix(strings.TrimSpace(s), ":") }

// hasAll reports whether set holds every term of ts, itself or a synonym.
func hasAll(set idSet, ts []qterm) bool {
	for _, t := range ts {
		if !(t.known && set[t.id]) && !anyIn(set, t.syns) {
			return false
		}
	}
	return true
}

// namesPeriod reports whether sentence s, of an article published on pub,
// names a date within the question's period, once its relative dates are
// resolved.
func namesPeriod(q question.Question, s string, pub time.Time) bool {
	for _, m := range timex.Find(s, pub) {
		if m.Relative && !m.Date.From.After(q.Period.To) && !m.Date.To.Before(q.Period.From) {
			return true
		}
	}
	return false
}
