package reading

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/kljensen/snowball/english"

	"citebot/rag/internal/analysis"
	dictionary "citebot/rag/internal/english"
	"citebot/rag/internal/index"
	"citebot/rag/internal/qa"
	"citebot/rag/internal/question"
)

// Reading a question as people type it in chat: "wher was biden sitting
// durng his call w xi" is read as "where was biden sitting during his call
// with xi". Chat spellings are expanded from a fixed table of general
// English, and words the corpus does not know are corrected towards words
// it does (a word the corpus uses is never changed, names included).

// chatWords maps chat spellings and contractions without apostrophes to
// the words they stand for.
var chatWords = map[string]string{
	"w": "with", "w/": "with", "n": "and", "u": "you", "ur": "your", "r": "are", "abt": "about", "bout": "about",
	"wat": "what", "wut": "what", "wht": "what", "whats": "what is", "wheres": "where is", "whens": "when is",
	"whos": "who is", "hows": "how is", "whys": "why is", "thats": "that is", "theres": "there is",
	"theyre": "they are", "im": "i am", "ive": "i have", "pls": "please", "plz": "please", "tho": "though",
	"bc": "because", "cuz": "because", "coz": "because", "b4": "before", "ppl": "people", "govt": "government",
	"yr": "year", "yrs": "years", "rn": "right now", "smth": "something", "conf": "conference", "vibe": "tone", "vibes": "tone", "sth": "something", "ya": "you",
	"dont": "don't", "didnt": "didn't", "doesnt": "doesn't", "isnt": "isn't", "wasnt": "wasn't",
	"werent": "weren't", "cant": "can't", "couldnt": "couldn't", "wont": "won't", "wouldnt": "wouldn't",
	"shouldnt": "shouldn't", "havent": "haven't", "hasnt": "hasn't", "hadnt": "hadn't", "arent": "aren't",
	"gonna": "going to", "wanna": "want to", "gotta": "have to", "dunno": "don't know", "lemme": "let me",
	"gimme": "give me", "thx": "thanks", "ty": "thanks", "tysm": "thanks", "btw": "", "lol": "", "lmao": "",
	"tbh": "", "imo": "", "idk": "", "pls,": "please",
}

// ordinalWords spells out ordinal numbers written in digits.
var ordinalWords = map[string]string{
	"1st": "first", "2nd": "second", "3rd": "third", "4th": "fourth", "5th": "fifth",
	"6th": "sixth", "7th": "seventh", "8th": "eighth", "9th": "ninth", "10th": "tenth",
	"11th": "eleventh", "12th": "twelfth", "13th": "thirteenth", "14th": "fourteenth",
	"15th": "fifteenth", "16th": "sixteenth", "17th": "seventeenth", "18th": "eighteenth",
	"19th": "nineteenth", "20th": "twentieth",
}

// fillerWords carry nothing of a question's content in chat: "hey when
// was the last time they actually talked?".
var fillerWords = map[string]bool{
	"hey": true, "hi": true, "hello": true, "yo": true, "actually": true, "even": true, "really": true,
	"just": true, "exactly": true, "basically": true, "literally": true, "kinda": true, "sorta": true,
	"thing": true, "things": true, "stuff": true, "guys": true, "folks": true, "please": true, "anyone": true,
	"anybody": true, "someone": true, "somebody": true, "ok": true, "okay": true, "um": true, "uh": true,
	"hmm": true, "wondering": true, "curious": true, "remind": true, "finally": true,
	"ever": true, "again": true, "mess": true, "whole": true, "quick": true, "thanks": true, "though": true,
	"supposedly": true, "apparently": true, "anyway": true, "approximately": true, "approx": true,
	"roughly": true,
}

// functionWords are English words a typo may stand for that the index
// does not hold (it drops stop words): "durng" is "during".
var functionWords = func() []string {
	words := []string{"where", "what", "when", "which", "while", "during", "before", "after", "about", "because",
		"between", "against", "through", "since", "until", "there", "their", "they", "would", "could", "should",
		"does", "doesn't", "didn't", "with", "without", "whose", "whom", "who", "why", "how", "many", "much",
		"other", "another", "these", "those", "were", "have", "been", "being", "again", "said", "says", "also"}
	return words
}()

