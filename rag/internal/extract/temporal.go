package extract

import (
	"context"
	"math"
	"regexp"
	"slices"
	"strings"
	"time"

	"citebot/corpus"
	"citebot/rag/events"
	"citebot/rag/internal/analysis"
	"citebot/rag/internal/answerspan"
	"citebot/rag/internal/index"
	"citebot/rag/internal/qa"
	"citebot/rag/internal/question"
	"citebot/rag/timex"
)

// Questions about order in time ("when did they last speak?", "how long
// after the summit did …?") are answered from the dated events of the
// retrieved articles (package events) rather than from the sentence that
// matches best: the newest matching event wins, not the newest article.

// temporalOp is what a question asks of the timeline.
type temporalOp uint8

const (
	opNone    temporalOp = iota
	opLast               // the newest matching event up to the as-of date
	opFirst              // the oldest
	opNext               // the next planned one
	opAfter              // the first after an anchor event
	opBefore             // the last before an anchor event
	opSince              // the time from an anchor event to a reference date or event
	opBetween            // the time between two anchor events
	opCount              // how many times: the distinct matching events
)

// timeQuestion is the temporal reading of a question.
type timeQuestion struct {
	op temporalOp
	// anchor and anchor2 describe the events the question measures from
	// ("the bali summit"); target is the rest, what is asked about.
	anchor, anchor2, target string
	// actions are the kinds of event the target names: "talk" is a call
	// or a meeting, "meet in person" a meeting.
	actions []events.Action
}

var (
	betweenRE   = regexp.MustCompile(`^how (?:long|much time|many (?:days|weeks|months|years))(?: (?:passed|elapsed|went by|was there|is there|was it|has it been|had it been|were there))? between (.+?) and (.+?)\W*$`)
	afterThenRE = regexp.MustCompile(`^how (?:long|much time|many (?:days|weeks|months|years)) (?:after|following) (.+?) (?:did|was|were|had|has|does|do|is|are|before|until|till|when) (.+?)\W*$`)
	beforeRE    = regexp.MustCompile(`^how (?:long|much time|many (?:days|weeks|months|years)) before (.+?) (?:did|was|were|had|has|does|do|is|are) (.+?)\W*$`)
	sinceRE     = regexp.MustCompile(`^how (?:long|much time|many (?:days|weeks|months|years))(?: (?:has|had|is|was) it been| it(?:'s| has| had)? been| (?:is|was) it)? since (.+?)(?: when (.+?))?\W*$`)
	countRE     = regexp.MustCompile(`^how (?:many times|often)\b|^how many (?:calls|meetings|summits|visits|trips|talks|conversations|phone calls|agreements|deals)\b`)
	agoRE       = regexp.MustCompile(`^how (?:long|many (?:days|weeks|months|years)) ago (?:was|did|were|had|has) (.+?)\W*$`)
	lastOpRE    = regexp.MustCompile(`\b(?:last|latest|most recent(?:ly)?|newest)\b`)
	firstOpRE   = regexp.MustCompile(`\b(?:first|earliest)\b`)
	nextOpRE    = regexp.MustCompile(`\b(?:next|upcoming|supposed to|going to|will|scheduled|planned|set to)\b`)
	afterOpRE   = regexp.MustCompile(`\b(?:after|following) (.+?)(?:,|\?| when\b| did\b| was\b| were\b| had\b|$)`)
	beforeOpRE  = regexp.MustCompile(`\bbefore (.+?)(?:,|\?| when\b| did\b| was\b| were\b| had\b|$)`)
	// opWords say what to do with the timeline, not what happened.
	opWordsRE = regexp.MustCompile(`\b(?:last|latest|most recent(?:ly)?|newest|first|earliest|next|upcoming|time|times|happen(?:ed|s)?|occur(?:red|s)?|take place|took place|supposed to|going to|scheduled|planned|again|finally|ever|one)\b`)
)

