package followup

import (
	"cmp"
	"context"
	"errors"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"

	"citebot/rag/internal/analysis"
	"citebot/rag/internal/extract"
	"citebot/rag/internal/index"
	"citebot/rag/internal/qa"
	"citebot/rag/internal/question"
	"citebot/rag/internal/reading"
	"citebot/rag/timex"
)

// Conversation is an extractor as follow-ups read it: the methods of
// followup.go, circumstance.go, pronoun.go and quoted.go.
type Conversation struct{ *extract.Extractor }

// New returns the conversation reader over x.
func New(x *extract.Extractor) Conversation { return Conversation{x} }

// Reading a follow-up. A question asked after earlier turns of a
// conversation ("and where was that?", "what did he say", "the one
// after?") is rewritten to stand alone from the last answered turn before
// it, its antecedent, and then answered as usual:
//
//   - A message that asks nothing ([Chitchat]) gets an empty answer.
//   - Whether a question is a follow-up is decided by its own words: a
//     topic-switch phrase ("new question -") makes it stand alone; a
//     personal pronoun (unless a name the antecedent question did not
//     use comes before it: "also, why did blinken cancel his trip?"), a
//     phrase that points back ("that one", "at the time", "the weapons
//     thing"), a leading connective ("and", "so", "what about") in a
//     question naming nothing new, a dangling preposition ("what did he say after"), a
//     verb of reaction without its object ("how did beijing respond?"), a
//     definite noun the conversation used ("the meetings"), "it"/"that"/
//     "there" or the absence of any content word make it a follow-up; so
//     does a question all of whose words the conversation already used.
//     Any other question, in particular one that names something new
//     without pointing back, stands alone.
//   - A reply about the last answer itself ("source?", "tell me more",
//     "are you sure?") asks the antecedent question again.
//   - "what about X?" ("how about X", "same for X", "and X?") takes the
//     antecedent question with its last name replaced by X when X is a
//     name, else the topic it ends with ("… on drugs").
//   - A follow-up with no content of its own ("where was that?", "when
//     tho", "how long ago was that") takes the antecedent question with
//     its own question word, and the date the antecedent's answer gave
//     when that was a when-question.
//   - "They" becomes the antecedent's two names; "he"/"she" the person a
//     who- or which-question's answer gave, else the antecedent's first
//     name that may be a person, unless the cited articles call that
//     person by the other pronoun (pronoun.go); "there" the place a
//     where-question's answer gave; "it" after "at"/"during", in "how
//     did it go?" and "is it back on?" the event the antecedent named.
//   - A time shift ("before that", "the one after", "after that one", "at
//     the time") is anchored on the antecedent's date (the one its
//     question names, else the one its answer gives) or its event ("after
//     the alaska talks"); "what happened next?" and "and then?" ask what
//     happened after it.
//   - "Who else did they quote?", "what was going on at the time?",
//     "where was he / when did they say that?" and "why would that
//     matter?" are answered from the antecedent answer's sentences and
//     their neighbours in its article (circumstance.go, quoted.go).
//   - An interjection a reply opens with ("wait", "hmm", "btw") is
//     dropped first.
//   - The names and date still missing are carried after a dash: "what
//     did he say — David O’Sullivan, eu, reuters".
//
// A follow-up is answered first from the passages of the articles the
// antecedent cited (a conversation usually stays on its sources), then,
// when they do not answer it or their answer holds none of the
// follow-up's own words, over the whole corpus. No rule names an
// entity: the words matched are general English.

// maxFollowUpTurns bounds how far back a follow-up looks for its
// antecedent.
const maxFollowUpTurns = 4

// followUp is a question as read in its conversation.
type followUp struct {
	// Question is the question to answer: the original or its rewrite.
	Question string
	// Resolved is the rewrite, "" when the question is answered as asked.
	Resolved string
	// Chitchat reports a message that asks nothing.
	Chitchat bool
	// local is the follow-up with its pronouns and time words resolved
	// but without the carried names and date, to be answered from the
	// articles the conversation has cited; "" when not a follow-up.
	local string
	// articles are the ids of the articles the antecedent cited.
	articles []string
	// own are the terms the follow-up adds of its own (see [ownTerms]);
	// an answer from articles must hold one of them.
	own []string
	// bound reports a follow-up whose "it" became the antecedent's event
	// ("what did they say about it?"): it is about that event, and is not
	// answered over the whole corpus without it.
	bound bool
	// quotes reports a follow-up asking whom else the antecedent's
	// article quotes (see quotedOthers); ante is that antecedent.
	quotes bool
	ante   qa.Turn
	// circumstance reports a follow-up asking what was going on at the
	// time of the antecedent's event (see circumstanceRE).
	circumstance bool
	// why reports a follow-up asking why the antecedent's event matters
	// (see whyThatRE).
	why bool
	// saidAt finds, for a follow-up asking where or when the words the
	// antecedent reported were spoken, the place or date a sentence
	// gives (spokenWhere, spokenWhen); nil for other follow-ups.
	saidAt func(sentence string, published time.Time) string
}

