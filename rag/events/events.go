// Package events finds the dated events that news articles report: every
// sentence with a date it can resolve (see package timex) yields an event
// with that date at its precision, whether it had happened or was still
// planned when the article was written, what kind of thing happened (a
// call, a meeting, a visit, an agreement …) and who took part.
//
// "Biden and Xi’s last phone call — their fifth — took place in July", in
// an article of 13 March 2023, is a Call in July 2022 by Biden and Xi;
// "Sullivan is expected to host a press conference Thursday" is a planned
// event on the Thursday after publication. Events order answers to "when
// did they last speak?", "how long after the summit …?" and a timeline of
// a topic.
package events

import (
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"citebot/corpus"
	"citebot/rag/timex"
)

// Action is the kind of thing an event is.
type Action uint8

// Actions. A virtual meeting or video conference is a Call; talks between
// officials are a Meet.
const (
	Other Action = iota
	Call
	Meet
	Visit
	Agree
	Announce
	Cancel
	Discover
)

var actionNames = []string{"other", "call", "meeting", "visit", "agreement", "announcement", "cancellation", "discovery"}

// String names the action: "call", "meeting".
func (a Action) String() string {
	if int(a) < len(actionNames) {
		return actionNames[a]
	}
	return "other"
}

// Span is a sentence of an article text, as byte offsets.
type Span struct{ Start, End int }

// Event is a dated happening that one sentence of an article reports.
type Event struct {
	// Article is the id of the article.
	Article string
	// Sentence indexes the article's sentences; Start and End are its byte
	// offsets in the article text.
	Sentence   int
	Start, End int
	// Date is when it happened or is to happen, and When the expression
	// that says so, at WhenStart:WhenEnd in the article text.
	Date               timex.Date
	When               string
	WhenStart, WhenEnd int
	// Relative reports that the date was resolved against the
	// publication date ("last Friday").
	Relative bool
	// Planned reports an event that lay in the future when the article was
	// written: "is expected to host a press conference Thursday".
	Planned bool
	// Action is the kind of event: that of the action word nearest to the
	// date, at most ten words (names aside) away. Actions lists the kinds
	// of all action words that near.
	Action  Action
	Actions []Action
	// Actors are the names of those who took part, as written ("Joe Biden",
	// "Xi Jinping"). A sentence that speaks of "they" or "the two leaders"
	// before naming two people takes the names of the sentence before it.
	Actors []string
}

// Extract returns the events of an article whose sentences are given, in
// text order. Without a publication date only absolute dates are used.
func Extract(a corpus.Article, sentences []Span) []Event {
	var out []Event
	// The names of the sentences so far are worked out only when a dated
	// sentence needs them: most sentences have no date.
	named := -1 // sentences[:named+1] have had their names looked at
	var prevActors []string
	actorsOf := func(i int) []string {
		for named < i {
			named++
			s := a.Text[sentences[named].Start:sentences[named].End]
			actors := names(s)
			// "They", "their", "the two leaders" are the people named
			// before, unless the sentence has named two already ("a
			// meeting between Blinken and Wang Yi last Friday, both sides
			// emphasized …").
			if loc := groupRE.FindStringIndex(s); loc != nil && len(names(s[:loc[0]])) < 2 {
				actors = union(actors, prevActors)
			}
			if len(actors) > 0 {
				prevActors = actors
			}
			if named == i {
				return actors
			}
		}
		return nil
	}
	for i, sp := range sentences {
		s := a.Text[sp.Start:sp.End]
		ms := timex.Find(s, a.Published)
		if len(ms) == 0 {
			continue
		}
		if named < i-2 {
			named, prevActors = i-2, nil // only the sentence before can lend names
		}
		actors := actorsOf(i)
		acts := actions(s)
		future := futureRE.MatchString(s)
		for _, m := range ms {
			if m.Date.Prec == timex.Decade {
				continue
			}
			near := within(s, acts, m.Start, m.End)
			ev := Event{
				Article: a.ID, Sentence: i, Start: sp.Start, End: sp.End,
				Date: m.Date, When: m.Text, WhenStart: sp.Start + m.Start, WhenEnd: sp.Start + m.End,
				Relative: m.Relative, Action: nearest(near, m.Start, m.End), Actors: actors,
			}
			for _, w := range near {
				if !slices.Contains(ev.Actions, w.action) {
					ev.Actions = append(ev.Actions, w.action)
				}
			}
			if !a.Published.IsZero() {
				ev.Planned = m.Date.From.After(a.Published) || (future && !m.Date.To.Before(a.Published))
			}
			out = append(out, ev)
		}
	}
	return out
}

