package extract

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"citebot/corpus"
	"citebot/rag/internal/analysis"
	"citebot/rag/internal/answerspan"
	"citebot/rag/internal/qa"
	"citebot/rag/internal/question"
	"citebot/rag/timex"
)

// Builder assembles an answer: its sentences, each ending with citation
// markers, and the citations, numbered in order of first use, with the
// sentences quoted from each article.
type Builder struct {
	ans   qa.Answer
	refs  map[string]int   // article id → ref
	arts  []corpus.Article // by ref-1
	spans map[int][][2]int // ref → quoted sentences, as offsets in the article text
	parts []string
}

// NewBuilder returns an empty builder for the answer to r's question,
// with the question as read when that differs from the one asked.
func NewBuilder(r Retrieval) *Builder {
	b := &Builder{
		ans:   qa.Answer{Question: r.Question, Mode: qa.ModeExtractive, Citations: []qa.Citation{}},
		refs:  map[string]int{},
		spans: map[int][][2]int{},
	}
	if !SameWords(r.Read.Text, r.Question) {
		b.ans.Interpreted = r.Read.Text
	}
	return b
}

// Ref returns the citation number of an article, adding its citation.
func (b *Builder) Ref(art corpus.Article) int {
	if n, ok := b.refs[art.ID]; ok {
		return n
	}
	b.arts = append(b.arts, art)
	n := len(b.arts)
	b.refs[art.ID] = n
	return n
}

// quote records art.Text[start:end] as quoted and returns the article's
// citation number.
func (b *Builder) quote(art corpus.Article, start, end int) int {
	n := b.Ref(art)
	sp := [2]int{start, end}
	if !slices.Contains(b.spans[n], sp) {
		b.spans[n] = append(b.spans[n], sp)
	}
	return n
}

// quoted reports whether the sentence at start is already quoted.
func (b *Builder) quoted(art corpus.Article, start int) bool {
	n, ok := b.refs[art.ID]
	return ok && slices.ContainsFunc(b.spans[n], func(sp [2]int) bool { return sp[0] == start })
}

// Sentence adds the article's sentence at start:end to the answer, its
// relative dates resolved, transformed by edit (may be nil), with its
// citation marker.
func (b *Builder) Sentence(art corpus.Article, start, end int, edit func(string) string) {
	if b.quoted(art, start) {
		return
	}
	n := b.quote(art, start, end)
	s := withoutLabel(timex.Resolve(art.Text[start:end], art.Published))
	if edit != nil {
		s = edit(s)
	}
	b.Add(withMarker(s, n))
}

// Add appends text to the answer.
func (b *Builder) Add(text string) { b.parts = append(b.parts, text) }

// Answer returns the assembled answer. Each citation quotes its sentences
// in text order, joined by a space where they are adjacent and " … "
// where they are not.
func (b *Builder) Answer() qa.Answer {
	ans := b.ans
	ans.Text = strings.Join(b.parts, " ")
	for i, art := range b.arts {
		n := i + 1
		sps := slices.Clone(b.spans[n])
		slices.SortFunc(sps, func(x, y [2]int) int { return x[0] - y[0] })
		var q strings.Builder
		for j, sp := range sps {
			if j > 0 {
				if strings.TrimSpace(art.Text[sps[j-1][1]:sp[0]]) == "" {
					q.WriteString(" ")
				} else {
					q.WriteString(" … ")
				}
			}
			q.WriteString(art.Text[sp[0]:sp[1]])
		}
		ans.Citations = append(ans.Citations, qa.Citation{
			Ref: n, ArticleID: art.ID, Title: art.Title, Source: art.Source,
			Published: art.PublishedString(), URL: art.URL, Quote: q.String(), Approximate: art.Approximate,
		})
	}
	return ans
}

// Markers writes the citation markers of refs: "[1][2]".
func Markers(refs ...int) string {
	var s strings.Builder
	for _, n := range refs {
		fmt.Fprintf(&s, "[%d]", n)
	}
	return s.String()
}