var (
	// topicSwitchRE matches a phrase that opens a new, self-contained
	// question: "ok diff question,", "switching topics -", "new question:".
	topicSwitchRE = regexp.MustCompile(`(?i)^\W*(?:(?:ok(?:ay)?|so|alright|anyway|also)[\s,]+)?(?:(?:a|one|another)\s+)?(?:(?:diff(?:erent)?|new|unrelated|separate|other|random|next)\s+(?:question|topic|subject|q)|switching\s+(?:topics?|gears|subjects?)|(?:changing|change\s+of|change)\s+(?:the\s+)?(?:topic|subject)|on\s+(?:a|an|another)\s+(?:different|unrelated|other|separate)?\s*(?:note|topic))\b[\s,:;.!?\-–—]*`)
	// personalRE matches personal pronouns that point back to people.
	personalRE = regexp.MustCompile(`(?i)\b(?:he|him|his|she|her|hers|they|them|their|theirs)\b`)
	pluralRE   = regexp.MustCompile(`(?i)\b(?:they|them|their|theirs)\b`)
	singularRE = regexp.MustCompile(`(?i)\b(?:he|him|his|she|her)\b`)
	// pointBackRE matches phrases that point back to a thing or a time of
	// the conversation.
	pointBackRE = regexp.MustCompile(`(?i)\b(?:that one|this one|the one|the same|another one|at the time|at that time|back then|around then|by then|afterwards?|the \w+ (?:thing|stuff|issue|business|story|matter|deal))\b`)
	// weakPointerRE matches words that point back to a thing, a place or
	// a time: "had they agreed to it?", "where was that?".
	weakPointerRE = regexp.MustCompile(`(?i)\b(?:it|its|that|this|those|these|there|then)\b`)
	// timeShiftRE matches a shift along the timeline from the antecedent's
	// date: "before that", "the one after", "after that one", "at the
	// time", "then"; group 1 is the preposition.
	// A trailing "before" may be followed by punctuation: "and the time
	// before?".
	timeShiftRE = regexp.MustCompile(`(?i)\b(?:(before|after|since|until|following|prior to)\s+(?:that(?: one)?|this(?: one)?|it|then)\b|(?:the one|the (?:call|meeting|time|trip|visit|one) )?(before|after)\W*$|(at the time|at that time|back then|around then|then)\b|the (next|following) one\b|the (previous|prior|one before) one\b)`)
	// metaRE matches a reply about the last answer itself rather than
	// its subject: asking for its source, for more, or whether it is
	// right ("source?", "tell me more", "are you sure?", "link pls").
	metaRE = regexp.MustCompile(`(?i)^\W*(?:(?:ok|okay|so|and|but|hm+|wait|huh|hey|um+)\W+)*(?:(?:(?:got|have|any|what(?:'s|’s| is| are| was| were)?(?: the| your| ur)?|can i (?:get|have|see)(?: the| a)?|give me(?: the| a)?|(?:pls |please )?(?:post|send|share|drop)(?: the| a)?)\s+)?(?:sources?|links?|citations?|cites?|refs?|references?|proof|receipts)(?:\s+(?:for|on|of)\s+(?:that|this|it))?(?:\s+(?:pls|please|plz))?|(?:can you |could you |pls |please )?(?:tell me|say|explain)\s+more(?:\s+about\s+(?:that|this|it))?|more(?:\s+(?:details?|info|pls|please))?|(?:any\s+)?(?:more\s+)?details\??|(?:can you |could you |pls |please )?(?:elaborate|expand)(?:\s+on\s+(?:that|this|it))?|go on|are you sure(?: about (?:that|this|it))?|(?:u|you|r u) sure|for real|is (?:that|this|it) (?:right|true|correct|accurate)|how do you know(?: (?:that|this|it))?|says who|where(?:'s| is| did) (?:that|this|it) (?:from|come from))\W*$`)
	// leadRE matches a connective that continues the conversation.
	leadRE = regexp.MustCompile(`(?i)^\W*(?:and|so|but|also|then|what about|how about|and what about|what else|anything else|same for|ok so|okay so)\b`)
	// reactionRE matches a question ending in a verb of reaction without
	// its object, which reacts to what the conversation told of: "how did
	// beijing respond?".
	reactionRE = regexp.MustCompile(`(?i)\b(?:respond(?:ed|s)?|react(?:ed|s)?|reply|replied|retaliat(?:e|ed)|hit back|push(?:ed)? back)\W*$`)
	// danglingRE matches a preposition left without its object at the end:
	// "what did blinken say after".
	danglingRE = regexp.MustCompile(`(?i)\b(?:after|before|since|afterwards|later|earlier)\W*$`)
	// whLeadRE matches the question word (and auxiliary) a question opens
	// with: "where was", "how long ago was", "when", "is".
	whLeadRE = regexp.MustCompile(`(?i)^(?:(?:how (?:long ago|long|many|much|often|come|far|soon)|what (?:year|date|day|month|time)|which \w+|when|where|why|who|whom|whose|what|which|how)(?:\s+(?:is|are|was|were|did|do|does|has|have|had|will|would|could|can|should)\b)?|(?:is|are|was|were|did|do|does|has|have|had|will|would|could|can|should)\b)`)
	// bareAuxRE is the auxiliary that opens the rest of a question: "did
	// biden and xi …".
	bareAuxRE = regexp.MustCompile(`(?i)^(?:is|are|was|were|did|do|does|has|have|had|will|would|could|can|should)\b`)
	// emptyWordRE matches words of a bare follow-up that carry nothing:
	// "when tho", "where was that?", "and before that?".
	emptyWordRE = regexp.MustCompile(`(?i)\b(?:tho|though|then|exactly|again|so|and|that|this|it|one|the|was|is|were|did|does|do|there|ok|okay|well|but|also|about|happen(?:ed)?|ago)\b`)
	// recencyWordRE matches words of an antecedent that anchor it to now,
	// dropped when a follow-up shifts its time: "did they talk recently?"
	// → "when did they talk before 9 September 2021?".
	recencyWordRE = regexp.MustCompile(`(?i)\s*\b(?:recently|lately|most recently|currently|these days|so far|latest|last|newest|ever)\b`)
)

// Resolve reads q.Question in its conversation: a chitchat message,
// a follow-up (rewritten to stand alone), or a question that stands alone.
func (e Conversation) Resolve(q qa.Query) followUp {
	fu := followUp{Question: q.Question}
	text, err := qa.NormalizeQuestion(q.Question)
	if err != nil {
		// Only an emoji or a symbol ("👍") is chitchat; other empty input
		// is an empty question.
		fu.Chitchat = errors.Is(err, qa.ErrEmptyQuestion) && strings.IndexFunc(q.Question, func(r rune) bool { return unicode.Is(unicode.So, r) }) >= 0
		return fu
	}
	if qa.Chitchat(text) {
		fu.Chitchat = true
		return fu
	}
	if len(q.History) == 0 {
		return fu
	}
	if loc := topicSwitchRE.FindStringIndex(text); loc != nil && loc[1] < len(text) {
		fu.Question = strings.TrimSpace(text[loc[1]:])
		fu.Resolved = fu.Question
		return fu
	}
	ante, ok := antecedentTurn(q.History)
	if !ok {
		return fu
	}
	text = plainFollowUp(text)
	if quoteOthersRE.MatchString(text) {
		fu.quotes, fu.articles, fu.ante = true, citedArticles(ante), ante
		return fu
	}
	fu.circumstance, fu.why, fu.ante = circumstanceRE.MatchString(text), whyThatRE.MatchString(text), ante
	switch {
	case saidWhereRE.MatchString(text):
		fu.saidAt = spokenWhere
	case saidWhenRE.MatchString(text):
		fu.saidAt = spokenWhen
	}
	if metaRE.MatchString(text) {
		// "source?", "tell me more": the last question again, from the
		// articles it was answered from; the answer shows its sources.
		fu.Question, fu.Resolved, fu.local = ante.Question, ante.Question, ante.Question
		fu.articles = citedArticles(ante)
		return fu
	}
	read := e.Ix.Read(text).Text
	rewritten, local := e.rewrite(text, read, ante)
	if rewritten != "" && !extract.SameWords(rewritten, text) {
		fu.Question, fu.Resolved = rewritten, rewritten
	}
	if rewritten != "" {
		fu.local = local
		fu.bound = eventItRE.MatchString(read) && !eventItRE.MatchString(local)
		// Its own words as typed and as read: "such a big deal" is read
		// as "so important".
		fu.own = ownTerms(text)
		for _, t := range ownTerms(read) {
			if !slices.Contains(fu.own, t) {
				fu.own = append(fu.own, t)
			}
		}
		fu.articles = citedArticles(ante)
	}
	return fu
}

