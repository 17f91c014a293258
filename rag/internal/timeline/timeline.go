// Package timeline lists the dated events the corpus reports on a topic,
// oldest first ([Build], behind rag.Index.Timeline): the articles about
// the topic are found by search, their dated events come from package
// events, an event is kept when its sentence (with the people it refers
// back to) is about the topic and, when the topic names kinds of events
// ("calls and meetings"), is of such a kind; the same event reported by
// several articles is listed once with all of them cited.
package timeline

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"citebot/corpus"
	"citebot/rag/events"
	"citebot/rag/internal/analysis"
	"citebot/rag/internal/filter"
	"citebot/rag/internal/index"
	"citebot/rag/internal/qa"
	"citebot/rag/internal/reading"
	"citebot/rag/textutil"
	"citebot/rag/timex"
)

// Query asks for the timeline of a topic.
type Query struct {
	// Topic is what the timeline is about: "Biden Xi calls and meetings",
	// "Hurricane Ian". Words naming kinds of events (call, meeting, visit,
	// agreement, announcement, cancellation, discovery) keep the timeline
	// to those kinds.
	Topic string
	// AsOf ignores articles published after it. Zero: no limit.
	AsOf time.Time
	// Filter keeps to the articles of an outlet or a period.
	Filter filter.Filter
	// Articles is how many of the best-matching articles are read. Default
	// DefaultArticles.
	Articles int
}

// DefaultArticles is how many articles a timeline reads by
// default.
const DefaultArticles = 40

// maxTimelineEvents caps the events of one timeline.
const maxTimelineEvents = 200

// Timeline is the dated events on a topic, oldest first. Its JSON form is
// the output of `citebot timeline --json`.
type Timeline struct {
	// Topic is the normalised topic.
	Topic string `json:"topic"`
	// Events are oldest first.
	Events []Event `json:"events"`
	// Citations are the articles the events cite, numbered from 1 in order
	// of first use; Quote is the sentence of the article's first event.
	Citations []qa.Citation `json:"citations"`
}

// Event is one dated event of a [Timeline].
type Event struct {
	// Date is the date at the precision the articles give: "9 September
	// 2021", "November 2023", "the weeks after 28 August 2024". From and
	// To (YYYY-MM-DD) are its first and last day.
	Date      string `json:"date"`
	From      string `json:"from"`
	To        string `json:"to"`
	Precision string `json:"precision"`
	// Planned reports an event that still lay ahead when every article
	// reporting it was written.
	Planned bool `json:"planned"`
	// Action is the kind of event: "call", "meeting", "visit", … or
	// "other".
	Action string `json:"action"`
	// Summary is one line from the sentence that reports the event.
	Summary string `json:"summary"`
	// Refs are the numbers of the citations of the articles that report
	// it.
	Refs []int `json:"refs"`
}

var precisionNames = map[timex.Precision]string{
	timex.Day: "day", timex.Week: "week", timex.Month: "month", timex.Season: "season", timex.Year: "year", timex.Decade: "decade",
}

// topicFillers are words of a timeline topic that say it is a timeline,
// not what about.
var topicFillers = map[string]bool{
	"timeline": true, "timelines": true, "event": true, "events": true, "history": true, "chronology": true,
	"happened": true, "happen": true, "news": true, "latest": true, "developments": true, "development": true,
	"updates": true, "update": true, "story": true, "stories": true, "coverage": true, "list": true,
}

// topicSpec is what a topic asks for: the kinds of events (none: any) and
// the index terms an event's sentence must be about.
type topicSpec struct {
	actions map[events.Action]bool
	terms   []string // distinct, most specific (highest IDF) first
}

// specOf analyses a topic.
func (ix timelineReader) specOf(topic string) topicSpec {
	v := ix.Vocabulary()
	sp := topicSpec{actions: map[events.Action]bool{}}
	for _, t := range analysis.Tokenize(topic) {
		if a, ok := events.ActionOf(t.Lower); ok {
			sp.actions[a] = true
			continue
		}
		if t.Term == "" || topicFillers[t.Lower] || slices.Contains(sp.terms, t.Term) {
			continue
		}
		sp.terms = append(sp.terms, t.Term)
	}
	slices.SortStableFunc(sp.terms, func(a, b string) int {
		x, y := v.ArticleIDF(a), v.ArticleIDF(b)
		switch {
		case x > y:
			return -1
		case x < y:
			return 1
		}
		return 0
	})
	return sp
}

// reportedByRE finds "they said" and the like: "they" as the people who
// report, not the people the sentence is about.
var reportedByRE = regexp.MustCompile(`(?i)\bthey\s+(?:said|say|says|told|added|reported|noted|believe[sd]?|think|thought|argued?|warned|declined|expect(?:ed)?)\b`)

// groupWordRE finds words that refer back to people named before.
var groupWordRE = regexp.MustCompile(`(?i)\b(?:they|their|them|both (?:sides|leaders|men|countries)|the (?:two|leaders|two leaders|two sides|two men|pair|presidents))\b`)

