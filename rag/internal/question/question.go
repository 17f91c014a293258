package question

import (
	"regexp"
	"strings"
	"time"

	"citebot/rag/internal/analysis"
)

// Kind is the type of answer a question asks for.
type Kind int

// The kinds of answer; KindOther is a question of none of these.
const (
	KindOther Kind = iota
	KindWhen
	KindWho
	KindWhere
	KindWhy
	KindHowMany
	KindHowLong
	KindWhat
	KindHow // manner: "how did they …?"
)

// Question is the analysis of a question that guides sentence selection.
type Question struct {
	// Text is the question as analysed.
	Text string
	// Kind is the kind of answer the question asks for.
	Kind Kind
	// Recency is set for "last / latest / most recent / currently" questions.
	Recency bool
	// Terms are the question's index terms without duplicates.
	Terms []string
	// Words are the lower-case words of the question (for excluding
	// repeated entities from candidate answers).
	Words map[string]bool
	// Keys are the terms of the entities and numbers the question names
	// ("Sullivan", "Mars", "2014"): an answer's context must contain them.
	Keys []string
	// Period is the month or year the question is about, if any, and
	// dateTerms the terms that name it ("septemb", "2021").
	Period    Period
	HasTime   bool
	DateTerms map[string]bool
	// Preamble holds the terms only statements before the question
	// sentence hold: "Gas prices hit a record. How much does a gallon
	// cost?". Nil for a question of one sentence.
	Preamble map[string]bool
	// Negated reports a negative question ("what was not …").
	Negated bool
	// YesNo reports a question to be answered yes or no: "did they meet
	// in 2022?". A second, wh- part ("did they talk again? when?") sets
	// kind as well.
	YesNo bool
	// Focus is the term of the noun a what/which question asks for
	// ("summit" in "what summits …", "automak" in "which automaker …").
	Focus string
	// Counted holds the terms of the words a how-many question counts
	// ("call" of "how many calls had they held?"); nil for other kinds.
	Counted []string
	// About are the terms of what the question asks about ("taiwan" in
	// "what did they say about taiwan?"): the answer's sentence, or the
	// one before it, must name them.
	About []string
}

// QuestionWords start questions and are capitalised for that reason only.
var QuestionWords = map[string]bool{"who": true, "whom": true, "whose": true, "what": true, "when": true, "where": true, "why": true, "which": true, "how": true, "is": true, "are": true, "was": true, "were": true, "did": true, "do": true, "does": true, "has": true, "have": true, "had": true, "can": true, "could": true, "will": true, "would": true, "should": true, "in": true, "on": true, "at": true, "according": true, "tell": true, "name": true, "list": true, "give": true, "i": true}

