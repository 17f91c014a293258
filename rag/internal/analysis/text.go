package analysis

import (
	"bytes"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"unicode"
	"unicode/utf8"

	"github.com/kljensen/snowball/english"
)

// Token is one word of a text.
type Token struct {
	// Lower is the word in lower case, without possessive 's and dots of
	// acronyms ("U.S." → "us").
	Lower string
	// Term is the index term: the Snowball stem for English words, lower
	// otherwise. Empty for stop words.
	Term string
	// Start and End are byte offsets in the text.
	Start, End int
	// Capital reports the word was written with an initial capital.
	Capital bool
}

// wordInfo is what Tokenize needs of a lower-case word.
type wordInfo struct {
	lower string // the word; its tokens share this copy
	term  string // its stem (see Stem)
	stop  bool   // a stop word, unless written in capitals (see IsStop)
}

// words memoises wordInfo for words of up to maxCachedWord bytes: the
// Snowball stemmer allocates on every call, and a text repeats its words.
// Reads take no lock: read is an immutable map, replaced by a merged copy
// once the words added since (recent, under mu) are a quarter as many.
// At a million passages Tokenize looks up hundreds of millions of words,
// and a lock taken for each, even a read lock, made two cores slower than
// one.
var words struct {
	read   atomic.Pointer[map[string]wordInfo]
	mu     sync.Mutex
	recent map[string]wordInfo
}

// isStop is IsStop for wi's word, allCaps telling that it was written in
// capitals.
func (wi wordInfo) isStop(allCaps bool) bool {
	return wi.stop && !(allCaps && utf8.RuneCountInString(wi.lower) > 1)
}

// maxCachedWord is the longest word words keeps.
const maxCachedWord = 64

// wordOfBytes returns the wordInfo of the lower-case word b.
func wordOfBytes(b []byte) wordInfo {
	if m := words.read.Load(); m != nil {
		if wi, ok := (*m)[string(b)]; ok { // no allocation: Go looks up by the bytes
			return wi
		}
	}
	return addWord(string(b))
}

// wordOf returns the wordInfo of the lower-case word w.
func wordOf(w string) wordInfo {
	if m := words.read.Load(); m != nil {
		if wi, ok := (*m)[w]; ok {
			return wi
		}
	}
	return addWord(w)
}

// addWord returns the wordInfo of w, a word missing from words.read,
// computing it and keeping it if it is new.
func addWord(w string) wordInfo {
	words.mu.Lock()
	defer words.mu.Unlock()
	if wi, ok := words.recent[w]; ok {
		return wi
	}
	wi := wordInfo{lower: w, term: stem(w), stop: isStopWord(w)}
	if len(w) > maxCachedWord {
		return wi
	}
	if words.recent == nil {
		words.recent = map[string]wordInfo{}
	}
	words.recent[w] = wi
	read := words.read.Load()
	n := 0
	if read != nil {
		n = len(*read)
	}
	if len(words.recent) >= 256+n/4 {
		merged := make(map[string]wordInfo, n+len(words.recent))
		if read != nil {
			for k, v := range *read {
				merged[k] = v
			}
		}
		for k, v := range words.recent {
			merged[k] = v
		}
		words.read.Store(&merged)
		words.recent = nil
	}
	return wi
}

// Stem returns the index term of a lower-case word.
func Stem(w string) string { return wordOf(w).term }

// stem computes Stem.
func stem(w string) string {
	if base, ok := irregular[w]; ok && !unmapped[w] {
		return english.Stem(base, true)
	} else if isLatin(w) && !isNumber(w) {
		return english.Stem(w, true)
	}
	return w
}

// IsStop reports whether a lower-case word carries no meaning for retrieval.
// Acronyms written in capitals ("US", "IT") are never stop words.
func IsStop(w string, allCaps bool) bool { return wordOf(w).isStop(allCaps) }

