// Package reply tells whether a reply to the bot asks something or only
// acknowledges an answer ("thanks, that helped!"), in English.
package reply

import (
	"regexp"
	"strings"
	"unicode"
)

// Discord counts a reply that pings its author as a mention, so a user who
// answers one of the bot's messages with "thanks, that helped!" mentions
// the bot. Such a reply gets nothing and uses none of the user's quota:
// within a remembered conversation when it only acknowledges (see
// Acknowledges and rag.Chitchat; short follow-ups are questions), and
// otherwise unless it asks something (holdsQuestion).

// maxAckContentWords is how many content words (neither acknowledgements
// nor function words) a reply may have without a question mark or a
// question word and still count as holding no question.
const maxAckContentWords = 2

var (
	// emojiOrMention matches custom emoji (<:name:id>, <a:name:id>),
	// mentions (<@id>, <@!id>, <@&id>) and channel links (<#id>).
	emojiOrMention = regexp.MustCompile(`<(?:a?:\w+:|@[!&]?|#)\d+>`)

	questionWords = set("who", "whom", "whose", "what", "when", "where", "which", "why", "how")
	// leadWords ask something when they start the text: auxiliaries and
	// requests.
	leadWords = set("is", "are", "was", "were", "do", "does", "did", "can", "could", "will", "would", "should",
		"has", "have", "had", "tell", "explain", "show", "list", "summarize", "summarise", "describe", "compare",
		"give", "find", "any", "anything")
	// ackWords are thanks, agreement and praise.
	ackWords = set("thanks", "thank", "thx", "ty", "tysm", "cheers", "ok", "okay", "k", "kk", "cool", "great",
		"nice", "awesome", "perfect", "amazing", "excellent", "wow", "good", "yes", "yeah", "yep", "yup", "no",
		"nope", "sure", "right", "alright", "fine", "got", "understood", "helpful", "helped", "helps", "useful",
		"appreciate", "appreciated", "love", "lol", "haha", "np", "bot", "answer", "much", "lot", "lots", "bunch",
		"makes", "sense", "interesting", "neat", "gotcha", "noted")
	// functionWords are pronouns, articles, conjunctions and the like.
	functionWords = set("a", "an", "the", "that", "this", "it", "its", "it's", "you", "your", "u", "i", "me", "my",
		"we", "us", "so", "very", "really", "too", "and", "but", "or", "for", "to", "of", "in", "on", "was", "is",
		"that's", "thats", "just", "all", "again", "now", "then", "indeed", "totally", "super", "quite", "pretty")
)

func set(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}

// HoldsQuestion reports whether text (a reply to the bot, mentions
// removed) asks something: it has a question mark; or a question word
// (who, what, when, where, which, why, how, …); or starts with an
// auxiliary or a request (is, did, can, tell, explain, list, …); or it has
// more than two content words, words that are neither acknowledgements
// ("thanks", "ok", "great", "helped", …) nor function words ("the",
// "that", "very", …). So "thanks, that helped!", "ok", "👍" and "great
// answer, very clear" hold none, and "what did Xi say" or "the 2023
// summit in San Francisco" do. It knows English words only; text in other
// languages counts as a question unless it is short.
func HoldsQuestion(text string) bool {
	text = emojiOrMention.ReplaceAllString(text, " ")
	if strings.ContainsAny(text, "?？¿؟") {
		return true
	}
	words := strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '\''
	})
	content := 0
	for i, w := range words {
		w = strings.Trim(w, "'")
		switch {
		case w == "":
		case questionWords[w], i == 0 && leadWords[w]:
			return true
		case ackWords[w], functionWords[w]:
		default:
			content++
		}
	}
	return content > maxAckContentWords
}

// Acknowledges reports whether text only acknowledges: no question mark,
// no question word, and nothing but acknowledgements and function words
// ("great, thanks!", "ok that's clear", "👍").
func Acknowledges(text string) bool {
	text = emojiOrMention.ReplaceAllString(text, " ")
	if strings.ContainsAny(text, "?？¿؟") {
		return false
	}
	words := strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '\''
	})
	for _, w := range words {
		w = strings.Trim(w, "'")
		if w != "" && !ackWords[w] && !functionWords[w] && !moreAckWords[w] {
			return false
		}
	}
	return true
}

// moreAckWords are praise and agreement words that, with ackWords, make
// up a message that only acknowledges.
var moreAckWords = set("clear", "brilliant", "exactly", "true", "agreed", "agree", "correct", "thanku", "thankyou",
	"wonderful", "fantastic", "superb", "lovely", "ah", "oh", "ahh", "ohh", "see", "bye", "hi", "hello", "hey")