// HasActor reports whether one of the event's actors has the word name
// ("biden" matches "President Joe Biden"), ignoring case.
func (e Event) HasActor(name string) bool {
	for _, a := range e.Actors {
		for _, w := range strings.FieldsFunc(a, notWordRune) {
			if strings.EqualFold(w, name) {
				return true
			}
		}
	}
	return false
}

func notWordRune(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }

// Sort orders events by date, oldest first; events of one date by
// article and place in it.
func Sort(evs []Event) {
	slices.SortStableFunc(evs, func(a, b Event) int {
		if c := a.Date.Compare(b.Date); c != 0 {
			return c
		}
		if a.Article != b.Article {
			return strings.Compare(a.Article, b.Article)
		}
		return a.WhenStart - b.WhenStart
	})
}

// Same reports whether two events are one happening reported twice: the
// same kind of action, overlapping dates, and a shared actor.
func Same(a, b Event) bool {
	if a.Action != b.Action || !a.Date.Overlaps(b.Date) {
		return false
	}
	for _, x := range a.Actors {
		for _, w := range strings.FieldsFunc(x, notWordRune) {
			if isName(w) && b.HasActor(w) {
				return true
			}
		}
	}
	return len(a.Actors) == 0 && len(b.Actors) == 0
}

func isName(w string) bool {
	r, _ := utf8.DecodeRuneInString(w)
	return unicode.IsUpper(r) && utf8.RuneCountInString(w) > 1
}

// groupRE finds words that refer to several people named before: "they",
// "the two leaders".
var groupRE = regexp.MustCompile(`(?i)\b(?:they|their|them|both (?:sides|leaders|men|countries)|the (?:two|leaders|two leaders|two sides|two men|pair|presidents))\b`)

// futureRE finds a sentence about the future.
var futureRE = regexp.MustCompile(`(?i)\b(?:will|is expected to|are expected to|expects? to|is set to|are set to|plans? (?:to|for)|planning|planned|scheduled|upcoming|is to|are to|would|targeting|aims? to|intends? to|hopes? to|preparing for|prepares? for|agreed to (?:plan|hold|arrange))\b`)

// nameRE finds runs of capitalised words, with initials and particles
// inside: "Joe Biden", "Xi Jinping", "U.S.", "Code for Unplanned
// Encounters at Sea".
var nameRE = regexp.MustCompile(`\b\p{Lu}[\p{L}\p{M}'’.-]*(?:\s+(?:(?:of|for|at|the|de|van|von|bin|al)\s+)?\p{Lu}[\p{L}\p{M}'’.-]*)*`)

// notNames are capitalised words that do not name anyone.
var notNames = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`The A An In On At As Since After Before When While During Their His Her Its This That These Those
		It He She They We I You But And Or So If Yet Still Even Also However Meanwhile Asked Following According
		Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May June July
		August September October November December Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec`) {
		notNames[w] = true
	}
}

