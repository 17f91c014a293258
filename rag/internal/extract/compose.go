package extract

import (
	"fmt"
	"slices"
	"strings"

	"citebot/rag/internal/answerspan"
	"citebot/rag/internal/cite"
	"citebot/rag/internal/qa"
	"citebot/rag/internal/question"
	"citebot/rag/timex"
)

// NewBuilder returns an empty builder for the answer to r's question,
// with the question as read when that differs from the one asked.
func NewBuilder(r Retrieval) *cite.Builder {
	interpreted := ""
	if !SameWords(r.Read.Text, r.Question) {
		interpreted = r.Read.Text
	}
	return cite.New(r.Question, interpreted)
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
	if pub := chosen[0].art.Published; q.Recency && recencyKind(q) && !pub.IsZero() {
		b.EditFirst(func(s string) string { return asOfPrefix(pub, chosen[0].art.Approximate, r.AsOf) + joinPrefix(s) })
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
	b.Add(fmt.Sprintf("**%s**: from %s to %s %s.", capitalizeFirst(span), from.ev.Date, endText, cite.Markers(refs...)))
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
	lead := fmt.Sprintf("The articles report %s, %s; they may not report every one.", timex.Count(len(found), noun), cite.ListJoin(dates))
	b.Add(lead)
	for _, d := range found {
		b.Sentence(d.art, d.ev.Start, d.ev.End, nil)
	}
	return b.Answer()
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