var (
	recencyRE = regexp.MustCompile(`(?i)\b(?:latest|most recent(?:ly)?|recently|newest|currently|current|now|so far|to date|as of (?:today|now)|these days|this (?:week|month|year)|lately)\b`)
	// "last" as an adjective or adverb ("last speak", "the last call"), not
	// the verb ("did the call last?").
	lastRE    = regexp.MustCompile(`(?i)\blast\b(?:\s+(\w+))?`)
	howManyRE = regexp.MustCompile(`(?i)^(?:how many|how much|what (?:number|percentage|share|amount)|how often)\b`)
	// HowLongRE and WhenRE match how-long and when questions anywhere.
	HowLongRE = regexp.MustCompile(`(?i)^how long\b|\bfor how long\b|\bwhat (?:was |is )?the duration\b`)
	WhenRE    = regexp.MustCompile(`(?i)^(?:when|what (?:year|date|day|month|time|century|decade)|which (?:year|date|day|month|century|decade)|since when|by when|until when|in what year|on what date)\b|\bwhen\b`)
	whoRE     = regexp.MustCompile(`(?i)^(?:who|whom|whose|which (?:person|people|official|leader|president|country|countries|organization|group|company))\b|\bwho\b`)
	whereRE   = regexp.MustCompile(`(?i)^(?:where|in what (?:city|country|place|state)|which (?:city|country|place|state|region))\b|\bwhere\b`)
	whyRE     = regexp.MustCompile(`(?i)^(?:why|what (?:led to|caused|prompted|was the reason|is the reason)|for what reason)\b|\bwhy\b`)
	whatRE    = regexp.MustCompile(`(?i)^(?:what|which)\b`)

	// The same kinds, at the start of a clause (WhenLead: a when question).
	howLongLead = regexp.MustCompile(`(?i)^(?:how long|for how long|what (?:was |is )?the duration)\b`)
	whyLead     = regexp.MustCompile(`(?i)^(?:why|how come|what (?:led to|caused|prompted|was the reason|is the reason)|for what reason)\b`)
	WhenLead    = regexp.MustCompile(`(?i)^(?:when|how soon|what (?:year|date|day|month|time|century|decade)|which (?:year|date|day|month|century|decade)|since when|by when|until when|in what year|on what date)\b`)
	whereLead   = regexp.MustCompile(`(?i)^(?:where|in what (?:city|country|place|state)|which (?:city|place|region)|what (?:city|place|region))\b`)
	whoLead     = regexp.MustCompile(`(?i)^(?:who|whom|whose|(?:which|what)(?: \p{L}+)? (?:` + nameNouns + `)|what(?:'s| is| was)? the name of)\b`)
	howLead     = regexp.MustCompile(`(?i)^how (?:did|does|do|is|are|was|were|can|could|would|will|has|have|had|should)\b`)
	yesNoLead   = regexp.MustCompile(`(?i)^(?:is|are|was|were|did|do|does|has|have|had|can|could|will|would|should|shall|may|might|must|isn['’]t|aren['’]t|wasn['’]t|weren['’]t|didn['’]t|doesn['’]t|don['’]t|hasn['’]t|haven['’]t|won['’]t|wouldn['’]t|can['’]t|couldn['’]t)\b`)
	// nameNouns are the nouns of "which …" questions whose answer is a
	// name: "which Georgetown professor", "which automaker", "what
	// country".
	nameNouns = `person|people|man|woman|official|officials|leader|leaders|president|organization|group|professor|scholar|expert|analyst|diplomat|minister|senator|governor|researcher|journalist|reporter|spokesman|spokeswoman|spokesperson|envoy|ambassador|secretary|adviser|advisor|aide|general|judge|lawyer|actor|actress|singer|rapper|player|star|celebrity|athlete|ceo|founder|author|writer|company|companies|automaker|firm|brand|bank|retailer|chain|airline|network|agency|team|club|party|country|countries|nation|state|city|university|school|college|newspaper|outlet|show|series|movie|film|book|album|song|band`
	// orRE finds the word "or".
	orRE = regexp.MustCompile(`(?i)\bor\s+`)
	// orTagRE matches what follows an "or" that only asks "or not": "or
	// not", "is it a thaw or what?".
	orTagRE = regexp.MustCompile(`(?i)^(?:not\b|(?:no|what|whatever|something|anything)\s*[?!.]*$)`)
	// clauseRE splits a question into its parts: "did they talk again?
	// when was the latest one", "aukus announcement - what is aukus?".
	clauseRE = regexp.MustCompile(`\?+|\s[-–—]\s|;`)
	// LeadInRE is a clause's opening before its question: "and", "so",
	// "according to the White House,".
	LeadInRE = regexp.MustCompile(`(?i)^(?:(?:and|so|but|also|then|ok|okay|well|now|approximately|approx|roughly|about|around|exactly|precisely|just)\b[\s,.]*|according to [^,]+,\s*|in [^,]{1,40},\s*)`)
)

// questionKind works out what kind of answer q asks for, from the start
// of its clauses first ("how did his team try to flip who looks like …"
// asks how, not who), and whether it asks for yes or no.
func questionKind(q string) (Kind, bool) {
	yesNo := false
	for i, c := range clauseRE.Split(q, -1) {
		c = strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(c), ",.:"))
		for {
			lead := LeadInRE.FindString(c)
			if lead == "" {
				break
			}
			c = c[len(lead):]
		}
		if c == "" {
			continue
		}
		if k, ok := firstKind(leadKinds, c); ok {
			return k, yesNo
		}
		if i == 0 && yesNoLead.MatchString(c) && !offersChoice(c) {
			yesNo = true
		}
	}
	if yesNo {
		return KindOther, true
	}
	// No clause starts with a question word: "sullivan flew to san diego
	// for some aukus announcement, what is it", "the IRS will do what?".
	k, _ := firstKind(anywhereKinds, q)
	return k, false
}

