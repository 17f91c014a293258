package extract

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"citebot/rag/internal/analysis"
	"citebot/rag/internal/index"
	"citebot/rag/internal/question"
)

// Every sentence of the passages retrieved for a question is a candidate
// answer. A candidate is scored in three steps: what its passage holds of
// the question (passageContext), what the sentence itself holds and
// whether it is the kind of answer asked for (sentenceCandidate), and the
// weighted sum of those with the priors of news questions (score).

// The weights of a candidate's base score: how much of the question the
// sentence holds matters most, then its passage, then whether it holds
// the kind of answer asked for, and last how well its passage was ranked.
const (
	sentenceWeight  = 0.40
	contextWeight   = 0.30
	fitWeight       = 0.20
	retrievalWeight = 0.10
)

// The recency prior of a question about the latest ("when did they last
// speak?"): up to recencyWeight for the newest article among those whose
// passage holds recencyCoverage of the best passage's coverage, and
// recentWordWeight more for a sentence that says "latest" itself.
const (
	recencyWeight    = 0.25
	recencyCoverage  = 0.6
	recentWordWeight = 0.05
)

// periodWeight is the score gained by a sentence of an article published
// in the period a question names ("in September 2021"), and lost by one
// published outside it.
const periodWeight = 0.08

// candidates scores every sentence of the passages, best first.
func (e *Extractor) candidates(q question.Question, passages []index.Passage, weights map[string]float64, total float64) []*candidate {
	if total == 0 {
		return nil
	}
	sc := e.newScorer(q, passages, weights, total)
	var out []*candidate
	for _, p := range passages {
		out = append(out, sc.passageCandidates(p)...)
	}
	sc.score(out)
	slices.SortStableFunc(out, func(a, b *candidate) int { return cmp.Compare(b.score, a.score) })
	return out
}

// scorer holds what scoring the candidates of one question needs.
type scorer struct {
	e        *Extractor
	q        question.Question
	qts      []qterm
	weights  map[string]float64
	total    float64
	focusID  int      // the term id of the question's focus, when the corpus uses it; else -1
	dateIDs  []uint32 // the question's date terms the corpus uses
	topic    []qterm  // the terms of what the question is about
	maxScore float64  // the best retrieval score of the passages
	// contentTotal is total without the weight of the date terms.
	contentTotal float64
	seen         map[string]bool     // sentences already scored, by article and offset
	artCache     map[string][]uint32 // article term ids, by article id
}

func (e *Extractor) newScorer(q question.Question, passages []index.Passage, weights map[string]float64, total float64) *scorer {
	sc := &scorer{e: e, q: q, qts: e.Ix.resolveTerms(q, weights), weights: weights, total: total, contentTotal: total,
		focusID: -1, seen: map[string]bool{}, artCache: map[string][]uint32{}}
	for _, t := range sc.qts {
		if t.term == q.Focus && t.known {
			sc.focusID = int(t.id)
		}
		if t.date && t.known {
			sc.dateIDs = append(sc.dateIDs, t.id)
		}
		if t.date {
			sc.contentTotal -= t.weight
		}
		if slices.Contains(q.About, t.term) {
			sc.topic = append(sc.topic, t)
		}
	}
	for _, p := range passages {
		sc.maxScore = math.Max(sc.maxScore, p.Score)
	}
	return sc
}

// coverage is the weighted share of question terms in set. Date terms
// count as present when dateOK; with content, they count only where the
// text itself names them.
func (sc *scorer) coverage(set idSet, dateOK, content bool) float64 {
	got, all := 0.0, sc.total
	if content {
		all = sc.contentTotal
	}
	if all <= 0 {
		return 0
	}
	for _, t := range sc.qts {
		present := t.known && set[t.id]
		if content && t.date {
			if present { // the text names the date itself
				got += t.weight
				all += t.weight
			}
			continue
		}
		if present || (dateOK && t.date) {
			got += t.weight
			continue
		}
		for _, syn := range t.syns {
			if set[syn] {
				got += synonymCredit * t.weight
				break
			}
		}
	}
	return got / all
}

// passageContext is what a passage, and the article around it, hold of a
// question.
type passageContext struct {
	// dateOK reports that the article was published in the question's
	// period: "the September 2021 call" in a September 2021 article.
	dateOK bool
	// entities are the question's names the whole article uses.
	entities idSet
	// missing counts the question's names neither the passage nor its
	// article holds.
	missing int
	// covC and contentC are the passage's coverage of the question, with
	// and without its dates.
	covC, contentC float64
	// share is the unweighted share of the question's terms the passage
	// holds.
	share float64
}