// isStopWord computes IsStop for a word not in capitals.
func isStopWord(w string) bool {
	if english.IsStopWord(w) {
		return true
	}
	switch w {
	case "also", "would", "could", "may", "might", "must", "shall", "said", "says", "say",
		"one", "two", "however", "yet", "still", "even", "us", "per", "via", "upon", "among", "within",
		"without", "according", "whether", "whose", "since", "ago", "many", "much", "another", "every", "like":
		return true
	}
	return false
}

// Tokenize splits text into words. Letters and digits form words; an
// apostrophe inside a word is kept ("don't"), a trailing possessive dropped,
// hyphens split words, dotted acronyms join ("U.S." → "us"). Han, Hiragana,
// Katakana and Thai characters are one word each, as those scripts do not
// separate words by spaces.
func Tokenize(text string) []Token {
	return AppendTokens(make([]Token, 0, wordStarts(text)), text)
}

// AppendTokens appends the tokens of text (see Tokenize) to dst and
// returns the extended slice: a caller that tokenises many texts reuses
// one buffer rather than allocating a slice for each.
func AppendTokens(dst []Token, text string) []Token {
	from := len(dst)
	toks, b := dst, []byte(nil) // b: the current word in lower case
	i := 0
	for i < len(text) {
		r, n := utf8.DecodeRuneInString(text[i:])
		if !isWordRune(r) {
			i += n
			continue
		}
		if isIdeograph(r) {
			toks = append(toks, Token{Lower: string(r), Term: string(r), Start: i, End: i + n})
			i += n
			continue
		}
		start := i
		b = b[:0]
		allCaps, capital := true, unicode.IsUpper(r)
		letters := 0
		for i < len(text) {
			r, n := utf8.DecodeRuneInString(text[i:])
			switch {
			case isWordRune(r) && !isIdeograph(r):
				if unicode.IsLower(r) {
					allCaps = false
				}
				if unicode.IsLetter(r) {
					letters++
				}
				b = utf8.AppendRune(b, unicode.ToLower(r))
				i += n
				continue
			case (r == '\'' || r == '’') && i+n < len(text):
				next, _ := utf8.DecodeRuneInString(text[i+n:])
				if unicode.IsLetter(next) {
					i += n
					b = append(b, '\'')
					continue
				}
			case (r == ',' || r == '.') && len(b) > 0 && IsDigitString(string(b)) && i+n < len(text):
				// 1,000 and 3.5
				next, _ := utf8.DecodeRuneInString(text[i+n:])
				if unicode.IsDigit(next) {
					if r == '.' {
						b = append(b, '.')
					}
					i += n
					continue
				}
			case r == '.' && i+n < len(text) && letters <= 2 && len(b) <= 3:
				// Dotted acronyms: "U.S.", "U.N.", "D.C.".
				next, nn := utf8.DecodeRuneInString(text[i+n:])
				if unicode.IsUpper(next) {
					after, _ := utf8.DecodeRuneInString(text[i+n+nn:])
					if after == '.' {
						i += n
						continue
					}
				}
				if capital && allCaps && len(b) >= 2 {
					i += n // final dot of "U.S."
				}
			}
			break
		}
		b = bytes.TrimSuffix(bytes.TrimSuffix(b, []byte("'s")), []byte("'"))
		if len(b) == 0 {
			continue
		}
		wi := wordOfBytes(b)
		t := Token{Lower: wi.lower, Start: start, End: i, Capital: capital}
		if !wi.isStop(allCaps && letters > 0) {
			t.Term = wi.term
		}
		toks = append(toks, t)
	}
	return toks[:from+len(JoinAliases(toks[from:]))]
}

// wordStarts returns about how many words text has, to size Tokenize's
// result once: the runs of ASCII letters and digits, and of other
// characters above ASCII, that follow anything else. Tokenize's words
// are about as many (apostrophes and number separators join a few runs,
// ideographs are a word each); append grows the result when they are more.
func wordStarts(text string) int {
	n, in := 0, false
	for i := 0; i < len(text); i++ {
		c := text[i]
		word := c >= utf8.RuneSelf || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
		if word && !in {
			n++
		}
		in = word
	}
	return n
}