var (
	// interjectionRE matches what a reply may open with before its
	// question: "wait what year was that", "hmm, and where?".
	interjectionRE = regexp.MustCompile(`(?i)^(?:\s*(?:wait|hold on|hang on|hm+|um+|uh+|ah+|oh+|btw|hey|sorry|lol|ok(?:ay)?|right|huh)\b[\s,.:;!-]*)+`)
	// nextRE matches a reply that asks what came next: "and then?", "what
	// happened next?", "what's next".
	nextRE = regexp.MustCompile(`(?i)^\W*(?:and\s+)?(?:then(?:\s+what)?|what\s+(?:happened|came)\s+(?:next|after(?:wards?)?|then)|what(?:'s|’s|\s+is|\s+was)?\s+next)\W*$`)
)

// nowWordRE matches words that place an event relative to now, dropped
// once the event carries its date: "did they talk recently".
var nowWordRE = regexp.MustCompile(`(?i)\s*\b(?:recently|lately|currently|these days|so far|of late)\b`)

// datePhrase returns a date with its preposition: "on 28 August 2024"
// for a day, "in November 2023" for a month or a year.
func datePhrase(when string) string {
	if when != "" && (unicode.IsDigit(rune(when[0])) || dateWeekdayRE.MatchString(when)) && len(strings.Fields(when)) >= 3 {
		return "on " + when
	}
	return "in " + when
}

// dateWeekdayRE matches a date that opens with a weekday.
var dateWeekdayRE = regexp.MustCompile(`(?i)^(?:mon|tue|wed|thu|fri|sat|sun)`)

// whatAboutLeadRE matches "what about" / "how about" with nothing after
// it but a time shift: "what about before that?".
var whatAboutLeadRE = regexp.MustCompile(`(?i)^(?:what|how)\s+about\s*$`)

// happenedRE matches a time-shift follow-up that asks for events, not the
// antecedent's event again: "what happened (after that)".
var happenedRE = regexp.MustCompile(`(?i)^what\s+(?:happened|happens|came|comes|went on|was going on)$`)

// whContractionRE matches a question word contracted with "is": "where's",
// "whens", "what’s".
var whContractionRE = regexp.MustCompile(`(?i)\b(where|when|what|who|how|why)(?:'|’)?s\b`)

// plainFollowUp returns a follow-up without the interjection it opens
// with, its question word spelled out ("where's that" → "where is
// that"), and "what happened after that?" for a reply asking what came
// next; unchanged when nothing is left.
func plainFollowUp(text string) string {
	if rest := strings.TrimSpace(interjectionRE.ReplaceAllString(text, "")); rest != "" {
		text = rest
	}
	text = whContractionRE.ReplaceAllString(text, "$1 is")
	if nextRE.MatchString(text) {
		return "what happened after that?"
	}
	return text
}

// citedArticles returns the ids of the articles t's answer cited, once
// each, in order.
func citedArticles(t qa.Turn) []string {
	var ids []string
	for _, c := range t.Answer.Citations {
		if !slices.Contains(ids, c.ArticleID) {
			ids = append(ids, c.ArticleID)
		}
	}
	return ids
}

// focusPassages bounds the passages taken from the cited articles.
const focusPassages = 8

// AnswerInFocus answers a follow-up from the articles its antecedent
// cited: a conversation usually stays on its sources. It searches those
// articles with the rewritten question and answers the local form of the
// follow-up from what it finds; ok is false when that finds no answer,
// and the follow-up is then answered over the whole corpus.
func (e Conversation) AnswerInFocus(ctx context.Context, q qa.Query, fu followUp) (qa.Answer, bool) {
	if a, ok := e.answerFromSources(ctx, q, fu); ok {
		return a, true
	}
	return e.answerCarried(ctx, q, fu)
}

// answerCarried answers a follow-up whose rewrite carries names or a
// date over the whole corpus. The carried words only place the follow-up
// in its conversation: an answer that holds none of the follow-up's own
// words matched them alone ("what did they eat?" answered with where
// they met), and the follow-up is then answered without them; when that
// answer holds none of its words either, it is not found. ok is false when nothing is carried or the follow-up
// has no words of its own; it is then answered as usual.
func (e Conversation) answerCarried(ctx context.Context, q qa.Query, fu followUp) (qa.Answer, bool) {
	if fu.local == "" || len(fu.own) == 0 || !strings.Contains(fu.Question, carrySep) {
		return qa.Answer{}, false
	}
	q.Question = fu.Question
	r, err := e.Retrieve(ctx, q)
	if err != nil {
		return qa.Answer{}, false
	}
	if a := e.Compose(r); a.NotFound || answersOwnWords(readOwnTerms(fu.own, r), a.Text) {
		return a, true
	}
	if fu.bound {
		r.Passages = nil
		return e.Compose(r), true
	}
	q.Question = fu.local
	r, err = e.Retrieve(ctx, q)
	if err != nil {
		return qa.Answer{}, false
	}
	if a := e.Compose(r); a.NotFound || answersOwnWords(readOwnTerms(fu.own, r), a.Text) {
		return a, true
	}
	// The names and place the pronouns became matched alone too.
	r.Passages = nil
	return e.Compose(r), true
}

// answerFromSources answers a follow-up from the articles its antecedent
// cited; see [Extractive.answerInFocus].
func (e Conversation) answerFromSources(ctx context.Context, q qa.Query, fu followUp) (qa.Answer, bool) {
	if fu.local == "" || len(fu.articles) == 0 {
		return qa.Answer{}, false
	}
	q.Question = fu.local
	r, err := e.Retrieve(ctx, q)
	if err != nil || r.Read.Text == "" {
		return qa.Answer{}, false
	}
	// The local question as read (acronyms spelled out), with the names
	// and date the rewrite carries.
	query := r.Read.Text
	if _, carry, ok := strings.Cut(fu.Question, carrySep); ok {
		query += " " + carry
	}
	ps, err := e.Ix.Search(index.WithSearchTrace(ctx, nil), query, index.SearchOptions{K: 64, PerArticle: -1, Before: r.AsOf, KeywordsOnly: true})
	if err != nil {
		return qa.Answer{}, false
	}
	var kept []index.Passage
	for _, p := range ps {
		if slices.Contains(fu.articles, p.ArticleID) && len(kept) < focusPassages {
			kept = append(kept, p)
		}
	}
	if len(kept) == 0 {
		return qa.Answer{}, false
	}
	r.Passages = kept
	a := e.Compose(r)
	if a.NotFound || len(a.Citations) == 0 || !answersOwnWords(readOwnTerms(fu.own, r), a.Text) {
		return qa.Answer{}, false
	}
	if anchoredRE.MatchString(fu.local) && repeats(a, fu.ante) {
		// "after she visited taiwan, what did beijing cut off?" asks for
		// another event than the one the last answer told of.
		return qa.Answer{}, false
	}
	return a, true
}