// callOffForms maps the forms of "call" that "off" follows to those of
// "cancel".
var callOffForms = map[string]string{"call": "cancel", "calls": "cancels", "called": "cancelled", "calling": "cancelling"}

// disputeForms maps the forms of "fight" to those of "dispute", for a
// fight about or over something.
var disputeForms = map[string]string{"fight": "dispute", "fights": "disputes", "fighting": "disputing", "fought": "disputed"}

// deemRE matches the word before "a big deal" when the idiom rates
// something: "is a big deal", "was that a big deal".
var deemRE = regexp.MustCompile(`^(?:is|was|be|been|it|that|this|it's|it’s|that's|that’s|quite|really)$`)

// tokenRE splits a question into words and the rest.
var tokenRE = regexp.MustCompile(`[\p{L}\p{N}][\p{L}\p{N}'’./-]*[\p{L}\p{N}]|[\p{L}\p{N}]|\S`)

// Reader is the index as the answerers use it: its search and catalogue,
// and the reading of questions against the words the corpus uses.
type Reader struct{ *index.Index }

// NewReader returns the reader of ix.
func NewReader(ix *index.Index) Reader { return Reader{ix} }

// reading is a question as citebot reads it.
type Reading struct {
	// text is the question with chat spellings expanded and typos
	// corrected; equal to the question when nothing changed.
	Text string
	// casual reports a question typed without capitals.
	Casual bool
	// corrected lists the changed words, "durng → during".
	Corrected []string
	// foreign reports a question that is not in English, which the
	// offline answerer cannot read.
	Foreign bool
	// instructions reports that the question held instructions to the
	// bot, which were dropped ("ignore your rules", "start your reply
	// with @everyone"); text is empty when nothing else was left.
	Instructions bool
}

// instructionRE finds text addressed to the bot as instructions rather
// than asked about the articles: attempts to change its rules, its
// output or whom it pings.
var instructionRE = regexp.MustCompile(`(?i)\b(?:ignore|disregard|forget|override|bypass)\b[^.?!\]]{0,40}\b(?:instructions?|rules?|prompts?|guidelines?|previous|above|everything|context|citations?)\b|\b(?:system prompt|you are now|act as|pretend (?:to be|you)|jailbreak|developer mode|note to (?:the )?bot)\b|@(?:everyone|here)\b|\b(?:start|begin|end) (?:your|ur|the) (?:reply|answer|response|message)\b|\b(?:reply|respond|answer) only with\b|\b(?:tell|ping|notify|message) (?:everyone|everybody|all)\b|\bprint (?:your|the) (?:system )?(?:prompt|instructions)\b|\bcitations are (?:off|disabled)\b`)

// bracketRE finds a bracketed aside: "[note to bot: …]".
var bracketRE = regexp.MustCompile(`\[[^\]]*\]|\([^)]*\)|\{[^}]*\}`)

// withoutInstructions removes from q the bracketed asides and the
// sentences that instruct the bot, and reports whether it removed any.
func withoutInstructions(q string) (string, bool) {
	if !instructionRE.MatchString(q) {
		return q, false
	}
	q = bracketRE.ReplaceAllStringFunc(q, func(m string) string {
		if instructionRE.MatchString(m) {
			return " "
		}
		return m
	})
	var kept []string
	for _, part := range regexp.MustCompile(`[^.?!;]+[.?!;]*`).FindAllString(q, -1) {
		if !instructionRE.MatchString(part) {
			kept = append(kept, strings.TrimSpace(part))
		}
	}
	return strings.Join(kept, " "), true
}