// parseTime reads the temporal operation of a question, given in lower
// case as read.
func parseTime(text string, kind question.Kind) timeQuestion {
	s := strings.ToLower(strings.TrimSpace(text))
	full := s
	// A two-part question ("did they talk again? when was the latest
	// one") is read by its wh-part, and the whole says what it is about.
	if i := strings.Index(s, "?"); i >= 0 && i < len(s)-1 {
		if rest := strings.TrimSpace(s[i+1:]); question.WhenRE.MatchString(rest) || question.HowLongRE.MatchString(rest) {
			s = rest
		}
	}
	var t timeQuestion
	switch {
	case betweenRE.MatchString(s), afterThenRE.MatchString(s):
		m := firstSubmatch(s, betweenRE, afterThenRE)
		t = timeQuestion{op: opBetween, anchor: m[1], anchor2: m[2]}
	case beforeRE.MatchString(s):
		m := beforeRE.FindStringSubmatch(s)
		t = timeQuestion{op: opBetween, anchor: m[2], anchor2: m[1]}
	case sinceRE.MatchString(s):
		m := sinceRE.FindStringSubmatch(s)
		t = timeQuestion{op: opSince, anchor: m[1], anchor2: m[2]}
	case agoRE.MatchString(s):
		t = timeQuestion{op: opSince, anchor: agoRE.FindStringSubmatch(s)[1]}
	case countRE.MatchString(s) && actionsOf(s) != nil:
		t = timeQuestion{op: opCount, target: full}
	case kind != question.KindWhen && kind != question.KindWhere:
		return timeQuestion{}
	case afterOpRE.MatchString(s) && !lastOpRE.MatchString(s):
		m := afterOpRE.FindStringSubmatchIndex(s)
		t = timeQuestion{op: opAfter, anchor: s[m[2]:m[3]], target: s[:m[0]] + " " + s[m[1]:]}
	case beforeOpRE.MatchString(s) && !lastOpRE.MatchString(s):
		m := beforeOpRE.FindStringSubmatchIndex(s)
		t = timeQuestion{op: opBefore, anchor: s[m[2]:m[3]], target: s[:m[0]] + " " + s[m[1]:]}
	case lastOpRE.MatchString(s):
		t = timeQuestion{op: opLast, target: full}
	case firstOpRE.MatchString(s):
		t = timeQuestion{op: opFirst, target: full}
	case nextOpRE.MatchString(s):
		t = timeQuestion{op: opNext, target: full}
	default:
		return timeQuestion{}
	}
	if t.target == "" {
		t.target = t.anchor
		if t.op == opBetween {
			t.target = t.anchor2
		}
	}
	t.actions = actionsOf(t.target)
	return t
}

// firstSubmatch returns the submatches of s of the first of res that
// matches it, nil when none does.
func firstSubmatch(s string, res ...*regexp.Regexp) []string {
	for _, re := range res {
		if m := re.FindStringSubmatch(s); m != nil {
			return m
		}
	}
	return nil
}

// actionWords maps words of a question to the kinds of event they ask
// about.
var actionWords = []struct {
	re      *regexp.Regexp
	actions []events.Action
}{
	{regexp.MustCompile(`\b(?:in person|in-person|face to face|face-to-face|sit down|sat down|sit-down|(?:see|saw|seen|seeing) each other)\b`), []events.Action{events.Meet}},
	{regexp.MustCompile(`\b(?:talk|talks|talked|talking|speak|speaks|spoke|spoken|chat|chats|chatted|contact|communicat\w*|convers\w*)\b`), []events.Action{events.Call, events.Meet}},
	{regexp.MustCompile(`\b(?:call|calls|called|phone|phoned|telephone\w*|video|virtual|videoconference\w*)\b`), []events.Action{events.Call}},
	{regexp.MustCompile(`\b(?:meet|meets|met|meeting|meetings|summit|summits)\b`), []events.Action{events.Meet}},
	{regexp.MustCompile(`\b(?:visit\w*|trip|trips|travel\w*)\b`), []events.Action{events.Visit, events.Meet}},
	{regexp.MustCompile(`\b(?:sign|signed|signing|agree|agreed|agreement|deal|accord|treaty)\b`), []events.Action{events.Agree}},
	{regexp.MustCompile(`\b(?:cancel\w*|postpone\w*|scrap\w*)\b`), []events.Action{events.Cancel}},
	{regexp.MustCompile(`\b(?:found|discover\w*|spotted|detected)\b`), []events.Action{events.Discover}},
}

// actionsOf returns the kinds of event a text asks about; the first
// matching group wins ("meet in person" is a meeting, not a talk).
func actionsOf(s string) []events.Action {
	for _, a := range actionWords {
		if a.re.MatchString(s) {
			return a.actions
		}
	}
	return nil
}