// aliases joins multi-word names into the token their abbreviation has, so
// that "United States" matches "U.S." and "US".
var aliases = map[[2]string]string{
	{"united", "states"}: "us", {"united", "kingdom"}: "uk", {"united", "nations"}: "un",
	{"european", "union"}: "eu", {"soviet", "union"}: "ussr", {"new", "york"}: "ny",
}

// JoinAliases merges alias pairs in toks in place.
func JoinAliases(toks []Token) []Token {
	out := toks[:0]
	for i := 0; i < len(toks); i++ {
		if i+1 < len(toks) && toks[i].Capital && toks[i+1].Capital {
			if a, ok := aliases[[2]string{toks[i].Lower, toks[i+1].Lower}]; ok {
				out = append(out, Token{Lower: a, Term: a, Start: toks[i].Start, End: toks[i+1].End, Capital: true})
				i++
				continue
			}
		}
		out = append(out, toks[i])
	}
	return out
}

// Terms returns the index terms (non-stop stems) of text, in order.
func Terms(text string) []string {
	toks := Tokenize(text)
	out := make([]string, 0, len(toks))
	for _, t := range toks {
		if t.Term != "" {
			out = append(out, t.Term)
		}
	}
	return out
}

func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
}

func isIdeograph(r rune) bool {
	if r < 0x0E00 { // below Thai, the first of these scripts
		return false
	}
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Thai)
}

func isLatin(w string) bool {
	for _, r := range w {
		if r > unicode.MaxLatin1 && !unicode.Is(unicode.Latin, r) {
			return false
		}
	}
	return true
}

func isNumber(w string) bool {
	for _, r := range w {
		if !unicode.IsDigit(r) && r != '.' {
			return false
		}
	}
	return true
}

// IsDigitString reports whether w is a non-empty run of digits.
func IsDigitString(w string) bool {
	for _, r := range w {
		if !unicode.IsDigit(r) {
			return false
		}
	}
	return w != ""
}

// irregular maps irregular English verb forms to their base form, which the
// Snowball stemmer leaves apart ("spoke" and "speak", "met" and "meet").
var irregular = map[string]string{}

func init() {
	for _, line := range []string{
		"arise arose arisen", "be was were been", "bear bore borne born", "beat beat beaten", "become became",
		"begin began begun", "bring brought", "build built", "buy bought", "catch caught", "choose chose chosen",
		"come came", "cut cut", "deal dealt", "do did done", "draw drew drawn", "drive drove driven",
		"eat ate eaten", "fall fell fallen", "feel felt", "fight fought", "find found", "flee fled", "fly flew flown",
		"forbid forbade forbidden", "forget forgot forgotten", "freeze froze frozen", "get got gotten", "give gave given",
		"go went gone", "grow grew grown", "hang hung", "have had", "hear heard", "hide hid hidden", "hold held",
		"keep kept", "know knew known", "lay laid", "lead led", "leave left", "lend lent", "lie lay lain",
		"lose lost", "make made", "mean meant", "meet met", "pay paid", "rise rose risen", "ride rode ridden",
		"ring rang rung", "run ran", "say said", "see saw seen", "seek sought", "sell sold", "send sent",
		"shake shook shaken", "shoot shot", "sing sang sung", "sink sank sunk", "sit sat", "sleep slept",
		"speak spoke spoken", "spend spent", "stand stood", "steal stole stolen", "strike struck stricken",
		"swear swore sworn", "swim swam swum", "take took taken", "teach taught", "tear tore torn", "tell told",
		"think thought", "throw threw thrown", "understand understood", "wake woke woken", "wear wore worn",
		"win won", "write wrote written", "withdraw withdrew withdrawn", "overtake overtook overtaken",
		"undertake undertook undertaken", "forgive forgave forgiven", "bind bound", "wind wound",
	} {
		f := strings.Fields(line)
		for _, form := range f[1:] {
			if _, dup := irregular[form]; !dup && form != f[0] {
				irregular[form] = f[0]
			}
		}
	}
	// Forms that are more often other words.
	for _, w := range []string{"found", "left", "lay", "saw", "bound", "wound", "born", "lead", "lost", "rose", "fell", "lie"} {
		delete(irregular, w)
	}
}