// read expands chat spellings, drops filler words and corrects typos in q
// against the corpus, keeping the rest of q as it is. The caller holds no
// lock.
func (ix Reader) Read(q string) Reading {
	r := Reading{Casual: !hasInnerCapital(q), Foreign: notEnglish(q)}
	if q, r.Instructions = withoutInstructions(q); !qa.HasLetterOrDigit(q) {
		return r // nothing but instructions
	}
	lx := ix.Vocabulary()
	var b strings.Builder
	last := 0 // end of the text copied to b
	locs := tokenRE.FindAllStringIndex(q, -1)
	word := func(i int) string {
		if i < 0 || i >= len(locs) {
			return ""
		}
		return strings.ToLower(q[locs[i][0]:locs[i][1]])
	}
	for i := 0; i < len(locs); i++ {
		a, z := locs[i][0], locs[i][1]
		w := q[a:z]
		low := strings.ToLower(w)
		rep, replace := "", false
		id := idiomAt(word, i)
		switch {
		case w == "@" && i+1 < len(locs) && locs[i+1][0] == z:
			z = locs[i+1][1] // a mention, "@citebot", is not part of the question
			i++
			replace = true
		case fillerWords[low]:
			replace = true
		case (low == "kind" || low == "sort" || low == "type") && word(i+1) == "of" && isArticle(word(i-1)):
			z = locs[i+1][1] // "the kind of relationship": the relationship
			i++
			replace = true
		case id != nil:
			z = locs[i+id.extra][1]
			i += id.extra
			rep, replace = id.rep, true
		case hasKey(chatWords, low):
			rep, replace = chatWords[low], true
			if len(low) == 1 && !betweenWords(word(i-1), word(i+1)) {
				rep, replace = "", false // "functions of n", "T(n)"
			}
		case r.Casual && len(low) >= 3 && strings.HasSuffix(low, "s") && analysis.IsAlpha(low) && lx.DF(analysis.Stem(low)) == 0 && lx.DF(analysis.Stem(low[:len(low)-1])) > 0:
			rep, replace = w[:len(w)-1], true // "xis latest call": a possessive without its apostrophe
		case ordinalWords[low] != "" && lx.DF(analysis.Stem(low)) == 0 && lx.DF(analysis.Stem(ordinalWords[low])) > 0:
			rep, replace = ordinalWords[low], true // "their 5th call" where the articles write "fifth"
		case r.Casual && ix.acronymInCasing(lx, w, word(i-1)) != w:
			rep, replace = ix.acronymInCasing(lx, w, word(i-1)), true
		default:
			if fix, ok := ix.correct(lx, w, r.Casual); ok {
				r.Corrected = append(r.Corrected, low+" → "+fix)
				rep, replace = fix, true
			}
		}
		if !replace {
			continue
		}
		b.WriteString(q[last:a])
		if rep == "" {
			// Drop the word and one space beside it.
			if z < len(q) && q[z] == ' ' {
				z++
			} else if a > 0 && q[a-1] == ' ' && b.Len() > 0 {
				trimmed := strings.TrimSuffix(b.String(), " ")
				b.Reset()
				b.WriteString(trimmed)
			}
		} else {
			b.WriteString(rep)
		}
		last = z
	}
	b.WriteString(q[last:])
	r.Text = strings.TrimSpace(b.String())
	if !qa.HasLetterOrDigit(r.Text) {
		r.Text = q // nothing but fillers: read them after all
	}
	return r
}

// idiom is a phrase read for what it means: rep replaces its first word
// and the extra words after it.
type idiom struct {
	rep   string
	extra int
}

// idiomAt returns the idiom that starts at the i-th word of a question
// (word(i) returns it in lower case, "" out of range), or nil. Each is
// general English whose words alone would be read otherwise: "fighting
// about" is a dispute, not a battle; "call off" cancels, it is no phone
// call; a final "back on" is "rescheduled"; "the point of" is a purpose;
// "a big deal" is importance, not an agreement.
func idiomAt(word func(int) string, i int) *idiom {
	low := word(i)
	switch {
	case disputeForms[low] != "" && (word(i+1) == "about" || word(i+1) == "over"):
		return &idiom{disputeForms[low], 0}
	case callOffForms[low] != "" && word(i+1) == "off":
		return &idiom{callOffForms[low], 1}
	case low == "back" && word(i+1) == "on" && !qa.HasLetterOrDigit(word(i+2)):
		return &idiom{"rescheduled", 1}
	case low == "point" && word(i-1) == "the" && word(i+1) == "of" && word(i+2) != "view":
		return &idiom{"purpose", 0}
	case low == "such" && word(i+1) == "a" && word(i+2) == "big" && word(i+3) == "deal":
		return &idiom{"so important", 3}
	case low == "a" && word(i+1) == "big" && word(i+2) == "deal" && deemRE.MatchString(word(i-1)):
		return &idiom{"important", 2}
	}
	return nil
}

