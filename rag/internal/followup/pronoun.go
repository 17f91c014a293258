package followup

import (
	"regexp"
	"strings"

	"citebot/rag/internal/analysis"
	"citebot/rag/internal/english"
	"citebot/rag/internal/extract"
	"citebot/rag/internal/question"
	"citebot/rag/internal/reading"
)

// Which person "she" or "he" in a follow-up means. A follow-up's pronoun
// names the person the antecedent was about; but "and after she went,
// what did china do?", after an answer that mentioned Nancy Pelosi in a
// question about two presidents, means the person of the answer whom
// the articles call "she". What the articles call a person is read from
// them: the pronoun that first follows each mention of the person's last
// name, counted over the articles the answer cited. No list of names is
// involved.

// gender is the pronoun the articles use for a person.
type gender int8

const (
	genderUnknown gender = iota
	genderMale
	genderFemale
)

// pronounRE finds a personal pronoun; group 1 is a feminine one.
var pronounRE = regexp.MustCompile(`(?i)\b(?:(she|her|hers|herself)|he|him|his|himself)\b`)

// genderMargin is how many times more often one pronoun must follow a
// person's mentions than the other for the articles to settle it.
const genderMargin = 2

// pronounGender returns the gender of pronoun p ("she", "his").
func pronounGender(p string) gender {
	m := pronounRE.FindStringSubmatch(p)
	switch {
	case m == nil:
		return genderUnknown
	case m[1] != "":
		return genderFemale
	default:
		return genderMale
	}
}

// genderOf returns what the articles ids call the person name: the
// pronoun that first follows a mention of its last word in the rest of
// its sentence or in the next, before any other name, he or she, when
// one is used genderMargin times as often as the other.
func (e Conversation) genderOf(name string, ids []string) gender {
	fields := strings.Fields(name)
	if len(fields) == 0 {
		return genderUnknown
	}
	last := extract.TrimPossessive(fields[len(fields)-1])
	re, err := regexp.Compile(`(?i)\b` + regexp.QuoteMeta(last) + `\b`)
	if err != nil {
		return genderUnknown
	}
	var male, female int
	for _, id := range ids {
		art, ok := e.Ix.Article(id)
		if !ok {
			continue
		}
		sents := analysis.SplitSentences(art.Text)
		for i, sp := range sents {
			for _, loc := range re.FindAllStringIndex(art.Text[sp.Start:sp.End], -1) {
				at := sp.Start + loc[1]
				if !reading.IsCapitalised(art.Text[sp.Start+loc[0]:]) {
					continue // a name is written with a capital
				}
				end := sp.End
				if i+1 < len(sents) {
					end = sents[i+1].End
				}
				switch pronounAfter(art.Text[at:end]) {
				case genderMale:
					male++
				case genderFemale:
					female++
				}
			}
		}
	}
	switch {
	case male >= genderMargin*female+1:
		return genderMale
	case female >= genderMargin*male+1:
		return genderFemale
	}
	return genderUnknown
}

// otherNameRE finds a capitalised word inside a sentence: another name
// a pronoun after it may refer to.
var otherNameRE = regexp.MustCompile(`[^.!?”"\s]\s+(\p{Lu}[\p{L}'’-]+)`)

// pronounAfter returns the gender of the first personal pronoun of text,
// unless a capitalised word that is no English word (another name) comes
// before it.
func pronounAfter(text string) gender {
	loc := pronounRE.FindStringIndex(text)
	if loc == nil {
		return genderUnknown
	}
	for _, m := range otherNameRE.FindAllStringSubmatch(text[:loc[0]], -1) {
		if !english.IsWord(strings.ToLower(extract.TrimPossessive(m[1]))) {
			return genderUnknown
		}
	}
	return pronounGender(text[loc[0]:loc[1]])
}

// answerPeople returns the people an answer text names in full (first and
// last name, perhaps after a title: "House Speaker Nancy Pelosi"), by
// their last name, in order. An institution ("White House") is no person,
// nor a name after a preposition of place ("in New York").
func answerPeople(text string) []string {
	text = asOfLeadRE.ReplaceAllString(text, "")
	var out []string
	for _, loc := range question.CapitalRunRE.FindAllStringIndex(text, -1) {
		fields := strings.Fields(extract.TrimPossessive(strings.TrimRight(text[loc[0]:loc[1]], ".")))
		if len(fields) < 2 || institutionRE.MatchString(strings.Join(fields, " ")) || placePrepRE.MatchString(text[:loc[0]]) {
			continue
		}
		last := fields[len(fields)-1]
		if !containsFold(out, last) {
			out = append(out, last)
		}
	}
	return out
}

// placePrepRE matches a preposition of place that ends a text.
var placePrepRE = regexp.MustCompile(`(?i)\b(?:in|at|to|from|near|into|across|outside|inside|around)\s+(?:the\s+)?$`)

// containsFold reports whether list holds s, ignoring case.
func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// personFor returns whom pronoun p of a follow-up means: who (the person
// the antecedent was about), unless who is "" or the articles call who by
// the other gender; then the first person its answer names whom they call
// by p's gender, else the first they do not call by the other one. It
// returns who when no one fits.
func (s subject) personFor(p, who string) string {
	want := pronounGender(p)
	if who != "" && want == genderUnknown {
		return who
	}
	if g := s.genderOf(who); who != "" && (g == genderUnknown || g == want) {
		return who
	}
	fallback := ""
	for _, n := range s.answerPeople {
		switch s.genderOf(n) {
		case want:
			return n
		case genderUnknown:
			if fallback == "" {
				fallback = n
			}
		}
	}
	if fallback != "" {
		return fallback
	}
	return who
}