// genericVerbRE matches verbs a follow-up asks with that an answer need
// not repeat: "what did he say" is answered by "he told …", "why would
// that matter" by what it affects; and "side", which names a party by
// its people ("the chinese side").
var genericVerbRE = regexp.MustCompile(`(?i)\b(?:say|said|says|saying|tell|told|think|mean|meant|happen(?:ed|ing)?|go|going|went|do|doing|did|done|get|got|make|made|know|else|anyone|anything|someone|something|around|actually|really|like|just|even|side|sides|matter|matters|mattered)\b`)

// ownTerms returns the terms a follow-up adds of its own: its content
// words without question words, pronouns, pointers ("at the time", "the
// weapons thing"), time shifts and generic verbs.
// "agree" for "what did they agree on there"; none for "what did he say".
func ownTerms(f string) []string {
	f = timeShiftRE.ReplaceAllString(pointBackRE.ReplaceAllString(f, " "), " ")
	return contentTerms(genericVerbRE.ReplaceAllString(f, " "))
}

// readOwnTerms adds to a follow-up's own terms the words that reading
// question r.question put in (acronyms spelled out, typos corrected),
// before the words it carries: "what about ai" read as "what about
// artificial intelligence" is answered by a sentence about artificial
// intelligence.
func readOwnTerms(own []string, r extract.Retrieval) []string {
	if len(own) == 0 {
		return own
	}
	asked, _, _ := strings.Cut(r.Question, carrySep)
	read, _, _ := strings.Cut(r.Read.Text, carrySep)
	before := ownTerms(asked)
	out := slices.Clone(own)
	for _, t := range ownTerms(read) {
		if !slices.Contains(before, t) && !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}

// answersOwnWords reports whether an answer holds one of the follow-up's
// own terms (or a word that starts with it: "agree", "agreements"), or
// the follow-up has none. An answer from the conversation's articles
// that holds none of them answers the antecedent again, not the
// follow-up: "what did they agree on there" is not answered by the
// sentence that said where they met.
func answersOwnWords(own []string, text string) bool {
	if len(own) == 0 {
		return true
	}
	ts := analysis.Terms(text)
	for _, o := range own {
		for _, t := range ts {
			if t == o || (len(o) >= 4 && strings.HasPrefix(t, o)) || (len(t) >= 4 && strings.HasPrefix(o, t)) || slices.Contains(analysis.Synonyms(o), t) || eseDemonym(o, t) || eseDemonym(t, o) {
				return true
			}
		}
	}
	return false
}

// repeats reports whether answer a says nothing but what turn t's answer
// said: every sentence of it is in t's answer text.
func repeats(a qa.Answer, t qa.Turn) bool {
	said, text := PlainAnswer(t.Answer.Text), PlainAnswer(a.Text)
	for _, s := range analysis.SplitSentences(text) {
		if !strings.Contains(said, strings.TrimSpace(text[s.Start:s.End])) {
			return false
		}
	}
	return len(a.Citations) > 0
}

// eseDemonym reports whether term d is the "-ese" adjective of place
// term p that ends in "a" ("china", "chines" for Chinese; "malta",
// "maltes"): the one demonym that is neither a prefix match nor shares a
// stem with its place.
func eseDemonym(p, d string) bool {
	return len(p) >= 4 && strings.HasSuffix(p, "a") && d == p[:len(p)-1]+"es"
}

// antecedentTurn returns the last turn of history with an answered question:
// its question as resolved, and its answer.
func antecedentTurn(history []qa.Turn) (qa.Turn, bool) {
	for i := len(history) - 1; i >= max(0, len(history)-maxFollowUpTurns); i-- {
		t := history[i]
		if t.Answer.Chitchat || qa.Chitchat(t.Question) {
			continue
		}
		q := t.Question
		if t.Answer.Resolved != "" {
			q = t.Answer.Resolved
		}
		if strings.TrimSpace(q) == "" {
			continue
		}
		return qa.Turn{Question: q, Answer: t.Answer}, true
	}
	return qa.Turn{}, false
}

// subject is what an antecedent is about.
type subject struct {
	// text is the antecedent question as read, and body the same without
	// its question word ("biden and xi last meet in person").
	text, body string
	// names are the names it mentions, as written, and terms their terms.
	names []string
	terms map[string]bool
	// answerName is the name its answer gives, for a question asking for
	// a person; place the place it gives, for a where-question.
	answerName, place string
	// when is its date: the month or year its question names, else the
	// date its answer gives; "" when none. answeredWhen reports that it
	// is the answer to a when-question.
	when         string
	answeredWhen bool
	// event is the noun phrase of its question naming an event ("the
	// alaska talks"), or ""; answerEvent the one its answer names last
	// ("the trip" of "… to cancel a trip by …").
	event, answerEvent string
	// context holds the terms of the antecedent question and answer.
	context map[string]bool
	// answerPeople are the people its answer names in full, by last name
	// (see answerPeople); genderOf tells what the cited articles call a
	// person, read from them only when a pronoun asks (see personFor).
	answerPeople []string
	genderOf     func(name string) gender
}

// subjectOf works out what an antecedent turn is about.
func (e Conversation) subjectOf(t qa.Turn) subject {
	rd := e.Ix.Read(t.Question)
	s := subject{text: strings.TrimRight(rd.Text, " ?.!"), terms: map[string]bool{}, context: map[string]bool{}}
	s.body = s.text
	if m := whLeadRE.FindString(s.body); m != "" {
		s.body = strings.TrimSpace(s.body[len(m):])
	}
	// Names are found as in a question typed without capitals: a rewrite
	// may hold a capitalised date or name beside lower-case names.
	rd.Casual = true
	q := e.Ix.AnalyzeReading(rd)
	s.readNames(q)
	for _, tm := range analysis.Terms(s.text) {
		s.context[tm] = true
	}
	ans := t.Answer
	answered := !ans.NotFound && !ans.Chitchat
	if answered {
		s.readAnswer(q, ans)
	}
	if m := question.QuestionMonthYearRE.FindString(s.text); m != "" {
		s.when = m
	} else if m := question.QuestionYearRE.FindString(s.text); m != "" {
		s.when = m
	} else if answered {
		s.when = answerDate(ans.Text)
		// A yes/no question answered with a date ("did they talk
		// recently?" "Yes: … 9 September 2021") dated its event too.
		s.answeredWhen = s.when != "" && (q.Kind == question.KindWhen || bareAuxRE.MatchString(s.text))
	}
	s.event = eventPhrase(s.text)
	ids := citedArticles(t)
	s.genderOf = func(name string) gender { return e.genderOf(name, ids) }
	return s
}

// readNames fills s.names and s.terms with the names of the antecedent
// question q: adjacent name words are one name ("white house", "Nicholas
// Burns"), and a possessive ends one.
func (s *subject) readNames(q question.Question) {
	keys := map[string]bool{}
	for _, k := range q.Keys {
		if !q.DateTerms[k] && !analysis.IsDigitString(k) {
			keys[k] = true
		}
	}
	lastEnd := -1
	for _, tok := range analysis.Tokenize(s.text) {
		if !keys[tok.Term] {
			lastEnd = -1
			continue
		}
		word := strings.TrimSuffix(strings.TrimSuffix(s.text[tok.Start:tok.End], "'s"), "’s")
		if lastEnd >= 0 && strings.TrimSpace(s.text[lastEnd:tok.Start]) == "" && len(s.names) > 0 {
			s.names[len(s.names)-1] += " " + word
		} else if !s.terms[tok.Term] {
			s.names = append(s.names, word)
		} else {
			lastEnd = -1
			continue
		}
		s.terms[tok.Term] = true
		lastEnd = tok.End
		if word != s.text[tok.Start:tok.End] {
			lastEnd = -1 // a possessive ends the name
		}
	}
}

// readAnswer takes from the antecedent's answer ans what a follow-up may
// refer to: its words, the person or place it gave for a who-, which- or
// where-question q, the event and the people it names.
func (s *subject) readAnswer(q question.Question, ans qa.Answer) {
	for _, tm := range analysis.Terms(ans.Text) {
		s.context[tm] = true
	}
	switch {
	case q.Kind == question.KindWho && s.whoIs():
		// "who is denny roy": the person asked about.
		s.answerName = s.body
	case q.Kind == question.KindWho || (q.Kind == question.KindWhat && q.Focus != "" && strings.HasPrefix(strings.ToLower(s.text), "which")):
		s.answerName = markedSpan(ans.Text)
		if s.answerName == "" {
			s.answerName = newName(q, asOfLeadRE.ReplaceAllString(ans.Text, ""))
		}
	case q.Kind == question.KindWhere:
		s.place = markedSpan(ans.Text)
	}
	s.answerEvent = eventPhrase(PlainAnswer(ans.Text))
	s.answerPeople = answerPeople(ans.Text)
}

// whoIsRE matches a question asking who someone is: "who is …",
// "who's …", "who was …".
var whoIsRE = regexp.MustCompile(`(?i)^who(?:\s+(?:is|was)|'s|’s)\s`)

// whoIs reports an antecedent that asks who someone it names is ("who
// is denny roy"): its body is a short phrase holding all its names.
func (s subject) whoIs() bool {
	if !whoIsRE.MatchString(s.text) || len(s.names) == 0 || len(strings.Fields(s.body)) > 4 || whOrAuxRE.MatchString(s.body) {
		return false
	}
	for _, n := range s.names {
		if !strings.Contains(strings.ToLower(s.body), strings.ToLower(n)) {
			return false
		}
	}
	return true
}

// newName returns the first name in text of two or more words that the
// question q does not name and that is no institution ("East-West
// Center"), without leading words q does name: "Nicholas
// Burns" in "… ambassador to China Nicholas Burns …" for a question naming
// China.
func newName(q question.Question, text string) string {
	for _, m := range question.NameRE.FindAllString(text, -1) {
		ws := strings.Fields(m)
		for len(ws) > 0 && q.Words[strings.ToLower(strings.TrimRight(strings.TrimSuffix(strings.TrimSuffix(ws[0], "'s"), "’s"), ".,"))] {
			ws = ws[1:]
		}
		if len(ws) >= 2 && !institutionRE.MatchString(ws[len(ws)-1]) {
			return strings.Join(ws, " ")
		}
	}
	return ""
}

// eventNounRE matches a noun phrase naming an event: "the alaska talks",
// "biden's sept 2021 call", "sullivan's beijing trip".
var eventNounRE = regexp.MustCompile(`(?i)\b(?:(?:the|a|an|their|his|her|its)\s+)?(?:[\p{L}\d'’-]+\s+){0,2}(?:talks|meeting|meetings|summit|call|calls|trip|visit|conference|press conference|speech|interview|announcement|hearing|election|vote|deal|agreement|summit|negotiations|exchange)\b`)

// eventPhrase returns the last noun phrase of text naming an event, with
// "the" in front unless it has a determiner or possessive; "" for none.
func eventPhrase(text string) string {
	ms := eventNounRE.FindAllString(text, -1)
	for i := len(ms) - 1; i >= 0; i-- {
		m := strings.TrimSpace(ms[i])
		if loc := innerDeterminerRE.FindAllStringIndex(m, -1); len(loc) > 0 {
			m = m[loc[len(loc)-1][0]+1:] // "holding a press conference": "a press conference"
		}
		bare := strings.TrimSpace(eventLeadRE.ReplaceAllString(m, ""))
		if bare != m && !strings.Contains(bare, " ") {
			continue // "after meeting wang yi": a verb, not an event
		}
		if bare != "" {
			return withDeterminer(bare)
		}
	}
	return ""
}

// innerDeterminerRE matches a determiner inside a phrase, after a word.
var innerDeterminerRE = regexp.MustCompile(`(?i)\s(?:the|a|an|their|his|her|its)\s`)

// eventLeadRE matches the prepositions, auxiliaries and question words
// an event phrase may have caught before it: "after the meeting", "did
// biden's call".
var eventLeadRE = regexp.MustCompile(`(?i)^(?:(?:after|before|during|since|until|following|for|with|at|in|on|of|about|from|to|by|did|does|do|was|were|is|are|has|have|had|will|when|where|why|how|what|long)\s+)+`)

// withDeterminer puts "the" before event phrase m unless it has a
// determiner or a possessive.
func withDeterminer(m string) string {
	first := strings.ToLower(strings.Fields(m)[0])
	switch {
	case first == "the" || first == "a" || first == "an" || first == "their" || first == "his" || first == "her" || first == "its":
		if first != "the" {
			m = "the" + m[len(first):]
		}
	case strings.ContainsAny(m, "'’"):
	default:
		m = "the " + m
	}
	return m
}

// answerSpanRE matches the answer span an extractive answer marks.
var answerSpanRE = regexp.MustCompile(`\*\*([^*\n]+)\*\*`)

// markedSpan returns the span an answer marks as the answer ("November
// 2023" in "**November 2023**: …"), or "" for none or a bare yes or no.
func markedSpan(text string) string {
	m := answerSpanRE.FindStringSubmatch(text)
	if m == nil {
		return ""
	}
	switch strings.ToLower(m[1]) {
	case "yes", "no", "unclear":
		return ""
	}
	return m[1]
}

// asOfLeadRE matches the "As of …: " an answer may open with.
var asOfLeadRE = regexp.MustCompile(`^As of [^:]*:\s*`)

// answerDate returns the first date an answer gives that names a day or a
// month on its own ("November 2023", "9 September 2021"), or "".
func answerDate(text string) string {
	text = asOfLeadRE.ReplaceAllString(strings.ReplaceAll(text, "**", ""), "")
	for _, m := range timex.Find(text, time.Time{}) {
		if m.Relative || m.Vague || (m.Date.Prec != timex.Day && m.Date.Prec != timex.Month) {
			continue
		}
		return strings.TrimSpace(m.Text)
	}
	return ""
}

// rewrite returns the follow-up f (as read; raw as typed) rewritten to
// stand alone against the antecedent ante, or "" when f stands alone;
// local is the rewrite without the carried names and date.
func (e Conversation) rewrite(raw, f string, ante qa.Turn) (resolved, local string) {
	s := e.subjectOf(ante)
	if s.body == "" {
		return "", ""
	}
	fq := e.Ix.AnalyzeReading(reading.Reading{Text: f, Casual: f == strings.ToLower(f)})
	shift := timeShiftRE.FindStringSubmatch(f)
	if !s.pointedBackTo(raw, f, fq, shift) && !s.holdsAll(contentTerms(f), fq) {
		return "", ""
	}
	out := strings.TrimRight(f, " ?.!")
	// Drop a leading connective: "and where was that" → "where was that".
	out = strings.TrimSpace(question.LeadInRE.ReplaceAllString(out, ""))
	if out == "" {
		out = strings.TrimRight(f, " ?.!")
	}
	if m := whatAboutRE.FindStringSubmatch(out); m != nil && shift == nil {
		// "what about ai?" after "what does the us want china's help
		// with on drugs": the antecedent asked again of the new thing.
		if r := e.swap(s, strings.TrimSpace(m[1]+m[2])); r != "" {
			return r, r
		}
	}
	if shift == nil && andRE.MatchString(raw) && elliptical(out) {
		// "and blinken?" after "what did wang yi say to sullivan".
		if r := e.swap(s, out); r != "" {
			return r, r
		}
	}
	if bare(out) && shift == nil {
		if ev := substituteEvent(out, s); ev != out {
			// "how long was it?": how long the event was.
			return withCarry(ev, s), ev
		}
		r := s.askedAgain(out)
		return r, r
	}
	if shift != nil {
		return e.shifted(out, shift, s)
	}
	out = substituteEvent(substitutePronouns(out, s), s)
	return withCarry(out, s), out
}

// pointedBackTo reports whether follow-up f (raw as typed) points back
// to the antecedent s: a time shift, a definite noun or pointer the
// conversation used, a connective, or a pronoun before any name the
// antecedent did not use. fq is f analysed, shift its time shift.
func (s subject) pointedBackTo(raw, f string, fq question.Question, shift []string) bool {
	// Pointers are looked for in the question as typed too: reading drops
	// filler words such as "thing" ("the weapons thing").
	if shift != nil || s.definite(f) {
		return true
	}
	// Names the antecedent question did not name; one its answer
	// mentioned in passing is new too.
	newKeys := map[string]bool{}
	for _, k := range fq.Keys {
		if !s.terms[k] && !fq.DateTerms[k] && !analysis.IsDigitString(k) {
			newKeys[k] = true
		}
	}
	for _, t := range []string{raw, f} {
		if pointBackRE.MatchString(t) || weakPointerRE.MatchString(t) || danglingRE.MatchString(t) || reactionRE.MatchString(t) {
			return true
		}
		// A question naming someone new ("also, why did blinken cancel
		// his trip?") may open with a connective and use a pronoun for
		// the name it gave: then only an elliptical connective ("and xi
		// and putin?", "what about the chinese side?") or a pronoun before
		// any new name ("and after she went, what did china do") points
		// back.
		at := firstTermAt(t, newKeys)
		if leadRE.MatchString(t) && (at < 0 || !whOrAuxRE.MatchString(leadRE.ReplaceAllString(t, ""))) {
			return true
		}
		if loc := personalRE.FindStringIndex(t); loc != nil && (at < 0 || loc[0] < at) {
			return true
		}
	}
	return false
}

// holdsAll reports whether the conversation s already used every content
// term and name of follow-up fq (content its content terms), or it has
// none: a question with content of its own stands alone otherwise.
func (s subject) holdsAll(content []string, fq question.Question) bool {
	if len(content) == 0 {
		return true
	}
	for _, t := range content {
		if !s.context[t] {
			return false
		}
	}
	for _, k := range fq.Keys {
		if !s.context[k] && !fq.DateTerms[k] {
			return false
		}
	}
	return true
}

// askedAgain rewrites a follow-up with nothing of its own ("where was
// that?", "when tho") as the antecedent asked with its question word, and
// the date the antecedent's answer gave when that was a when-question.
func (s subject) askedAgain(f string) string {
	wh := whLeadRE.FindString(f)
	if wh == "" || bareAuxRE.MatchString(wh) {
		return s.text
	}
	r := whWord(wh) + " " + auxBody(s)
	if s.answeredWhen && !question.WhenLead.MatchString(wh) {
		// "how long ago was that" after "when did they last talk?": the
		// event the answer dated, which is no longer "recent".
		r = strings.TrimSpace(nowWordRE.ReplaceAllString(r, "")) + " " + datePhrase(s.when)
	}
	return r
}

// eventItRE matches "it" standing for an event: "what did he say at
// it?", "how did it go?", "how long was it?", "where is it?" (group 1 is
// what comes before it), and "is it
// back on?", read "is it rescheduled" (group 2 the verb, group 3 the
// state asked of the event; "is it a thaw?" asks of no event).
var eventItRE = regexp.MustCompile(`(?i)(\b(?:at|during|from|about)\s+|^how\s+(?:did|was)\s+|^(?:how long|how many (?:hours|minutes|days)|when|where|what time)\s+(?:was|is|did|does|will)\s+)it\b|^((?:is|was)\s+)it(\s+(?:still\s+)?(?:on|off|rescheduled|cancell?ed|called off|postponed|happening|going ahead|confirmed|over)\b)`)

// substituteEvent replaces "it" standing for an event with the event the
// antecedent question named: "what did sullivan say at the press
// conference".
func substituteEvent(f string, s subject) string {
	event := cmp.Or(s.event, s.answerEvent)
	if event == "" {
		return f
	}
	return eventItRE.ReplaceAllString(f, "${1}${2}"+strings.ReplaceAll(event, "$", "$$")+"${3}")
}

// whatAboutRE matches a follow-up that asks the antecedent again of
// something else: "what about ai?", "how about the eu?", "same for
// japan?"; group 1 is the something else.
var whatAboutRE = regexp.MustCompile(`(?i)^(?:what|how)\s+about\s+(.+)$|^same\s+(?:for|with)\s+(.+)$`)

// trailingObjectRE matches the topic an antecedent ends with, after "on",
// "about", "with", "over", "regarding" or "concerning": "drugs" in "what
// does the us want china's help with on drugs". Other prepositions are
// left alone: "in person" is no topic. Group 1 is the topic.
var trailingObjectRE = regexp.MustCompile(`(?i)^.*\b(?:on|about|with|over|regarding|concerning)\s+((?:the\s+)?[\p{L}\d'’-]+(?:\s+[\p{L}\d'’-]+){0,2})$`)

// andRE matches a reply that opens with "and" (or "&", "plus").
var andRE = regexp.MustCompile(`(?i)^\W*(?:and|&|plus)\s`)

// whOrAuxRE matches a question word or an auxiliary anywhere.
var whOrAuxRE = regexp.MustCompile(`(?i)\b(?:who|whom|whose|what|when|where|why|which|how|is|are|was|were|did|do|does|has|have|had|will|would|could|can|should)\b`)

// elliptical reports a follow-up that is only a short noun phrase:
// "blinken" of "and blinken?"; not one with a question word, a verb of
// its own or a pointer ("and where was that?", "and before that?").
func elliptical(out string) bool {
	n := len(strings.Fields(out))
	return n > 0 && n <= 3 && !whOrAuxRE.MatchString(out) && !weakPointerRE.MatchString(out) && !personalRE.MatchString(out) && len(contentTerms(out)) > 0
}

// swap returns the antecedent question asked of x instead, x taking the
// place of the part of the same kind: a name replaces its last name ("and
// blinken?" after "what did wang yi say to sullivan"; "what about the
// chinese side?" after "what did the white house say about the
// meetings"), anything else the topic it ends with after "on", "about",
// "with", "over", "regarding" or "concerning" ("what about ai?" after
// "… help with on drugs"), and a name the topic when that is a name too.
// It returns "" when x names nothing new or no part fits.
func (e Conversation) swap(s subject, x string) string {
	if weakPointerRE.MatchString(x) || personalRE.MatchString(x) {
		return ""
	}
	xq := e.Ix.AnalyzeReading(reading.Reading{Text: x, Casual: true})
	xName, old := len(xq.Keys) > 0, true
	for _, t := range analysis.Terms(x) {
		old = old && s.terms[t]
	}
	if old {
		return "" // "and xi?" after a question naming xi
	}
	topicAt, topicName := -1, false
	if loc := trailingObjectRE.FindStringSubmatchIndex(s.text); loc != nil {
		topicAt = loc[2]
		for _, t := range analysis.Terms(s.text[loc[2]:loc[3]]) {
			topicName = topicName || s.terms[t]
		}
	}
	switch {
	case topicAt >= 0 && xName == topicName:
		return s.text[:topicAt] + x
	case xName && len(s.names) > 0:
		low := strings.ToLower(s.text)
		last := strings.ToLower(s.names[len(s.names)-1])
		i := strings.LastIndex(low, last)
		if i < 0 {
			return ""
		}
		start, end := i, i+len(last)
		if first := strings.Index(low, strings.ToLower(s.names[0])); shares(x, s) && first >= 0 && first < i && listRE.MatchString(low[first+len(s.names[0]):i]) {
			// "and xi and putin?" after "… biden and xi …": the
			// participants, replaced together.
			start = first
		}
		before := s.text[:start]
		if strings.HasPrefix(strings.ToLower(x), "the ") && strings.HasSuffix(strings.ToLower(before), "the ") {
			before = before[:len(before)-len("the ")]
		}
		return before + x + s.text[end:]
	}
	return ""
}

// listRE matches what joins the names of a list: " and ", ", ", " & ".
var listRE = regexp.MustCompile(`(?i)^(?:\s*(?:,|&|and|n)\s*)+$`)

// shares reports whether x names something the subject names.
func shares(x string, s subject) bool {
	for _, t := range analysis.Terms(x) {
		if s.terms[t] {
			return true
		}
	}
	return false
}

// firstTermAt returns the offset in text of the first word whose term is
// in set, or -1.
func firstTermAt(text string, set map[string]bool) int {
	if len(set) == 0 {
		return -1
	}
	for _, tok := range analysis.Tokenize(text) {
		if set[tok.Term] {
			return tok.Start
		}
	}
	return -1
}

// contentTerms returns the terms of f that say what it asks about: not
// question words, pronouns or words that only point back.
func contentTerms(f string) []string {
	stripped := emptyWordRE.ReplaceAllString(whLeadRE.ReplaceAllString(strings.ToLower(f), ""), " ")
	stripped = personalRE.ReplaceAllString(stripped, " ")
	return analysis.Terms(stripped)
}

// bare reports a follow-up with no word of its own besides its question
// word, pronouns and fillers: "where was that", "when tho", "how long ago
// was that".
func bare(f string) bool {
	rest := whLeadRE.ReplaceAllString(strings.ToLower(f), "")
	rest = personalRE.ReplaceAllString(emptyWordRE.ReplaceAllString(rest, " "), " ")
	return strings.IndexFunc(rest, unicode.IsLetter) < 0
}

// whWord returns the question word of a wh-lead without its auxiliary:
// "where was" → "where".
func whWord(wh string) string {
	fields := strings.Fields(wh)
	if len(fields) > 1 && bareAuxRE.MatchString(fields[len(fields)-1]) {
		fields = fields[:len(fields)-1]
	}
	return strings.Join(fields, " ")
}

// auxBody returns the antecedent from its auxiliary on: "did biden and xi
// last meet in person" for "when did biden and xi last meet in person",
// and "did …" inserted for a body without one.
func auxBody(s subject) string {
	wh := whLeadRE.FindString(s.text)
	fields := strings.Fields(wh)
	if len(fields) > 0 && bareAuxRE.MatchString(fields[len(fields)-1]) {
		return fields[len(fields)-1] + " " + s.body
	}
	return s.body
}

// shifted rewrites a time-shift follow-up on the antecedent's date; see
// rewrite for the results.
func (e Conversation) shifted(out string, shift []string, s subject) (resolved, local string) {
	prep := strings.ToLower(shift[1] + shift[2])
	switch {
	case shift[4] != "": // "the next one"
		prep = "after"
	case shift[5] != "": // "the previous one"
		prep = "before"
	}
	rest := strings.TrimSpace(timeShiftRE.ReplaceAllString(out, ""))
	rest = strings.TrimSpace(strings.TrimSuffix(strings.TrimSuffix(rest, " the one"), "the one"))
	anchor := s.when
	if anchor == "" {
		anchor = s.body
	}
	if prep == "" { // "at the time", "then"
		at := "in " + anchor
		if s.when != "" {
			at = datePhrase(s.when)
		}
		local = substitutePronouns(strings.TrimSpace(rest+" "+at), s)
		return withCarry(local, s), local
	}
	if happenedRE.MatchString(rest) {
		// "what happened after that?": events past the antecedent's date
		// (or event), among its names.
		local = "what happened " + prep + " " + anchor
		return withCarry(local, s), local
	}
	if len(contentTerms(rest)) == 0 {
		// "and before that?", "the one after?": the antecedent's event,
		// before or after its date, asked when.
		body := strings.TrimSpace(recencyWordRE.ReplaceAllString(auxBody(s), ""))
		if s.when != "" {
			// The date is the anchor now, not part of the event.
			body = strings.TrimSpace(strings.Replace(body, " "+datePhrase(s.when), "", 1))
		}
		if !bareAuxRE.MatchString(body) {
			body = "did " + body
		}
		// The follow-up's question word, else the antecedent's ("what
		// about before that?" after a where-question), else when.
		wh := "when"
		if m := whLeadRE.FindString(whatAboutLeadRE.ReplaceAllString(rest, "")); m != "" && !bareAuxRE.MatchString(m) {
			wh = whWord(m)
		} else if m := whLeadRE.FindString(s.text); m != "" && !bareAuxRE.MatchString(m) && whatAboutLeadRE.MatchString(rest) {
			wh = whWord(m)
		}
		r := wh + " " + body + " " + prep + " " + anchor
		return r, r
	}
	if s.event != "" && !strings.Contains(strings.ToLower(rest), strings.ToLower(s.event)) {
		anchor = s.event
	}
	local = substitutePronouns(rest+" "+prep+" "+anchor, s)
	return withCarry(local, s), local
}

// institutionRE matches the last word of a name that is an institution or
// an event, not a person: "white house", "beijing olympics".
var institutionRE = regexp.MustCompile(`(?i)\b(?:house|department|ministry|office|council|committee|center|centre|party|government|administration|agency|bank|university|court|congress|senate|parliament|assembly|union|league|organization|organisation|olympics|games|summit|times|post|news|press)$`)

// person returns the first of the antecedent's names that may be a
// person: not an institution, not an acronym; "" for none.
func (s subject) person() string {
	for _, n := range s.names {
		if !institutionRE.MatchString(n) && !(len(n) <= 3 && !strings.ContainsAny(n, " ")) {
			return n
		}
	}
	return ""
}

// thereRE matches "there" as a place.
var thereRE = regexp.MustCompile(`(?i)\bthere\b`)

// existentialRE matches "there" that is not a place: "is there another
// one coming?".
var existentialRE = regexp.MustCompile(`(?i)\b(?:is|are|was|were|will|would) there\b`)

// placeHead returns the first part of a place as an answer wrote it:
// "Woodside" for "Woodside, California". Articles spell out or abbreviate
// the rest ("Calif.", "Cal."), so it is the part another article shares.
func placeHead(place string) string {
	head, _, _ := strings.Cut(place, ",")
	if head = strings.TrimSpace(head); head == "" {
		return place
	}
	return head
}

// substitutePronouns replaces "they" by the antecedent's participants
// when it names two, "he"/"she" by the person it asked for or the first
// it names, and "there" by the place its answer gave.
func substitutePronouns(f string, s subject) string {
	if s.place != "" && !existentialRE.MatchString(f) {
		f = thereRE.ReplaceAllString(f, "in "+placeHead(s.place))
	}
	switch {
	case len(s.names) == 2 && pluralRE.MatchString(f):
		who := strings.Join(s.names[:len(s.names)-1], ", ") + " and " + s.names[len(s.names)-1]
		f = pluralRE.ReplaceAllStringFunc(f, func(p string) string {
			if strings.HasPrefix(strings.ToLower(p), "their") {
				return who + "'s"
			}
			return who
		})
	case singularRE.MatchString(f) && (s.answerName != "" || s.person() != "" || len(s.answerPeople) > 0):
		who := s.answerName
		if who == "" {
			who = s.person()
		}
		// The first pronoun names the person; later ones stay: "where
		// was sullivan when he said that".
		if loc := singularRE.FindStringIndex(f); loc != nil {
			name := s.personFor(f[loc[0]:loc[1]], who)
			if strings.EqualFold(f[loc[0]:loc[1]], "his") {
				name += "'s"
			}
			f = f[:loc[0]] + name + f[loc[1]:]
		}
	}
	return f
}

// forwardRE matches a follow-up that looks ahead of the antecedent's
// date, which is then not carried: "is there another one coming?".
var forwardRE = regexp.MustCompile(`(?i)\b(?:another|next|coming|upcoming|again|still|now|anymore|yet|back on)\b`)

// carrySep separates a rewrite from what it carries of the antecedent.
const carrySep = " — "

// anchoredRE matches a question already placed in time relative to an
// event: "after the alaska talks".
var anchoredRE = regexp.MustCompile(`(?i)\b(?:after|before|since|until|following|prior to)\b`)

// withCarry appends what f lacks of the antecedent: its names and its
// date, after a dash.
func withCarry(f string, s subject) string {
	have := map[string]bool{}
	for _, t := range analysis.Terms(f) {
		have[t] = true
	}
	var carry []string
	for _, n := range append(s.names, s.answerName) {
		if n == "" {
			continue
		}
		missing := false
		for _, t := range analysis.Terms(n) {
			if !have[t] {
				missing = true
			}
			have[t] = true
		}
		if missing {
			carry = append(carry, n)
		}
	}
	if s.when != "" && !forwardRE.MatchString(f) && !anchoredRE.MatchString(f) && !question.QuestionMonthYearRE.MatchString(f) && !question.QuestionYearRE.MatchString(f) && len(timex.Find(f, time.Time{})) == 0 {
		carry = append(carry, s.when)
	}
	if len(carry) == 0 {
		return f
	}
	return f + carrySep + strings.Join(carry, ", ")
}

// ChitchatAnswer is the answer to a message that asks nothing: no text,
// nothing cited.
func ChitchatAnswer(mode string) qa.Answer {
	return qa.Answer{Chitchat: true, Mode: mode}
}

// WithResolved records the rewritten question on an answer.
func (fu followUp) WithResolved(a qa.Answer) qa.Answer {
	a.Resolved = fu.Resolved
	return a
}

// definiteRE matches a definite noun phrase: "the meetings".
var definiteRE = regexp.MustCompile(`(?i)\bthe ((?:\w+ )?\w+)\b`)

// definite reports a definite noun phrase of f whose head the
// conversation has used: "the meetings" after an answer about a meeting.
func (s subject) definite(f string) bool {
	for _, m := range definiteRE.FindAllStringSubmatch(f, -1) {
		ts := analysis.Terms(m[1])
		if len(ts) > 0 && s.context[ts[len(ts)-1]] {
			return true
		}
	}
	return false
}