// eventSpec is what an event must match: key terms (all present), content
// terms (IDF-weighted coverage) and kinds of action.
type eventSpec struct {
	keys    []string
	terms   []qterm
	total   float64
	actions []events.Action
	// date is a period the description names ("in 2022"); after and
	// before bound it ("since February", "by fall 2024").
	date, after, before timex.Date
}

// vague reports a description too thin to pick events by: no kind of
// action and no name.
func (sp eventSpec) vague() bool { return len(sp.actions) == 0 && len(sp.keys) == 0 }

// lightVerbs say little about what happened: "when did they get on the
// phone", "did it happen".
var lightVerbs = map[string]bool{}

func init() {
	for _, w := range strings.Fields("get got gotten gets do did does done make made have had has take took taken go went gone come came be happen happened occur occurred hold held") {
		for _, t := range analysis.Terms(w) {
			lightVerbs[t] = true
		}
	}
}

// spec builds the event description of a text of the question.
func (e *Extractor) spec(text string, q question.Question, asOf time.Time) eventSpec {
	lx := e.Ix.Vocabulary()
	var sp eventSpec
	sp.actions = actionsOf(text)
	for _, m := range timex.FindWith(text, timex.Options{Ref: asOf, Casual: true}) {
		if m.Vague {
			continue
		}
		switch m.Prep {
		case "after", "since", "following":
			sp.after = m.Date
		case "before", "by", "until", "till":
			sp.before = m.Date
		default:
			sp.date = m.Date
		}
	}
	actionTerms := map[string]bool{}
	for _, a := range actionWords {
		for _, m := range a.re.FindAllString(text, -1) {
			for _, t := range analysis.Terms(m) {
				actionTerms[t] = true
			}
		}
	}
	skip := map[string]bool{}
	for _, m := range opWordsRE.FindAllString(text, -1) {
		for _, t := range analysis.Terms(m) {
			skip[t] = true
		}
	}
	for _, m := range timex.FindWith(text, timex.Options{Ref: asOf, Casual: true}) {
		for _, t := range analysis.Terms(m.Text) {
			skip[t] = true
		}
	}
	keys := map[string]bool{}
	for _, k := range q.Keys {
		keys[k] = true
	}
	seen := map[string]bool{}
	for _, t := range analysis.Terms(text) {
		if seen[t] || skip[t] || q.DateTerms[t] || lightVerbs[t] {
			continue
		}
		seen[t] = true
		if keys[t] {
			sp.keys = append(sp.keys, t)
		}
		if actionTerms[t] && len(sp.actions) > 0 {
			continue // matched by the event's action instead
		}
		qt := qterm{term: t, weight: math.Min(lx.IDF(t), maxEventTermWeight), key: keys[t]}
		qt.id, qt.known = e.Ix.TermID(t)
		for _, syn := range analysis.Synonyms(t) {
			if id, ok := e.Ix.TermID(syn); ok {
				qt.syns = append(qt.syns, id)
			}
		}
		if !qt.known && !qt.key {
			qt.weight = math.Min(qt.weight, oovWeight)
		}
		sp.terms = append(sp.terms, qt)
		sp.total += qt.weight
	}
	return sp
}

// maxEventTermWeight caps a term's IDF in event matching, so that one rare
// word does not decide alone.
const maxEventTermWeight = 4.0

// minEventCoverage is the share of a description's content an event's
// sentence must hold.
const minEventCoverage = 0.6

// dated is an event with its article and how well it matches.
type dated struct {
	ev  events.Event
	art corpus.Article
	// coverage is the IDF-weighted share of the description's terms in
	// the event's sentence (and the names it inherits); nearest reports
	// that the action word nearest the date is of a kind asked about.
	coverage float64
	nearest  bool
}

// articleEvents returns the dated events of the articles of passages, the
// articles in order of first appearance.
func (e *Extractor) articleEvents(passages []index.Passage) [][]dated {
	var out [][]dated
	seen := map[string]bool{}
	for _, p := range passages {
		if seen[p.ArticleID] {
			continue
		}
		seen[p.ArticleID] = true
		evs := e.Ix.Events(p)
		ds := make([]dated, len(evs))
		for i, ev := range evs {
			ds[i] = dated{ev: ev, art: p.Article}
		}
		out = append(out, ds)
	}
	return out
}

// match returns the events that fit sp, with their coverage.
func (e *Extractor) match(all [][]dated, sp eventSpec) []dated {
	var out []dated
	for _, art := range all {
		for _, d := range art {
			if m, ok := e.fit(d, sp); ok {
				out = append(out, m)
			}
		}
	}
	return out
}

