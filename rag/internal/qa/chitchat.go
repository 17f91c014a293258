package qa

import (
	"strings"
	"unicode"
)

// ackWords are words that, alone, acknowledge an answer rather than ask
// something: a message made only of them is chitchat.
var ackWords = map[string]bool{
	"thanks": true, "thank": true, "you": true, "ty": true, "thx": true, "tysm": true,
	"ok": true, "okay": true, "k": true, "kk": true, "cool": true, "nice": true,
	"great": true, "perfect": true, "awesome": true, "got": true, "it": true,
	"lol": true, "haha": true, "yes": true, "yep": true, "no": true, "nope": true,
	"good": true, "bot": true, "so": true, "much": true, "a": true, "lot": true,
	"helped": true, "that": true, "this": true, "helpful": true, "wow": true,
	"interesting": true, "alright": true, "sure": true, "np": true, "bye": true,
	"hi": true, "hello": true, "hey": true, "gg": true, "neat": true, "right": true,
	"ah": true, "oh": true, "anyway": true, "anyways": true, "cheers": true, "appreciate": true,
	"appreciated": true, "i": true, "see": true, "makes": true, "sense": true, "understood": true,
	"noted": true, "fine": true, "well": true, "very": true, "super": true, "all": true, "ya": true,
	"okie": true, "sweet": true, "welp": true, "hmm": true, "ahh": true, "ohh": true,
	"thnx": true, "thanx": true, "tnx": true, "tks": true, "kthx": true, "ily": true, "again": true,
	"anyhow": true, "gotcha": true, "fair": true, "enough": true, "true": true,
	// Thanks and praise as typed in a thread: "thank u", "thx a ton",
	// "nice one", "you rock", "good stuff".
	"u": true, "ur": true, "ton": true, "tons": true, "bunch": true, "one": true,
	"rock": true, "rocks": true, "legend": true, "stuff": true, "amazing": true,
	"excellent": true, "brilliant": true, "wonderful": true, "dope": true, "thank-you": true,
	"tyvm": true, "ta": true, "mate": true, "man": true, "dude": true, "yeah": true, "yea": true,
	// A verdict on the answer, not a question: "that's wrong", "no
	// that's not right", "nvm". The 👎 button records it.
	"wrong": true, "incorrect": true, "not": true, "that's": true, "thats": true,
	"it's": true, "its": true, "is": true, "correct": true, "nvm": true, "nevermind": true,
	"mind": true, "never": true,
}

// Chitchat reports whether text holds no question: only punctuation,
// emoji or acknowledgements such as "thanks!", "ok", "thanks, that
// helped!". A message with a question mark or any other word is not
// chitchat. Callers use it to skip answering (and charging a quota for) a
// reply that asks nothing.
func Chitchat(text string) bool {
	if strings.Contains(text, "?") {
		return false
	}
	words := strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '\''
	})
	for _, w := range words {
		if !ackWords[strings.Trim(w, "'")] {
			return false
		}
	}
	return true
}