// render writes the answer from the chosen sentences: grouped by article,
// the best sentence's article first, each article's in text order.
func (e *Extractor) render(r Retrieval, q question.Question, chosen []*candidate) qa.Answer {
	b := NewBuilder(r)
	var order []string
	byArt := map[string][]*candidate{}
	for _, c := range chosen {
		if _, ok := byArt[c.art.ID]; !ok {
			order = append(order, c.art.ID)
		}
		byArt[c.art.ID] = append(byArt[c.art.ID], c)
	}
	// The answer is marked in the best sentence, or, when that has none,
	// in the sentence before that it leans on.
	emph := chosen[0]
	if best := chosen[0]; best.prevStart >= 0 {
		s := timex.Resolve(best.text, best.art.Published)
		if answerspan.Emphasize(q, s) == s {
			for _, c := range chosen[1:] {
				if c.art.ID == best.art.ID && c.start == best.prevStart {
					emph = c
				}
			}
		}
	}
	for _, id := range order {
		cs := byArt[id]
		slices.SortFunc(cs, func(a, b *candidate) int { return a.start - b.start })
		for _, c := range cs {
			var edit func(string) string
			if c == emph {
				edit = func(s string) string {
					if led := leadWithAnswer(q, s); led != s {
						return led
					}
					if n := Antecedent(q, c.art, c.start, s); n != "" {
						return answerspan.Emphasis + n + answerspan.Emphasis + ": " + lowerFirstWord(s)
					}
					return s
				}
			}
			b.Sentence(c.art, c.start, c.end, edit)
		}
	}
	if q.Recency && recencyKind(q) && len(b.parts) > 0 {
		if pub := chosen[0].art.Published; !pub.IsZero() {
			b.parts[0] = asOfPrefix(pub, chosen[0].art.Approximate, r.AsOf) + joinPrefix(b.parts[0])
		}
	}
	return b.Answer()
}

// renderEvents writes the answer naming events: a lead sentence with the
// dates, then each event's sentence, dates resolved, with its citation.
func (e *Extractor) renderEvents(r Retrieval, tq timeQuestion, found []dated) qa.Answer {
	b := NewBuilder(r)
	var leads []string
	for i, d := range found {
		n := b.Ref(d.art)
		what := actionNoun(d.ev.Action)
		if len(tq.actions) == 0 {
			what = "event"
		}
		date := boldDate(d.ev.Date)
		switch {
		case (tq.op == opAfter || tq.op == opBefore) && i == 1:
			// the anchor: quoted, not led with
		case (tq.op == opLast || tq.op == opFirst) && i > 0:
			leads = append(leads, fmt.Sprintf("the %s %s %s [%d]", map[bool]string{true: "latest", false: "first"}[tq.op == opLast], what, date, n))
		case tq.op == opLast:
			leads = append(leads, fmt.Sprintf("the latest %s the articles report was %s [%d]", what, date, n))
		case tq.op == opFirst:
			leads = append(leads, fmt.Sprintf("the first %s the articles report was %s [%d]", what, date, n))
		case tq.op == opNext:
			leads = append(leads, fmt.Sprintf("the next %s was planned %s [%d]", what, date, n))
		case tq.op == opAfter:
			leads = append(leads, fmt.Sprintf("the first %s after %s that the articles report was %s [%d]", what, found[1].ev.Date, date, n))
		case tq.op == opBefore:
			leads = append(leads, fmt.Sprintf("the last %s before %s that the articles report was %s [%d]", what, found[1].ev.Date, date, n))
		}
	}
	joined := strings.Join(leads, ", and ")
	lead := capitalizeFirst(joined) + "."
	if tq.op == opLast && len(found) > 0 {
		newestArt := found[0].art
		for _, d := range found {
			if d.art.Published.After(newestArt.Published) {
				newestArt = d.art
			}
		}
		if !newestArt.Published.IsZero() {
			lead = asOfPrefix(newestArt.Published, newestArt.Approximate, r.AsOf) + ": " + joined + "."
		}
	}
	b.Add(lead)
	for _, d := range found {
		b.Sentence(d.art, d.ev.Start, d.ev.End, nil)
	}
	return b.Answer()
}