// fit scores one event against a description.
func (e *Extractor) fit(d dated, sp eventSpec) (dated, bool) {
	ev := d.ev
	if len(sp.actions) > 0 {
		// The date belongs to the action word nearest to it; another
		// action word near the date counts only when that one is of no
		// kind.
		d.nearest = slices.Contains(sp.actions, ev.Action)
		if !d.nearest && (ev.Action != events.Other || !slices.ContainsFunc(ev.Actions, func(a events.Action) bool { return slices.Contains(sp.actions, a) })) {
			return d, false
		}
	}
	if (!sp.date.IsZero() && !sp.date.Overlaps(ev.Date)) || (!sp.after.IsZero() && !ev.Date.From.After(sp.after.To)) ||
		(!sp.before.IsZero() && ev.Date.From.After(sp.before.To)) {
		return d, false
	}
	text := d.art.Text[ev.Start:ev.End] + " " + strings.Join(ev.Actors, " ")
	set := newIDSet(e.Ix.TextIDs(text))
	missing := 0
	for _, k := range sp.keys {
		if id, ok := e.Ix.TermID(k); !ok || !set[id] {
			missing++
		}
	}
	if missing > 0 && (len(sp.keys) < 3 || missing > 1) {
		return d, false
	}
	if sp.total == 0 {
		d.coverage = 1
		return d, true
	}
	got := 0.0
	for _, t := range sp.terms {
		switch {
		case t.known && set[t.id]:
			got += t.weight
		case anyIn(set, t.syns):
			got += synonymCredit * t.weight
		}
	}
	d.coverage = got / sp.total
	return d, d.coverage >= minEventCoverage
}

// temporal answers a question about order in time from events, or reports
// false to leave it to the sentence answer.
func (e *Extractor) temporal(q question.Question, tq timeQuestion, r Retrieval) (qa.Answer, bool) {
	if tq.op == opNone || tq.op == opCount || len(r.Passages) == 0 {
		return qa.Answer{}, false
	}
	t := temporalCase{q: q, tq: tq, r: r}
	t.all = e.articleEvents(append(slices.Clone(r.Passages), r.timeline...))
	t.target = e.spec(tq.target, q, r.AsOf)
	if t.target.vague() && tq.op != opSince && tq.op != opBetween {
		return qa.Answer{}, false
	}
	switch tq.op {
	case opLast, opFirst:
		return e.lastOrFirst(t)
	case opNext:
		return e.nextPlanned(t)
	case opAfter, opBefore:
		return e.afterOrBefore(t)
	case opSince, opBetween:
		return e.duration(t)
	}
	return qa.Answer{}, false
}

// temporalCase is a question about order in time with what it is answered
// from.
type temporalCase struct {
	q      question.Question
	tq     timeQuestion
	r      Retrieval
	all    [][]dated // the events of the retrieved articles
	target eventSpec // what the question asks about
}

// past keeps the events of ds that happened by the question's date.
func (t temporalCase) past(ds []dated) []dated {
	var out []dated
	for _, d := range ds {
		if !d.ev.Planned && !d.ev.Date.From.After(t.r.AsOf) {
			out = append(out, d)
		}
	}
	return out
}

// lastOrFirst answers "when did they last (first) talk?": the newest
// (oldest) past event on the target.
func (e *Extractor) lastOrFirst(t temporalCase) (qa.Answer, bool) {
	cands := t.past(e.match(t.all, t.target))
	pick := picker(t.tq.op != opFirst)
	best, ok := pick(cands)
	if !ok {
		return qa.Answer{}, false
	}
	found := []dated{best}
	// "When did they last talk?" asks for calls and meetings: name the
	// latest of the other kind too.
	if len(t.target.actions) > 1 {
		for _, a := range t.target.actions {
			if a == best.ev.Action {
				continue
			}
			var other []dated
			for _, c := range cands {
				if c.ev.Action == a {
					other = append(other, c)
				}
			}
			if o, ok := pick(other); ok && o.ev.Start != best.ev.Start {
				found = append(found, o)
			}
		}
	}
	if t.q.Kind == question.KindWhere {
		return e.renderPlace(t.r, t.q, best)
	}
	return e.renderEvents(t.r, t.tq, found), true
}