// offersChoice reports whether yes/no question c offers a choice ("is it
// abstract or concrete?", "would it alter the treaties or replace them?"),
// which yes or no does not answer. An "or" that opens a question of its
// own ("did they meet, or was it all calls?") or asks "or not" ("or
// what?") leaves a yes/no question.
func offersChoice(c string) bool {
	for _, loc := range orRE.FindAllStringIndex(c, -1) {
		if rest := c[loc[1]:]; !yesNoLead.MatchString(rest) && !orTagRE.MatchString(rest) {
			return true
		}
	}
	return false
}

// kindPattern is a pattern of question words and the kind they ask.
type kindPattern struct {
	re   *regexp.Regexp
	kind Kind
}

// leadKinds find the kind of a clause by the words it starts with, in
// order of precedence; anywhereKinds find it anywhere in the question.
var (
	leadKinds = []kindPattern{
		{howLongLead, KindHowLong}, {howManyRE, KindHowMany}, {whyLead, KindWhy}, {WhenLead, KindWhen},
		{whereLead, KindWhere}, {whoLead, KindWho}, {howLead, KindHow}, {whatRE, KindWhat},
	}
	anywhereKinds = []kindPattern{
		{HowLongRE, KindHowLong}, {whyRE, KindWhy}, {WhenRE, KindWhen},
		{whereRE, KindWhere}, {whoRE, KindWho}, {whatAnywhereRE, KindWhat},
	}
)

// firstKind returns the kind of the first of patterns that matches s, and
// kindOther and false when none does.
func firstKind(patterns []kindPattern, s string) (Kind, bool) {
	for _, p := range patterns {
		if p.re.MatchString(s) {
			return p.kind, true
		}
	}
	return KindOther, false
}

var whatAnywhereRE = regexp.MustCompile(`(?i)\b(?:what|which)\b`)

// aboutRE finds what a question asks about: "tell sullivan about taiwan
// when …", "regarding the tariffs".
var aboutRE = regexp.MustCompile(`(?i)\b(?:about|regarding|concerning)\s+((?:[\p{L}\p{N}'’-]+\s*){1,3}?)(?:\s+(?:when|where|while|after|before|during|in|on|at|with|to|for|from|and|or|that|who|which|\p{L}+ed)\b|[?.,!;]|$)`)

// aboutTerms returns the terms of the topic a question names after
// "about", unless "about" ends it ("what did they talk about?") or
// introduces a wh-word or pronoun.
func aboutTerms(q string) []string {
	var out []string
	for _, m := range aboutRE.FindAllStringSubmatch(q, -1) {
		first := strings.ToLower(strings.Fields(m[1])[0])
		if QuestionWords[first] || first == "it" || first == "that" || first == "this" || first == "them" || first == "what" {
			continue
		}
		out = append(out, analysis.Terms(m[1])...)
	}
	return out
}

// focusRE finds the noun a what/which question asks for: "what summits
// was …", "which American company did …", "what kind of military call".
var focusRE = regexp.MustCompile(`(?i)\b(?:what|which)\s+(?:kind|type|sort|form)?\s*(?:of\s+)?((?:[\p{L}-]+\s+){0,3}?[\p{L}-]+?)\s+(?:is|are|was|were|did|does|do|has|have|had|will|would|can|could|should|that|of|in|on|at|for|to|from|by|with|\p{L}+ed)\b`)

// focusEndRE matches a what/which phrase that ends the question: "… is
// brewing at which major company?".
var focusEndRE = regexp.MustCompile(`(?i)\b(?:what|which)\s+((?:[\p{L}-]+\s+){0,3}?[\p{L}-]+)\s*[?.!]*\s*$`)