// passageContext works out what passage p, made of sents, holds of the
// question.
func (sc *scorer) passageContext(p index.Passage, sents []index.PassageSentence) passageContext {
	q := sc.q
	pc := passageContext{dateOK: q.HasTime && q.InPeriod(p.Article.Published), entities: idSet{}}
	ctxIDs := sc.e.Ix.TextIDs(p.Title)
	for _, st := range sents {
		ctxIDs = append(ctxIDs, st.IDs...)
	}
	ctx := newIDSet(ctxIDs)
	// Entities are looked up in the whole article: "Denny Roy" is named
	// once, then called "Roy".
	artTerms, ok := sc.artCache[p.ArticleID]
	if !ok {
		artTerms = sc.e.Ix.ArticleTermIDs(p)
		sc.artCache[p.ArticleID] = artTerms
	}
	for _, t := range sc.qts {
		if !t.key {
			continue
		}
		inArticle := t.known && hasTerm(artTerms, t.id)
		if inArticle {
			pc.entities[t.id] = true
		}
		switch {
		case (t.known && ctx[t.id]) || (pc.dateOK && t.date):
		case inArticle:
			ctx[t.id] = true
		default:
			pc.missing++
		}
	}
	pc.covC = sc.coverage(ctx, pc.dateOK, false)
	pc.contentC = sc.coverage(ctx, false, true)
	found := 0
	for _, t := range sc.qts {
		if (t.known && ctx[t.id]) || (pc.dateOK && t.date) || anyIn(ctx, t.syns) {
			found++
		}
	}
	pc.share = float64(found) / float64(max(1, len(sc.qts)))
	if len(sc.qts) <= 3 && pc.share <= minTermShare && slices.ContainsFunc(sc.qts, func(t qterm) bool { return !t.known && !t.date }) {
		// A short question half of whose words the corpus never uses
		// ("what is the weather in beijing?") is not answered by the
		// other half.
		pc.share = 0
	}
	return pc
}

// passageCandidates returns the candidates of the sentences of p not
// scored before.
func (sc *scorer) passageCandidates(p index.Passage) []*candidate {
	sents := sc.e.Ix.Sentences(p)
	pc := sc.passageContext(p, sents)
	var out []*candidate
	var before idSet
	beforeStart, beforeEnd := -1, -1
	for _, st := range sents {
		sSet := newIDSet(st.IDs)
		if sc.q.HasTime && len(sc.dateIDs) > 0 && namesPeriod(sc.q, p.Text[st.Start:st.End], p.Article.Published) {
			// "over the next year", written in 2021, names the 2022 of
			// "going into 2022".
			sSet = union(sSet, newIDSet(sc.dateIDs))
		}
		prev, prevStart, prevEnd := before, beforeStart, beforeEnd
		before = sSet
		start, end := p.Start+st.Start, p.Start+st.End
		beforeStart, beforeEnd = start, end
		if prevStart < 0 {
			// The first sentence of the passage: the one before is in
			// the article.
			prevStart, prevEnd = sentenceBefore(p.Article.Text, start)
		}
		key := fmt.Sprintf("%s:%d", p.ArticleID, start)
		if sc.seen[key] {
			continue
		}
		sc.seen[key] = true
		if c := sc.sentenceCandidate(p, pc, sSet, prev, start, end, prevStart, prevEnd); c != nil {
			out = append(out, c)
		}
	}
	return out
}

// sentenceCandidate scores the sentence at p.Article.Text[start:end], of
// term ids sSet, after the sentence of ids prev at [prevStart, prevEnd);
// nil when it is no answer (too short, rhetorical, or announcing a list).
func (sc *scorer) sentenceCandidate(p index.Passage, pc passageContext, sSet, prev idSet, start, end, prevStart, prevEnd int) *candidate {
	q := sc.q
	s := p.Article.Text[start:end]
	if utf8.RuneCountInString(s) < 12 || rhetorical(s) || introducesList(s) {
		return nil
	}
	if sc.focusID >= 0 && OtherFocus(q.Focus, s) {
		sSet = without(sSet, uint32(sc.focusID))
	}
	c := &candidate{art: p.Article, start: start, end: end, text: s, terms: sSet, prevStart: -1}
	if sc.maxScore > 0 {
		c.retrieval = p.Score / sc.maxScore
	}
	c.covS = sc.coverage(sSet, pc.dateOK, false)
	c.covC = math.Max(pc.covC, c.covS)
	c.contentS = sc.coverage(sSet, false, true)
	c.contentC = math.Max(pc.contentC, c.contentS)
	// With the sentence before it and the entities its article names:
	// "Even if one side makes concessions … For instance, the signing
	// of the Code …" in an article quoting Denny Roy.
	c.near = sSet
	if prev != nil {
		c.near = union(sSet, prev)
	}
	c.contentW = sc.coverage(union(c.near, pc.entities), false, true)
	c.missingKeys = pc.missing
	c.hasTopic = hasAll(c.near, sc.topic)
	c.share = pc.share
	c.fit = question.TypeFit(q, s)
	c.ownFit = c.fit
	if prevStart >= 0 && !IsDateline(p.Article.Text[prevStart:prevEnd]) && needsLeadIn(q, s) {
		// "$5. That's how much a gallon costs": the sentence before holds
		// what this one points to.
		c.prevStart, c.prevEnd = prevStart, prevEnd
		if c.contentS >= minLeanContent {
			c.fit = math.Max(c.fit, question.TypeFit(q, p.Article.Text[prevStart:prevEnd]))
		}
	}
	c.contradicts = question.Contradicts(q, s)
	if c.contradicts {
		c.fit = 0
	}
	return c
}