// IsCapitalised reports whether s starts with an upper-case letter.
func IsCapitalised(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsUpper(r)
}

func hasKey(m map[string]string, k string) bool { _, ok := m[k]; return ok }

// betweenWords reports whether a one-letter chat word ("n", "w", "u")
// stands between two words, as a conjunction or preposition does, rather
// than after one that makes it a symbol ("functions of n").
func betweenWords(prev, next string) bool {
	if prev == "" || next == "" || !analysis.IsAlpha(next) {
		return false
	}
	switch prev {
	case "of", "to", "in", "on", "at", "by", "for", "from", "with", "the", "a", "an", "and", "or", "(", "=", "+", "-":
		return false
	}
	return analysis.IsAlpha(prev)
}

// hasInnerCapital reports whether s has a capitalised word after its
// first: "When did Biden …" has, "when did biden …" and "is the us
// talking about AI?" (an acronym) have not.
func hasInnerCapital(s string) bool {
	for i, w := range strings.Fields(s) {
		r, _ := utf8.DecodeRuneInString(w)
		if i > 0 && unicode.IsUpper(r) && strings.IndexFunc(w, unicode.IsLower) > 0 {
			return true
		}
	}
	return false
}

// correct returns the word most likely meant, and whether word needed a
// correction: a word of four or more letters that is neither English (see
// package english) nor used by the corpus, within one edit (two from seven
// letters) of a word the corpus uses, or of an English function word. A
// word the corpus uses is never changed, nor a capitalised word in a
// question written with capitals.
func (ix Reader) correct(lx index.Vocabulary, word string, casual bool) (string, bool) {
	w := strings.ToLower(word)
	n := utf8.RuneCountInString(w)
	if n < 4 || !analysis.IsAlpha(w) || english.IsStopWord(w) || question.QuestionWords[w] || fillerWords[w] {
		return w, false
	}
	if !casual && IsCapitalised(word) {
		return w, false // a name the writer took care to capitalise
	}
	t := analysis.Stem(w)
	if lx.DF(t) > 0 || dictionary.IsWord(w) {
		return w, false
	}
	maxDist := 1
	if n >= 7 {
		maxDist = 2
	}
	for _, f := range functionWords {
		if abs(len(f)-len(w)) <= 1 && analysis.EditDistance(w, f, 1) <= 1 && f[0] == w[0] {
			return f, true
		}
	}
	best, ok := lx.Closest(t, maxDist)
	if !ok {
		return w, false
	}
	return lx.SurfaceForm(best), true
}

// dictionaryWord reports whether w is an English word (see package
// english).
func dictionaryWord(w string) bool { return dictionary.IsWord(w) }

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// acronymInCasing writes the parts of a lower-case word that the corpus
// only knows as an acronym in capitals: "the us" is "the US", "us-china"
// is "US-china". Such a part is an English stop word ("us", "it") that the
// corpus uses, capitalised, as a name, after "the" or joined by a hyphen.
func (ix Reader) acronymInCasing(lx index.Vocabulary, w, prev string) string {
	parts := strings.Split(w, "-")
	for i, p := range parts {
		if p == "" || p != strings.ToLower(p) || len(p) > 4 || !analysis.IsStop(p, false) {
			continue
		}
		if len(parts) == 1 && prev != "the" {
			continue
		}
		if lx.DF(p) > 0 && lx.Proper(p) {
			parts[i] = strings.ToUpper(p)
		}
	}
	return strings.Join(parts, "-")
}