// names returns the names a sentence mentions, without possessive
// endings, split at words that name no one (months, weekdays, pronouns).
func names(s string) []string {
	var out []string
	add := func(words []string) {
		if len(words) == 0 {
			return
		}
		n := strings.Join(words, " ")
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	for _, loc := range nameRE.FindAllStringIndex(s, -1) {
		var run []string
		for _, w := range strings.Fields(s[loc[0]:loc[1]]) {
			w = strings.TrimRight(w, ".’'-")
			w = strings.TrimSuffix(strings.TrimSuffix(w, "’s"), "'s")
			if notNames[w] {
				add(run)
				run = nil
				continue
			}
			if w != "" {
				run = append(run, w)
			}
		}
		add(run)
	}
	return out
}

func union(a, b []string) []string {
	out := slices.Clone(a)
	for _, x := range b {
		if !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}

// actionWord is an action word found in a sentence.
type actionWord struct {
	start, end int
	action     Action
}

// actionForms maps lower-case word forms to the action they name.
var actionForms = map[string]Action{}

func init() {
	for a, forms := range map[Action]string{
		Call: `call calls phone phoned phones telephone telephoned videoconference videoconferences spoke speak speaks spoken
			speaking talked talk conversation conversations`,
		Meet: `meet meets met meeting meetings summit summits talks face-to-face in-person encounter sat sit-down
			conference conferences`, // only a video or virtual conference: see actions
		Visit: `visit visits visited visiting trip trips travel traveled travelled travels toured arrived`,
		Agree: `agree agreed agrees agreement agreements deal deals accord accords signed sign signs signing pact
			treaty`,
		Announce: `announce announced announces announcement unveiled unveil released launched launch`,
		Cancel:   `cancel canceled cancelled cancels postpone postponed scrapped`,
		Discover: `discover discovered discovery found detected spotted`,
	} {
		for _, f := range strings.Fields(forms) {
			actionForms[f] = a
		}
	}
}

var wordRE = regexp.MustCompile(`[\p{L}][\p{L}'’-]*`)

// actions returns the action words of s, in order.
func actions(s string) []actionWord {
	var out []actionWord
	locs := wordRE.FindAllStringIndex(s, -1)
	for i, loc := range locs {
		w := strings.ToLower(s[loc[0]:loc[1]])
		a, ok := actionForms[w]
		if !ok {
			continue
		}
		next := ""
		if i+1 < len(locs) {
			next = strings.ToLower(s[locs[i+1][0]:locs[i+1][1]])
		}
		prev := ""
		if i > 0 {
			prev = strings.ToLower(s[locs[i-1][0]:locs[i-1][1]])
		}
		switch {
		case a == Call && strings.HasPrefix(w, "call") && !callIsContact(s, loc[1], next, prev):
			continue
		case strings.HasPrefix(w, "conference") && prev != "virtual" && prev != "video":
			continue // a press or climate conference is no contact between people
		case a == Meet && (prev == "virtual" || prev == "video"):
			a = Call // a virtual meeting
		case w == "talk" && next == "to":
			a = Call
		}
		out = append(out, actionWord{loc[0], loc[1], a})
	}
	return out
}

// callIsContact tells a call between people ("a call with Xi", "Biden
// called Xi") from other senses of the word: "called China 'the most
// dangerous competitor'", "called for", "called on", "so-called".
func callIsContact(s string, end int, next, prev string) bool {
	switch next {
	case "for", "on", "off", "it", "out", "up":
		return false
	}
	if prev == "so" || strings.HasSuffix(prev, "so-") {
		return false
	}
	// A quotation soon after "called" names or describes something.
	rest := s[end:]
	if i := strings.IndexAny(rest, "“\""); i >= 0 && i < 40 {
		return false
	}
	return true
}

// maxActionWords is how many words, names aside, may separate a date
// from the action word it dates: "call — their fifth — took place in
// July" is one event; in "a telephone conversation once they are back …
// referring to the convention that concluded Monday" the date is not the
// conversation's.
const maxActionWords = 10

// within returns the action words of s at most maxActionWords words from
// s[a:b].
func within(s string, acts []actionWord, a, b int) []actionWord {
	var out []actionWord
	for _, w := range acts {
		var gap string
		switch {
		case w.end <= a:
			gap = s[w.end:a]
		case w.start >= b:
			gap = s[b:w.start]
		}
		n := 0
		for _, g := range wordRE.FindAllString(gap, -1) {
			if !isName(g) {
				n++
			}
		}
		if n <= maxActionWords {
			out = append(out, w)
		}
	}
	return out
}

// nearest returns the action of the action word closest to s[a:b], or
// Other.
func nearest(acts []actionWord, a, b int) Action {
	best, dist := Other, 1<<30
	for _, w := range acts {
		d := 0
		switch {
		case w.end <= a:
			d = a - w.end
		case w.start >= b:
			d = w.start - b
		}
		if d < dist {
			best, dist = w.action, d
		}
	}
	return best
}

// Newest returns the event with the latest date, finer dates first among
// equals, and false when evs is empty.
func Newest(evs []Event) (Event, bool) { return Extreme(evs, dateOf, 1, finer) }

// Oldest returns the event with the earliest date, finer dates first among
// equals, and false when evs is empty.
func Oldest(evs []Event) (Event, bool) { return Extreme(evs, dateOf, -1, finer) }

func dateOf(e Event) timex.Date { return e.Date }

// finer prefers "9 September 2021" to "September 2021".
func finer(a, b Event) bool { return a.Date.Prec < b.Date.Prec }

// Extreme returns the item with the latest date (sign 1) or the earliest
// (sign -1), and false when there is none. Of items whose dates overlap
// ("November 2023" and "15 November 2023") it keeps the one prefer ranks
// first.
func Extreme[T any](items []T, date func(T) timex.Date, sign int, prefer func(a, b T) bool) (T, bool) {
	var best T
	if len(items) == 0 {
		return best, false
	}
	best = items[0]
	for _, it := range items[1:] {
		d, b := date(it), date(best)
		switch {
		case d.Overlaps(b) || b.Contains(d.Mid()):
			if prefer(it, best) {
				best = it
			}
		case sign*d.Compare(b) > 0:
			best = it
		}
	}
	return best, true
}