// focusTerm returns the term of the noun a what/which question asks for,
// or "".
func focusTerm(q string) string {
	m := focusRE.FindStringSubmatch(q)
	if m == nil {
		m = focusEndRE.FindStringSubmatch(q)
	}
	if m == nil {
		return ""
	}
	ws := analysis.Terms(m[1])
	if len(ws) == 0 {
		return ""
	}
	return ws[len(ws)-1]
}

// countedRE finds the words a how-many question counts: "calls" of "how
// many calls had they held?".
var countedRE = regexp.MustCompile(`(?i)\bhow many\s+((?:[\p{L}-]+\s+){0,2}[\p{L}-]+)`)

// countedTerms returns the terms of the words question q counts, or nil.
func countedTerms(q string) []string {
	m := countedRE.FindStringSubmatch(q)
	if m == nil {
		return nil
	}
	return analysis.Terms(m[1])
}

// PeriodSlack is how long after a period an article may still report on it.
const PeriodSlack = 75 * 24 * time.Hour

// PeriodEnd is the last publication date that can report on the question's
// period.
func (q Question) PeriodEnd() time.Time { return q.Period.To.Add(PeriodSlack) }

// InPeriod reports whether an article published on pub can report on the
// question's period.
func (q Question) InPeriod(pub time.Time) bool {
	return q.HasTime && !pub.IsZero() && !pub.Before(q.Period.From) && !pub.After(q.PeriodEnd())
}

// whPhrase matches the words of a question phrase that name the type of
// answer, not its content: "how long", "what year".
var whPhrase = regexp.MustCompile(`(?i)^(?:how (?:long|many(?: times)?|much|often|old|far)|(?:what|which|in what|on what) (?:year|date|day|month|time|century|decade|number|percentage|share|amount|kind|type|sort)s?)\b`)

// RelativeTimeRE matches words that place a question in time relative to
// when it is asked ("this week", "recently"): they set how much recent
// articles are preferred, and are not content to match.
var RelativeTimeRE = regexp.MustCompile(`(?i)\b(?:since (?:\p{L}+['’]?s? )?(?:took office|taking office|was elected|election|came to power|coming to power|became president|assumed office|assuming office|inauguration)|back (?:in|then|when)|(?:this|last|next|past|coming) (?:week|weekend|month|year)|recently|lately|today|tonight|yesterday|currently|these days|so far|right now|at the moment|earlier this (?:week|month|year)|in recent (?:days|weeks|months))\b`)

// newsPhrase matches words that ask for news in general, which every
// article of a news corpus is: "the latest news on", "any updates about".
var newsPhrase = regexp.MustCompile(`(?i)\b(?:news|updates?|developments?|happenings?|what'?s new)\s+(?:on|about|regarding|with|in|from)\b`)

// Analyze works out what a question asks for.
func Analyze(q string) Question {
	a := Question{Text: q, Words: map[string]bool{}}
	seen := map[string]bool{}
	skip := append([]string{whPhrase.FindString(q)}, newsPhrase.FindAllString(q, -1)...)
	for _, m := range append(skip, RelativeTimeRE.FindAllString(q, -1)...) {
		for _, t := range analysis.Terms(m) {
			seen[t] = true // not a content term
		}
	}
	keySeen := map[string]bool{}
	for i, t := range analysis.Tokenize(q) {
		a.Words[t.Lower] = true
		if t.Term == "" {
			continue
		}
		if !seen[t.Term] {
			seen[t.Term] = true
			a.Terms = append(a.Terms, t.Term)
		}
		entity := t.Capital && !(i == 0 && QuestionWords[t.Lower]) && !QuestionWords[t.Lower]
		if (entity || analysis.IsDigitString(t.Lower)) && !keySeen[t.Term] {
			keySeen[t.Term] = true
			a.Keys = append(a.Keys, t.Term)
		}
	}
	a.Preamble = Preamble(q)
	a.Kind, a.YesNo = questionKind(q)
	if a.Kind == KindWhat || a.Kind == KindHow || (a.YesNo && a.Kind == KindOther) {
		// "What did they say about Taiwan?" asks for what is said about
		// it; "who was quoted about the summit?" for a name.
		a.About = aboutTerms(q)
	}
	if a.Kind == KindWhat || a.Kind == KindWho { // "which show", "what summits"
		a.Focus = focusTerm(q)
	}
	if a.Kind == KindHowMany {
		a.Counted = countedTerms(q)
	}
	a.Recency = recencyRE.MatchString(q)
	for _, m := range lastRE.FindAllStringSubmatch(q, -1) {
		next := strings.ToLower(m[1])
		if next != "" && next != "for" && next != "long" {
			a.Recency = true
		}
	}
	// "What was not …" asks for something negative; "why don't deals
	// stick?" asks for a reason, which need not be.
	a.Negated = negationRE.MatchString(q) && a.Kind != KindWhy && a.Kind != KindHow && !a.YesNo
	a.Period, a.HasTime = QuestionPeriod(q)
	a.DateTerms = map[string]bool{}
	for _, m := range QuestionMonthYearRE.FindAllString(q, -1) {
		for _, t := range analysis.Terms(m) {
			a.DateTerms[t] = true
		}
	}
	for _, m := range QuestionYearRE.FindAllString(q, -1) {
		for _, t := range analysis.Terms(m) {
			a.DateTerms[t] = true
		}
	}
	return a
}