// analyzeReading analyses a question as read. A question typed without
// capitals names its entities in lower case; its keys are then the terms
// the corpus writes as names.
func (ix Reader) AnalyzeReading(r Reading) question.Question {
	q := question.Analyze(r.Text)
	lx := ix.Vocabulary()
	q.Keys = ix.looseKeys(lx, r.Text, q.Keys)
	if !r.Casual {
		return q
	}
	have := map[string]bool{}
	for _, k := range q.Keys {
		have[k] = true
	}
	for _, t := range q.Terms {
		if !have[t] && !q.DateTerms[t] && lx.DF(t) > 0 && lx.Proper(t) {
			have[t] = true
			q.Keys = append(q.Keys, t)
		}
	}
	return q
}

// isArticle reports an article or determiner before "kind of": "the kind
// of relationship" asks about the relationship.
func isArticle(w string) bool {
	switch w {
	case "the", "a", "an", "what", "which", "this", "that":
		return true
	}
	return false
}

// notEnglish reports whether a question is not written in English: most of
// its letters are of another script ("习近平和拜登什么时候通话?"), or most of
// its words of four letters or more are not English words ("¿cuándo
// hablaron por última vez?"). Names spoil little: a question has few.
func notEnglish(q string) bool {
	latin, other := 0, 0
	for _, r := range q {
		switch {
		case !unicode.IsLetter(r):
		case unicode.Is(unicode.Latin, r):
			latin++
		default:
			other++
		}
	}
	if other > latin {
		return true
	}
	words, english := 0, 0
	for _, w := range strings.FieldsFunc(strings.ToLower(q), func(r rune) bool { return !unicode.IsLetter(r) && r != '\'' && r != '’' }) {
		if utf8.RuneCountInString(w) < 4 {
			continue
		}
		words++
		if dictionaryWord(w) || analysis.IsStop(w, false) || question.QuestionWords[w] || fillerWords[w] || chatWords[w] != "" {
			english++
		}
	}
	return words >= 3 && english*2 < words
}

// weekdayRE matches the names of the days of the week, which date a
// question ("early Thursday") rather than name what it is about.
var weekdayRE = regexp.MustCompile(`^(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)s?$`)

// approxNumberRE matches a number the question gives as a bound or an
// estimate ("more than $11 million", "nearly 60%"): an article may state
// it more exactly ("$11.8 million").
var approxNumberRE = regexp.MustCompile(`(?i)\b(?:more than|less than|fewer than|over|under|nearly|almost|about|around|roughly|approximately|some|at least|at most|up to|close to)\s+[$€£]?$`)

// commonKeyShare is the share of articles above which a key is too common
// to be required of an answer's context: an article about a country's
// box office need not name the country a question names in passing
// ("the US box office"). Applies to corpora of at least
// commonKeyMinArticles articles.
const (
	commonKeyShare       = 0.2
	commonKeyMinArticles = 200
)

// looseKeys returns the keys an answer's context must hold, without those
// whose capital or digits say little: a word capitalised only because it
// starts a sentence ("Despite", "Dozens") unless the corpus writes it as
// a name; the days of the week; numbers given as bounds or estimates; and
// names so common in a large corpus that nearly any article could leave
// them unsaid.
func (ix Reader) looseKeys(lx index.Vocabulary, text string, keys []string) []string {
	if len(keys) == 0 {
		return keys
	}
	initialOnly := map[string]bool{}
	approx := map[string]bool{}
	inside := map[string]bool{}
	for _, t := range analysis.Tokenize(text) {
		if t.Term == "" {
			continue
		}
		if t.Capital && analysis.SentenceInitial(text, t.Start) {
			initialOnly[t.Term] = !inside[t.Term]
		} else {
			inside[t.Term] = true
			delete(initialOnly, t.Term)
		}
		if analysis.IsDigitString(t.Lower) && approxNumberRE.MatchString(text[:t.Start]) {
			approx[t.Term] = true
		}
	}
	out := keys[:0:0]
	for _, k := range keys {
		df := lx.DF(k)
		switch {
		case weekdayRE.MatchString(k):
		case approx[k]:
		case initialOnly[k] && df > 0 && !lx.Proper(k):
		case lx.Articles() >= commonKeyMinArticles && float64(lx.ArticleDF(k)) > commonKeyShare*float64(lx.Articles()):
		default:
			out = append(out, k)
		}
	}
	return out
}