// refersBack reports whether a sentence refers to people named before
// other than as those who report ("they said").
func refersBack(s string) bool {
	n := len(groupWordRE.FindAllStringIndex(s, -1))
	return n > len(reportedByRE.FindAllStringIndex(s, -1))
}

// about reports whether event e, of an article titled title, is about
// the topic: its sentence, with the people the event names (those it
// takes from the sentence before only when it refers back to them other
// than as reporters), holds the topic's most specific term, and every
// term of the topic is there or in the title.
func (sp topicSpec) about(e events.Event, sentence, title string) bool {
	if len(sp.actions) > 0 && !sp.actions[e.Action] {
		return false
	}
	if len(sp.terms) == 0 {
		return true
	}
	own := topicTermSet(sentence)
	back := refersBack(sentence)
	for _, a := range e.Actors {
		if back || strings.Contains(sentence, a) {
			for t := range topicTermSet(a) {
				own[t] = true
			}
		}
	}
	if !own[sp.terms[0]] {
		return false
	}
	var inTitle map[string]bool
	for _, t := range sp.terms[1:] {
		if own[t] {
			continue
		}
		if inTitle == nil {
			inTitle = topicTermSet(title)
		}
		if !inTitle[t] {
			return false
		}
	}
	return true
}

func topicTermSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, t := range analysis.Terms(s) {
		m[t] = true
	}
	return m
}

// timelineItem is an event with the articles that report it.
type timelineItem struct {
	ev      events.Event // the report shown: the finest date, the shortest sentence
	art     *timelineArticle
	reports []report
	planned bool // every report is of a planned event
}

type report struct {
	art *timelineArticle
	ev  events.Event
}

// timelineArticle is an article a timeline draws on, with the passage by
// which the search found it.
type timelineArticle struct {
	art corpus.Article
	p   index.Passage
}

// sameEvent reports whether two reports are one event: package events'
// Same, and for events of no known kind the very same dates.
func sameEvent(a, b events.Event) bool {
	if !events.Same(a, b) {
		return false
	}
	return a.Action != events.Other || (a.Date.From.Equal(b.Date.From) && a.Date.To.Equal(b.Date.To))
}

// Build implements [rag.Index.Timeline].
func Build(ctx context.Context, ix *index.Index, q Query) (Timeline, error) {
	return timelineReader{reading.NewReader(ix)}.timeline(ctx, q)
}

// timelineReader reads the index for a timeline.
type timelineReader struct{ reading.Reader }

// timeline implements [Index.Timeline].
func (ix timelineReader) timeline(ctx context.Context, q Query) (Timeline, error) {
	topic, err := qa.NormalizeQuestion(q.Topic)
	if err != nil {
		return Timeline{}, err
	}
	n := q.Articles
	if n <= 0 {
		n = DefaultArticles
	}
	ps, err := ix.Search(ctx, topic, index.SearchOptions{K: n, PerArticle: 1, Before: q.AsOf, Filter: q.Filter, NoRecency: true})
	if err != nil {
		return Timeline{}, err
	}
	sp := ix.specOf(topic)
	var recs []*timelineArticle
	for _, p := range ps {
		recs = append(recs, &timelineArticle{art: p.Article, p: p})
	}

	items, err := ix.collectEvents(ctx, recs, sp)
	if err != nil {
		return Timeline{}, err
	}
	slices.SortStableFunc(items, func(a, b *timelineItem) int {
		if c := a.ev.Date.Compare(b.ev.Date); c != 0 {
			return c
		}
		return strings.Compare(a.art.art.ID, b.art.art.ID)
	})
	return timelineOf(topic, items[:min(len(items), maxTimelineEvents)]), nil
}

// collectEvents returns the events of recs that sp says are on the topic,
// reports of one event merged into one item.
func (ix timelineReader) collectEvents(ctx context.Context, recs []*timelineArticle, sp topicSpec) ([]*timelineItem, error) {
	var items []*timelineItem
	for _, r := range recs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		for _, e := range ix.Events(r.p) {
			sentence := r.art.Text[e.Start:e.End]
			if !sp.about(e, sentence, r.art.Title) {
				continue
			}
			planned := e.Planned || (!r.art.Published.IsZero() && e.Date.Mid().After(r.art.Published))
			items = addReport(items, report{r, e}, planned)
		}
	}
	return items, nil
}

// addReport adds rep to the item of its event in items, or as a new item.
// An item shows its finest dated report, then its shortest sentence.
func addReport(items []*timelineItem, rep report, planned bool) []*timelineItem {
	e, r := rep.ev, rep.art
	for _, it := range items {
		if sameEvent(it.ev, e) {
			it.reports = append(it.reports, rep)
			it.planned = it.planned && planned
			if e.Date.Prec < it.ev.Date.Prec || e.Date.Prec == it.ev.Date.Prec && e.End-e.Start < it.ev.End-it.ev.Start {
				it.ev, it.art = e, r
			}
			return items
		}
	}
	return append(items, &timelineItem{ev: e, art: r, reports: []report{rep}, planned: planned})
}