// nextPlanned answers "when will they next meet?": the plan that the
// newest article reports, still ahead on the question's date.
func (e *Extractor) nextPlanned(t temporalCase) (qa.Answer, bool) {
	var plans []dated
	for _, d := range e.match(t.all, t.target) {
		if d.ev.Planned && !d.art.Published.After(t.r.AsOf) && !d.ev.Date.To.Before(t.r.AsOf) {
			plans = append(plans, d)
		}
	}
	// The plan in the newest article is the current one.
	slices.SortStableFunc(plans, func(a, b dated) int { return b.art.Published.Compare(a.art.Published) })
	if len(plans) == 0 {
		return qa.Answer{}, false
	}
	if t.q.Kind == question.KindWhere {
		return e.renderPlace(t.r, t.q, plans[0])
	}
	return e.renderEvents(t.r, t.tq, plans[:1]), true
}

// afterOrBefore answers "when did they next talk after the summit?": the
// first past event on the target after the anchor event (the last one
// before it).
func (e *Extractor) afterOrBefore(t temporalCase) (qa.Answer, bool) {
	anchor, ok := e.anchor(t.all, t.tq.anchor, t.q, t.r.AsOf)
	if !ok {
		return qa.Answer{}, false
	}
	var cands []dated
	for _, d := range t.past(e.match(t.all, t.target)) {
		if (t.tq.op == opAfter && d.ev.Date.From.After(anchor.ev.Date.To)) || (t.tq.op == opBefore && d.ev.Date.To.Before(anchor.ev.Date.From)) {
			cands = append(cands, d)
		}
	}
	best, ok := picker(t.tq.op == opBefore)(cands)
	if !ok {
		return qa.Answer{}, false
	}
	if t.q.Kind == question.KindWhere {
		return e.renderPlace(t.r, t.q, best)
	}
	return e.renderEvents(t.r, t.tq, []dated{best, anchor}), true
}

// picker returns newest, or oldest when wantNewest is false.
func picker(wantNewest bool) func([]dated) (dated, bool) {
	if wantNewest {
		return newest
	}
	return oldest
}

// duration answers "how long since …" and "how long between … and …": the
// time from one anchor event to the other, or to the question's date.
func (e *Extractor) duration(t temporalCase) (qa.Answer, bool) {
	tq := t.tq
	from, ok := e.anchor(t.all, tq.anchor, t.q, t.r.AsOf)
	if !ok {
		return qa.Answer{}, false
	}
	var to dated
	if tq.anchor2 != "" {
		if to, ok = e.anchor(t.all, tq.anchor2, t.q, t.r.AsOf); !ok {
			return qa.Answer{}, false
		}
	}
	if tq.op == opSince && tq.anchor2 != "" {
		// "How long had it been since they last talked when they got
		// on the phone in September 2021?": the last matching event
		// before the reference one.
		var before []dated
		for _, d := range t.past(e.match(t.all, e.spec(tq.anchor, t.q, t.r.AsOf))) {
			if d.ev.Date.To.Before(to.ev.Date.From) {
				before = append(before, d)
			}
		}
		if from, ok = newest(before); !ok {
			return qa.Answer{}, false
		}
	}
	if tq.op == opBetween && to.ev.Date.Before(from.ev.Date) {
		from, to = to, from
	}
	return e.renderDuration(t.r, from, to, tq.anchor2 != "")
}

// timelineK is how many passages (one per article) are searched for each
// part of a question about order in time, beside the question's own.
const timelineK = 12

// timelinePassages searches for the parts of a temporal question (what is
// asked about, and the events it is measured from) separately, so that
// the articles about each are among those whose events are read: "after
// the spy balloon, when did they next speak?" needs the articles about
// calls as well as the one about the balloon.
func (e *Extractor) timelinePassages(ctx context.Context, tq timeQuestion, asOf time.Time) ([]index.Passage, error) {
	if tq.op == opNone {
		return nil, nil
	}
	// Supplementary searches: by keywords, and not traced as retrievals
	// of their own.
	ctx = index.WithSearchTrace(ctx, nil)
	var out []index.Passage
	for _, text := range []string{tq.target, tq.anchor, tq.anchor2} {
		if strings.TrimSpace(text) == "" {
			continue
		}
		ps, err := e.Ix.Search(ctx, text, index.SearchOptions{K: timelineK, PerArticle: 1, Before: asOf, KeywordsOnly: true})
		if err != nil {
			return nil, err
		}
		out = append(out, ps...)
	}
	return out, nil
}