// score sets the score of every candidate: the weighted base score, and
// the priors that tell news apart (recency, superlative, the slot of a
// which-question, the headline's name, the lede, the question's period).
func (sc *scorer) score(out []*candidate) {
	q := sc.q
	oldest, newest := publishedSpan(q, out)
	news := whichRE.MatchString(q.Text) || question.RelativeTimeRE.MatchString(q.Text)
	sup := strings.ToLower(superlativeRE.FindString(AskingClause(q.Text)))
	slot := questionSlot(q)
	heads := map[string]string{}
	maxC, maxS := 0.0, 0.0
	for _, c := range out {
		maxC = math.Max(maxC, c.covC)
		maxS = math.Max(maxS, c.covS)
	}
	for _, c := range out {
		c.score = sentenceWeight*c.covS + contextWeight*c.covC + fitWeight*c.fit + retrievalWeight*c.retrieval
		pub := c.art.Published
		if q.Recency && recencyKind(q) && !pub.IsZero() && newest.After(oldest) && c.covC >= recencyCoverage*maxC && !pub.After(newest) {
			c.score += recencyWeight * RecencyShare(pub, oldest, newest)
			if recentWordRE.MatchString(c.text) {
				c.score += recentWordWeight
			}
		}
		if sup != "" && StatesSuperlative(c.text, sup) {
			c.score += superlativeWeight
		}
		if fillsSlot(q, slot, c.text) {
			c.score += slotWeight
		}
		name, ok := heads[c.art.ID]
		if !ok {
			name = headlineName(q, c.art, sc.weights, sc.total)
			heads[c.art.ID] = name
		}
		if name != "" && strings.Contains(c.text, name) {
			c.score += headlineNameWeight
		}
		if news && !pub.IsZero() && isLede(c.art.Text, c.start) && c.covS >= ledeShare*maxS && groundedContent(q, c) {
			c.score += ledeWeight
		}
		if q.HasTime && !pub.IsZero() {
			switch {
			case q.InPeriod(pub):
				c.score += periodWeight
			case pub.Before(q.Period.From) || pub.After(q.PeriodEnd()):
				c.score -= periodWeight
			}
		}
	}
}

// publishedSpan returns the oldest and newest publication dates of the
// candidates' articles; "newest" only counts articles up to the question's
// period: "the most recent call by March 2023".
func publishedSpan(q question.Question, cands []*candidate) (oldest, newest time.Time) {
	for _, c := range cands {
		pub := c.art.Published
		if pub.IsZero() || (q.HasTime && pub.After(q.PeriodEnd())) {
			continue
		}
		if oldest.IsZero() || pub.Before(oldest) {
			oldest = pub
		}
		if pub.After(newest) {
			newest = pub
		}
	}
	return oldest, newest
}

// hasTerm reports whether the sorted id list holds id.
func hasTerm(sorted []uint32, id uint32) bool {
	_, ok := slices.BinarySearch(sorted, id)
	return ok
}

// resolveTerms looks the question's weighted terms up in the vocabulary.
func (ix reader) resolveTerms(q question.Question, weights map[string]float64) []qterm {
	keys := map[string]bool{}
	for _, k := range q.Keys {
		keys[k] = true
	}
	out := make([]qterm, 0, len(q.Terms))
	for _, t := range q.Terms {
		qt := qterm{term: t, weight: weights[t], date: q.DateTerms[t], key: keys[t]}
		qt.id, qt.known = ix.TermID(t)
		for _, syn := range analysis.Synonyms(t) {
			if id, ok := ix.TermID(syn); ok {
				qt.syns = append(qt.syns, id)
			}
		}
		out = append(out, qt)
	}
	return out
}