// timelineOf renders items as the Timeline of topic, citing each article
// once, numbered in order of first mention.
func timelineOf(topic string, items []*timelineItem) Timeline {
	tl := Timeline{Topic: topic, Events: []Event{}, Citations: []qa.Citation{}}
	refOf := map[string]int{}
	for _, it := range items {
		te := Event{
			Date: it.ev.Date.String(), From: it.ev.Date.From.Format(time.DateOnly), To: it.ev.Date.To.Format(time.DateOnly),
			Precision: precisionNames[it.ev.Date.Prec], Planned: it.planned, Action: it.ev.Action.String(),
			Summary: summarize(it.art.art.Text, it.ev),
		}
		for _, rep := range it.reports {
			a := rep.art.art
			ref, ok := refOf[a.ID]
			if !ok {
				ref = len(tl.Citations) + 1
				refOf[a.ID] = ref
				tl.Citations = append(tl.Citations, qa.Citation{
					Ref: ref, ArticleID: a.ID, Title: a.Title, Source: a.Source, Published: a.PublishedString(), URL: a.URL,
					Quote: textutil.OneLine(a.Text[rep.ev.Start:rep.ev.End]), Approximate: a.Approximate,
				})
			}
			if !slices.Contains(te.Refs, ref) {
				te.Refs = append(te.Refs, ref)
			}
		}
		slices.Sort(te.Refs)
		tl.Events = append(tl.Events, te)
	}
	return tl
}

// maxSummary is the longest event summary, in characters.
const maxSummary = 200

// summaryCutRE finds the places a sentence may be cut: after a comma,
// semicolon or colon, around a dash.
var summaryCutRE = regexp.MustCompile(`[,;:]\s+|\s+[—–-]\s+`)

// summarize returns one line from the sentence of e: the sentence when
// short, else the clauses around its date, with "…" where cut.
func summarize(text string, e events.Event) string {
	s := textutil.OneLine(text[e.Start:e.End])
	if utf8.RuneCountInString(s) <= maxSummary {
		return s
	}
	sent := text[e.Start:e.End]
	// Clause boundaries, as offsets in sent.
	cuts := []int{0}
	for _, m := range summaryCutRE.FindAllStringIndex(sent, -1) {
		cuts = append(cuts, m[1])
	}
	cuts = append(cuts, len(sent))
	at := e.WhenStart - e.Start
	i := 0 // the clause holding the date: sent[cuts[i]:cuts[i+1]]
	for i+2 < len(cuts) && cuts[i+1] <= at {
		i++
	}
	from, to := i, i+1
	fits := func(a, b int) bool {
		return utf8.RuneCountInString(textutil.OneLine(sent[cuts[a]:cuts[b]])) <= maxSummary-2
	}
	for {
		grown := false
		if from > 0 && fits(from-1, to) {
			from--
			grown = true
		}
		if to < len(cuts)-1 && fits(from, to+1) {
			to++
			grown = true
		}
		if !grown {
			break
		}
	}
	out := strings.TrimRight(textutil.OneLine(sent[cuts[from]:cuts[to]]), ",;: —–-")
	if utf8.RuneCountInString(out) > maxSummary-2 {
		out = cutWords(out, maxSummary-2)
	}
	head, tail := strings.HasPrefix(s, out), strings.HasSuffix(s, out)
	if !tail {
		out += "…"
	}
	if !head {
		out = "…" + out
	}
	return out
}

// cutWords shortens s to at most n characters at a word boundary.
func cutWords(s string, n int) string {
	rs := []rune(s)
	if len(rs) <= n {
		return s
	}
	cut := n
	for cut > n/2 && rs[cut] != ' ' {
		cut--
	}
	return strings.TrimRight(string(rs[:cut]), " ,;:")
}

// String writes the timeline for people: one line per event, "date —
// summary [refs]", planned events marked "planned:", then the sources.
func (tl Timeline) String() string {
	var b strings.Builder
	if len(tl.Events) == 0 {
		fmt.Fprintf(&b, "No dated events on “%s” in the corpus.\n", tl.Topic)
		return b.String()
	}
	fmt.Fprintf(&b, "Timeline: %s (%s, oldest first)\n\n", tl.Topic, timex.Plural(len(tl.Events), "event"))
	for _, e := range tl.Events {
		b.WriteString(e.Line())
		b.WriteByte('\n')
	}
	b.WriteString("\nSources:\n")
	for _, c := range tl.Citations {
		fmt.Fprintf(&b, "[%d] %s\n", c.Ref, c)
	}
	return b.String()
}

// Line writes one event as "9 September 2021 — summary [1][2]", with
// "planned: " before the summary of a planned event.
func (e Event) Line() string {
	var b strings.Builder
	b.WriteString(e.Date)
	b.WriteString(" — ")
	if e.Planned {
		b.WriteString("planned: ")
	}
	b.WriteString(e.Summary)
	b.WriteByte(' ')
	for _, r := range e.Refs {
		fmt.Fprintf(&b, "[%d]", r)
	}
	return b.String()
}