// boldDate writes a date with its preposition, the date in bold: "in
// **April 2024**", "on **9 September 2021**".
func boldDate(d timex.Date) string {
	if d.Prec == timex.Season && strings.HasPrefix(d.String(), "the ") && strings.Contains(d.String(), " after ") {
		// "the weeks after 28 August 2024": planned for the coming weeks.
		span, from, _ := strings.Cut(d.String(), " after ")
		return "for **" + strings.Replace(span, "the ", "the coming ", 1) + "** (from " + from + ")"
	}
	p := onDate(d)
	for _, prep := range []string{"in ", "on "} {
		if strings.HasPrefix(p, prep) {
			return prep + "**" + strings.TrimPrefix(p, prep) + "**"
		}
	}
	return "**" + p + "**"
}

// renderDuration writes the time between two events (or from one to the
// as-of date), both cited.
func (e *Extractor) renderDuration(r Retrieval, from, to dated, toEvent bool) (qa.Answer, bool) {
	end := timex.OnDay(r.AsOf)
	if toEvent {
		end = to.ev.Date
	}
	span := timex.Between(from.ev.Date, end)
	if span == "" || from.ev.Date.Overlaps(end) {
		return qa.Answer{}, false
	}
	b := NewBuilder(r)
	refs := []int{b.Ref(from.art)}
	if toEvent && to.art.ID != from.art.ID {
		refs = append(refs, b.Ref(to.art))
	}
	endText := end.String()
	if !toEvent {
		endText += " (the date asked about)"
	}
	b.Add(fmt.Sprintf("**%s**: from %s to %s %s.", capitalizeFirst(span), from.ev.Date, endText, Markers(refs...)))
	b.Sentence(from.art, from.ev.Start, from.ev.End, nil)
	if toEvent {
		b.Sentence(to.art, to.ev.Start, to.ev.End, nil)
	}
	return b.Answer(), true
}

// renderCount writes how many events the articles report, listing their
// dates with citations, then their sentences.
func (e *Extractor) renderCount(r Retrieval, found []dated) qa.Answer {
	b := NewBuilder(r)
	var dates []string
	for _, d := range found {
		dates = append(dates, fmt.Sprintf("%s [%d]", boldDate(d.ev.Date), b.Ref(d.art)))
	}
	noun := actionNoun(found[0].ev.Action)
	lead := fmt.Sprintf("The articles report %s, %s; they may not report every one.", timex.Count(len(found), noun), ListJoin(dates))
	b.Add(lead)
	for _, d := range found {
		b.Sentence(d.art, d.ev.Start, d.ev.End, nil)
	}
	return b.Answer()
}

// ListJoin joins items as a person lists them: "a", "a and b", "a, b and
// c".
func ListJoin(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}

// leadWithAnswer puts the answer of a when/how long/how many/who/where
// question before the sentence that holds it, in bold: "**Wang Yi**: the
// agreement … came during a meeting … between … Sullivan and … Wang Yi".
// Other sentences keep their text, the answer marked where one is found.
func leadWithAnswer(q question.Question, s string) string {
	a, b, ok := answerspan.Find(q, s)
	if !ok {
		return s
	}
	switch q.Kind {
	case question.KindWhen, question.KindHowLong, question.KindHowMany, question.KindWho, question.KindWhere:
		return answerspan.Emphasis + strings.TrimRight(s[a:b], ".,;:") + answerspan.Emphasis + ": " + lowerFirstWord(s)
	}
	return s[:a] + answerspan.Emphasis + s[a:b] + answerspan.Emphasis + s[b:]
}

// labelRE matches the label some outlets open a paragraph with: "Driving
// the news: ", "The details: ", "Between the lines: ".
var labelRE = regexp.MustCompile(`^(\p{Lu}[\p{L}'’]*)((?: [\p{Ll}'’]+){0,3}): \p{Lu}`)

// withoutLabel drops such a label from a sentence of the answer (the
// citation's quote keeps it).
func withoutLabel(s string) string {
	m := labelRE.FindStringSubmatchIndex(s)
	if m == nil {
		return s
	}
	first := strings.ToLower(s[m[2]:m[3]])
	if !analysis.IsStop(first, false) && !question.QuestionWords[first] && !strings.HasSuffix(first, "ing") {
		return s // "Sullivan said: …" is no label
	}
	return s[m[1]-1:]
}