// Patterns of answers: DurationRE a stretch of time ("90 minutes"),
// PlaceRE a capitalised place after a preposition, NameRE a name of two or
// more words.
var (
	DurationRE = regexp.MustCompile(`(?i)\b(?:\d+(?:\.\d+)?|a few|several|a couple of|one|two|three|four|five|six|seven|eight|nine|ten|twelve|fifteen|twenty|thirty|forty|fifty|sixty|ninety|hundred)[- ](?:seconds?|minutes?|hours?|days?|weeks?|months?|years?|decades?|centuries)\b|\b(?:an? )?(?:hour|day|week|month|year|decade)-long\b`)
	numberRE   = regexp.MustCompile(`(?i)\b(?:\d[\d,.]*|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|hundred|thousand|million|billion|dozens?|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|twice|once)\b`)
	causeRE    = regexp.MustCompile(`(?i)\b(?:because|due to|owing to|in the wake of|following|after|amid|over|as a result|led to|leading to|caused|prompted|so that|in order to|to ease|given|since|reason|triggered|sparked)\b`)
	PlaceRE    = regexp.MustCompile(`\b(?:in|at|near|to|from|aboard|inside|outside)\s+(?:the\s+)?(\p{Lu}[\p{L}.]+(?:(?:[ ,]+|\s+of\s+(?:the\s+)?)\p{Lu}[\p{L}.]+)*)`)
	nameWord   = `\p{Lu}(?:\p{Ll}*['’]\p{Lu})?[\p{Ll}'’.]+(?:-\p{Lu}?[\p{Ll}'’.]+)*`
	NameRE     = regexp.MustCompile(`\b` + nameWord + `(?:\s+(?:\p{Lu}\.?\s+)?` + nameWord + `)+`)
	// "Who is Denny Roy?" asks for a description, not a name.
	// Words that measure or bound a stretch of time: "in seconds", "for
	// decades", "since 2001".
	timeSpanRE = regexp.MustCompile(`(?i)\b(?:seconds|minutes|hours|days|weeks|months|years|decades|centuries|since\s+(?:at least\s+)?(?:the\s+)?(?:early\s+|mid-?|late\s+)?\d)`)
	// "What was the name of …?"
	NameOfRE = regexp.MustCompile(`(?i)\bname of\b`)
	// A place named by a common noun: "in the treaty room", "at the
	// embassy".
	PlaceNounRE  = regexp.MustCompile(`(?i)\b(?:in|at|inside|aboard|near|outside)\s+(?:the\s+|a\s+|an\s+)?(?:[\p{L}-]+\s+){0,2}(?:room|office|house|building|hall|palace|residence|city|town|village|capital|country|region|province|state|embassy|airport|base|hotel|ship|plane|court|courthouse|hospital|school|university|church|stadium|park|camp|prison|headquarters|ministry|parliament|square|street|port|harbor|harbour|island|border|mountains?|desert|coast|valley|river|lake|sea|ocean)\b`)
	DefinitionRE = regexp.MustCompile(`(?i)^(?:who|what) (?:is|was|are|were) (?:the |a |an )?[^,;]+\??$`)
	roleRE       = regexp.MustCompile(`(?i)\b(?:researcher|scholar|official|minister|secretary|adviser|advisor|ambassador|director|president|professor|spokesperson|spokesman|spokeswoman|envoy|aide|chief|leader|founder|chairman|chair|author|candidate|senator|governor|diplomat|expert|analyst)\b`)
)