// IrregularForms returns the irregular verb forms the tokenizer maps to
// their base form, sorted, so that a fingerprint of the tokenizer can cover
// them.
func IrregularForms() []string {
	forms := make([]string, 0, len(irregular))
	for f := range irregular {
		forms = append(forms, f)
	}
	slices.Sort(forms)
	return forms
}

// unmapped lists the irregular forms that Stem leaves to the Snowball
// stemmer: "took" stays "took", not "take". Before this package existed,
// package rag stemmed its light verbs ("got", "took", "held", …) in an init
// function that ran before the irregular map was filled, and the stem cache
// kept these ten forms unmapped for the life of the process. Indexes, saved
// term lists and the eval figures rest on that, so mapping them is a
// retrieval change to make on purpose, measured, not by moving code.
var unmapped = map[string]bool{
	"came": true, "done": true, "gone": true, "got": true, "gotten": true,
	"held": true, "made": true, "taken": true, "took": true, "went": true,
}

// Synonyms returns the terms that ask about the same thing as term (see
// synonyms), nil for none. The caller must not modify the result.
func Synonyms(term string) []string { return synonyms[term] }

// synonyms maps a term to terms that ask about the same thing, so that
// "when did they last speak?" finds "their last call". The groups are
// general English, not tuned to any corpus; matches through them count for
// less than exact ones.
var synonyms = map[string][]string{}

func init() {
	for _, g := range [][]string{
		{"speak", "talk", "call", "phone", "telephone", "conversation", "spoke"},
		{"meet", "meeting", "summit", "talks", "encounter"},
		{"die", "death", "dead", "died"},
		{"born", "birth"},
		{"win", "victory", "winner"},
		{"marry", "married", "marriage", "wife", "husband", "spouse", "wed"},
		{"found", "founder", "founded", "establish", "established"},
		{"begin", "start", "launch", "commence"},
		{"end", "finish", "conclude"},
		{"buy", "purchase", "acquire", "acquisition"},
		{"sell", "sale"},
		{"resign", "quit", "resignation"},
		{"live", "reside", "resident"},
		{"elect", "election", "vote"},
		{"agree", "agreement", "deal", "accord"},
		{"cancel", "scrap", "postpone"},
		{"president", "presidential", "presidency"},
		{"economy", "economic"},
		{"job", "occupation", "profession", "work"},
		{"write", "author", "wrote"},
		{"large", "big", "biggest", "largest"},
		{"small", "smallest", "little"},
		{"cost", "price"},
		{"invent", "inventor", "invention"},
		{"happen", "occur", "occurred"},
		{"last", "latest", "recent", "newest"},
		{"sit", "seat", "seated", "sat"},
		{"ask", "question", "inquire"},
		{"ask", "request", "requested"},
		{"accuse", "accusation", "blame", "criticize", "criticism"},
		{"complain", "complaint", "grievance", "concern"},
		{"dispute", "feud", "quarrel", "clash", "spat"},
		{"important", "importance", "crucial", "vital", "significant", "significance"},
		{"purpose", "goal", "aim", "objective"},
		{"tone", "mood", "atmosphere"},
	} {
		var stems []string
		for _, w := range g {
			for _, t := range Terms(w) {
				if !slices.Contains(stems, t) {
					stems = append(stems, t)
				}
			}
		}
		for _, s := range stems {
			for _, o := range stems {
				if o != s && !slices.Contains(synonyms[s], o) {
					synonyms[s] = append(synonyms[s], o)
				}
			}
		}
	}
	// One way only: a dispute is also written as a battle or a fight
	// ("they battled over …"), but a battle is often no dispute ("the
	// battle of …"). Reading turns "fighting about" into "disputing
	// about" (see disputeForms).
	for _, w := range []string{"dispute", "feud", "quarrel"} {
		for _, t := range Terms(w) {
			synonyms[t] = append(synonyms[t], "battl", "fight")
		}
	}
}