// anchor finds the event a phrase of the question describes ("the bali
// summit", "their feb call"): the best-covered matching event, the
// newest of equals. A phrase that names its date ("in sept 2021") must
// match it.
func (e *Extractor) anchor(all [][]dated, phrase string, q question.Question, asOf time.Time) (dated, bool) {
	sp := e.spec(phrase, q, asOf)
	var best dated
	found := false
	for _, d := range e.match(all, sp) {
		if d.ev.Date.From.After(asOf) {
			continue
		}
		if !found || d.coverage > best.coverage+1e-9 || (math.Abs(d.coverage-best.coverage) < 1e-9 && preferEvent(d, best)) {
			best, found = d, true
		}
	}
	return best, found
}

// preferEvent prefers a reported event to a planned one, a finer date, then a
// newer article.
func preferEvent(a, b dated) bool {
	switch {
	case a.ev.Planned != b.ev.Planned:
		return !a.ev.Planned
	case a.nearest != b.nearest:
		return a.nearest
	case a.ev.Date.Prec != b.ev.Date.Prec:
		return a.ev.Date.Prec < b.ev.Date.Prec
	}
	return a.art.Published.After(b.art.Published)
}

// newest returns the latest event of ds; among events of overlapping
// dates the better one (see preferEvent).
func newest(ds []dated) (dated, bool) { return pickBy(ds, 1) }

// oldest returns the earliest event of ds.
func oldest(ds []dated) (dated, bool) { return pickBy(ds, -1) }

func pickBy(ds []dated, sign int) (dated, bool) {
	return events.Extreme(ds, func(d dated) timex.Date { return d.ev.Date }, sign, preferEvent)
}

// onDate writes a date with its preposition: "on 9 September 2021", "in
// April 2024", "in the week of 30 August 2021".
func onDate(d timex.Date) string {
	switch d.Prec {
	case timex.Day:
		return "on " + d.String()
	case timex.Season:
		if s := d.String(); strings.HasPrefix(s, "by ") || strings.HasPrefix(s, "the ") || strings.HasPrefix(s, "soon ") {
			return s
		}
	}
	return "in " + d.String()
}

// actionNoun names an event's kind in a lead sentence.
func actionNoun(a events.Action) string {
	switch a {
	case events.Call:
		return "call"
	case events.Meet:
		return "in-person meeting"
	case events.Visit:
		return "visit"
	case events.Agree:
		return "agreement"
	case events.Announce:
		return "announcement"
	case events.Cancel:
		return "cancellation"
	case events.Discover:
		return "discovery"
	}
	return "event"
}

func capitalizeFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// countEvents answers "how many times have they met (and where)?" when no
// sentence states the number: the distinct matching events the articles
// report up to the as-of date, each cited, with the caveat that the
// articles may not report every one.
func (e *Extractor) countEvents(q question.Question, tq timeQuestion, r Retrieval) (qa.Answer, bool) {
	target := e.spec(tq.target, q, r.AsOf)
	if len(target.actions) == 0 || len(target.keys) == 0 {
		return qa.Answer{}, false
	}
	var found []dated
	for _, d := range e.match(e.articleEvents(append(slices.Clone(r.Passages), r.timeline...)), target) {
		if d.ev.Planned || d.ev.Date.From.After(r.AsOf) || !d.nearest {
			continue
		}
		dup := false
		for i, f := range found {
			if events.Same(f.ev, d.ev) {
				dup = true
				if preferEvent(d, f) {
					found[i] = d
				}
				break
			}
		}
		if !dup {
			found = append(found, d)
		}
	}
	if len(found) == 0 {
		return qa.Answer{}, false
	}
	slices.SortFunc(found, func(a, b dated) int { return a.ev.Date.Compare(b.ev.Date) })
	return e.renderCount(r, found), true
}

// renderPlace answers a where-question about a dated event ("where did
// they meet before November 2023?") with the event's sentence, its place
// leading (the event already matched what is asked), or reports false
// when the sentence names no place, so that the question is answered as
// any other.
func (e *Extractor) renderPlace(r Retrieval, q question.Question, d dated) (qa.Answer, bool) {
	s := d.art.Text[d.ev.Start:d.ev.End]
	if _, _, ok := answerspan.Find(q, s); !ok {
		return qa.Answer{}, false
	}
	return e.render(r, q, []*candidate{{art: d.art, start: d.ev.Start, end: d.ev.End, text: s, prevStart: -1}}), true
}