// TypeFit scores in [0, 1] how well sentence s fits the kind of answer q
// asks for; words already in the question do not count as the answer.
func TypeFit(q Question, s string) float64 {
	novel := func(m string) bool {
		for _, t := range analysis.Tokenize(m) {
			if !q.Words[t.Lower] {
				return true
			}
		}
		return false
	}
	anyNovel := func(re *regexp.Regexp) bool {
		for _, m := range re.FindAllString(s, -1) {
			if novel(m) {
				return true
			}
		}
		return false
	}
	switch q.Kind {
	case KindWhen:
		if anyNovel(DateMentionRE) {
			return 1
		}
		return 0
	case KindHowLong:
		if anyNovel(DurationRE) {
			return 1
		}
		if anyNovel(DateMentionRE) {
			return 0.4
		}
		return 0
	case KindHowMany:
		for _, loc := range numberRE.FindAllStringIndex(s, -1) {
			m := s[loc[0]:loc[1]]
			if strings.EqualFold(m, "one") && strings.HasPrefix(s[loc[1]:], " of ") {
				continue // "one of these swings" picks one out, it counts nothing
			}
			if novel(m) && !YearRE.MatchString(m) { // "in 2023" is not a count
				return 1
			}
		}
		return 0
	case KindWhy:
		if causeRE.MatchString(s) {
			return 1
		}
		return 0.2
	case KindWhere:
		for _, m := range PlaceRE.FindAllStringSubmatch(s, -1) {
			if novel(m[1]) && !DateMentionRE.MatchString(m[1]) { // "in February" is no place
				return 1
			}
		}
		if anyNovel(PlaceNounRE) || len(PossessivePlaces(q, s)) > 0 {
			return 1
		}
		return 0.1
	case KindWho:
		score := 0.0
		if AnyNovelName(q, s) {
			score += 0.7
		}
		if roleRE.MatchString(s) {
			score += 0.3
		}
		return score
	}
	return 0.5
}

// possessiveRE finds a name in the possessive: "Antarctica’s".
var possessiveNameRE = regexp.MustCompile(`\b(\p{Lu}[\p{L}.]+(?:\s+\p{Lu}[\p{L}.]+)*)['’]s\b`)

// PossessivePlaces returns the spans of names the question does not hold
// that own one of its words, with at most two words between: "Antarctica’s
// so-called doomsday glacier" places the glacier a where-question asks
// about.
func PossessivePlaces(q Question, s string) [][]int {
	var out [][]int
	for _, m := range possessiveNameRE.FindAllStringSubmatchIndex(s, -1) {
		name := s[m[2]:m[3]]
		if !NovelName(q, name) || DateMentionRE.MatchString(name) || m[2] == 0 && SentenceWord(strings.Fields(name)[0]) {
			continue
		}
		for i, t := range analysis.Tokenize(s[m[1]:]) {
			if i > 2 {
				break
			}
			if t.Term != "" && q.Words[t.Lower] {
				out = append(out, []int{m[2], m[3]})
				break
			}
		}
	}
	return out
}

// CapitalRunRE finds runs of capitalised words: "Turkish", "Wang Yi".
var CapitalRunRE = regexp.MustCompile(`\b\p{Lu}[\p{L}'’.-]*(?:\s+(?:of\s+|de\s+)?\p{Lu}[\p{L}'’.-]*)*`)

// NovelName reports whether name m holds no content word of the
// question, nor a form of one ("China" for a question about the
// "chinese" official).
func NovelName(q Question, m string) bool {
	for _, t := range analysis.Tokenize(m) {
		if t.Term != "" && q.HasWordLike(t.Lower) {
			return false
		}
	}
	return true
}

// HasWordLike reports whether the question has the word w or one that
// shares its first four letters and most of its length ("chinese" for
// "china").
func (q Question) HasWordLike(w string) bool {
	if q.Words[w] {
		return true
	}
	if len(w) < 4 {
		return false
	}
	for qw := range q.Words {
		if len(qw) >= 4 && qw[:4] == w[:4] && max(len(qw)-len(w), len(w)-len(qw)) <= 3 {
			return true
		}
	}
	return false
}

// contractionRE matches a word contracted with a verb: "you’ll", "we're".
var contractionRE = regexp.MustCompile(`['’](?:ll|re|ve|d|m)$`)

// SentenceWord reports whether a capitalised first word of a sentence is
// an ordinary word ("The", "However", "Finally") rather than a name.
func SentenceWord(w string) bool {
	low := strings.ToLower(strings.TrimRight(w, ".,"))
	if analysis.IsStop(low, false) || QuestionWords[low] || strings.HasSuffix(low, "ly") || strings.HasSuffix(low, "ing") || contractionRE.MatchString(low) {
		return true
	}
	switch low {
	case "however", "meanwhile", "although", "though", "still", "thus", "then", "today", "yesterday", "instead", "worse", "nonetheless", "moreover", "indeed", "yet":
		return true
	}
	return false
}

// AnyNovelName reports whether s names someone or something the question
// does not, with a capitalised word that is not there only because it
// starts the sentence: a name that holds a word of the question ("John
// Kerry" for a question about Kerry) is the question's own.
func AnyNovelName(q Question, s string) bool {
	for _, loc := range CapitalRunRE.FindAllStringIndex(s, -1) {
		m := s[loc[0]:loc[1]]
		if loc[0] == 0 {
			first, rest, _ := strings.Cut(m, " ")
			if SentenceWord(first) {
				if m = rest; m == "" {
					continue
				}
			}
		}
		if DateMentionRE.MatchString(m) && len(DateMentionRE.FindString(m)) == len(m) {
			continue // a month or a weekday
		}
		if strings.HasSuffix(m, "’s") || strings.HasSuffix(m, "'s") {
			continue // a possessive modifies the answer: "Biden’s proposal"
		}
		if NovelName(q, m) {
			return true
		}
	}
	return false
}

// AnswersType reports whether sentence s holds the kind of answer q asks
// for, where that kind is definite: a date for "when", a duration (or two
// dates) for "how long", a number for "how many", a name for "who" (but
// "who is Denny Roy?" asks for a description), a place for "where".
func AnswersType(q Question, s string, fit float64) bool {
	switch q.Kind {
	case KindWhen, KindHowMany:
		return fit >= 1
	case KindHowLong:
		return fit >= 1 || len(DateMentionRE.FindAllString(s, -1)) >= 2 || timeSpanRE.MatchString(s)
	case KindWhere:
		return placeNear(q, s)
	case KindWho:
		if NameOfRE.MatchString(q.Text) {
			// "What's the name of the official who …?" asks for a name.
			return AnyNovelName(q, s)
		}
		return fit >= 0.7 || DefinitionRE.MatchString(q.Text)
	}
	return true
}

// maxPlaceDistance is how many words may separate the place that answers
// a where-question from a word of the question in the sentence: "the
// balloon … led the administration to cancel a trip … to Beijing" does
// not say where the balloon was.
const maxPlaceDistance = 14

// placeNear reports whether sentence s answers a where-question as far as
// places go: a place it names, not in the question, stands within
// maxPlaceDistance words of one of the question's content words other
// than its names (or a synonym); a sentence that names no place it can
// see ("on the Adriatic") is not judged.
func placeNear(q Question, s string) bool {
	keys := map[string]bool{}
	for _, k := range q.Keys {
		keys[k] = true
	}
	want := map[string]bool{}
	for _, t := range q.Terms {
		if keys[t] || q.DateTerms[t] {
			continue
		}
		want[t] = true
		for _, syn := range analysis.Synonyms(t) {
			want[syn] = true
		}
	}
	toks := analysis.Tokenize(s)
	var at []int // token positions of the question's words
	for i, t := range toks {
		if t.Term != "" && want[t.Term] {
			at = append(at, i)
		}
	}
	if len(at) == 0 {
		return TypeFit(q, s) >= 1 // nothing to be near: a place anywhere
	}
	var spans [][]int
	for _, m := range PlaceRE.FindAllStringSubmatchIndex(s, -1) {
		if !DateMentionRE.MatchString(s[m[2]:m[3]]) && NovelSpan(q, s[m[2]:m[3]]) {
			spans = append(spans, []int{m[2], m[3]})
		}
	}
	for _, sp := range PlaceNounRE.FindAllStringIndex(s, -1) {
		if NovelSpan(q, s[sp[0]:sp[1]]) {
			spans = append(spans, sp)
		}
	}
	if len(spans) == 0 {
		return true // no place to judge by: "on the Adriatic", "between P and PSPACE"
	}
	for _, sp := range spans {
		first, last := -1, -1
		for i, t := range toks {
			if t.Start >= sp[0] && t.End <= sp[1] {
				if first < 0 {
					first = i
				}
				last = i
			}
		}
		for _, i := range at {
			if (i < first && first-i <= maxPlaceDistance) || (i > last && i-last <= maxPlaceDistance) {
				return true
			}
		}
	}
	return false
}

// negationRE finds negation: "not", "never", "didn't", "no longer".
var negationRE = regexp.MustCompile(`(?i)\b(?:not|never|no|none|nobody|nothing|neither|nor|without|cannot|fail(?:ed|s)? to|refus(?:ed|es) to|den(?:y|ied|ies))\b|n[’']t\b`)

// antonyms pairs words whose swap turns a question into a different one.
var antonyms = map[string]string{}

func init() {
	for _, p := range [][2]string{
		{"earliest", "latest"}, {"largest", "smallest"}, {"biggest", "smallest"},
		{"highest", "lowest"}, {"higher", "lower"}, {"maximum", "minimum"},
		{"increase", "decrease"}, {"increased", "decreased"}, {"north", "south"},
		{"east", "west"}, {"northern", "southern"}, {"eastern", "western"},
		{"best", "worst"}, {"oldest", "youngest"}, {"oldest", "newest"}, {"longest", "shortest"},
		{"win", "lose"}, {"won", "lost"}, {"accept", "reject"}, {"accepted", "rejected"},
		{"allow", "forbid"}, {"allowed", "banned"}, {"success", "failure"}, {"legal", "illegal"},
		{"rise", "fall"}, {"strengthen", "weaken"}, {"support", "oppose"}, {"supported", "opposed"},
	} {
		antonyms[p[0]], antonyms[p[1]] = p[1], p[0]
	}
}

// Contradicts reports whether sentence s clashes with question q: q is
// negative and s is not, or q uses a word (e.g. "earliest") whose antonym
// ("latest") s uses instead.
func Contradicts(q Question, s string) bool {
	if q.Negated && !negationRE.MatchString(s) {
		return true
	}
	var words map[string]bool
	for w := range q.Words {
		anti, ok := antonyms[w]
		if !ok || q.Words[anti] {
			continue
		}
		if words == nil {
			words = map[string]bool{}
			for _, t := range analysis.Tokenize(s) {
				words[t.Lower] = true
			}
		}
		if words[anti] && !words[w] {
			return true
		}
	}
	return false
}

// Preamble returns the terms that only the statements before the
// last question sentence of q hold, or nil when q has no such statements.
func Preamble(q string) map[string]bool {
	sents := analysis.SplitSentences(q)
	if len(sents) < 2 {
		return nil
	}
	last := sents[len(sents)-1]
	for i := len(sents) - 1; i >= 0; i-- {
		if strings.Contains(q[sents[i].Start:sents[i].End], "?") {
			last = sents[i]
			break
		}
	}
	if last.Start == 0 {
		return nil
	}
	own := map[string]bool{}
	for _, t := range analysis.Terms(q[last.Start:]) {
		own[t] = true
	}
	pre := map[string]bool{}
	for _, t := range analysis.Terms(q[:last.Start]) {
		if !own[t] {
			pre[t] = true
		}
	}
	return pre
}
