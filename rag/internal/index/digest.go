package index

import (
	"strings"

	"citebot/rag/internal/analysis"
)

// A digest ("Five things to know today: Wildfires, Ukraine, rates") tells
// many stories in a few lines each. It matches many questions, and for
// each it holds less than the report on that story, which should rank
// above it.

// digestFactor scales the search score of a passage from a digest.
const digestFactor = 0.9

// minDigestItems is how many comma-separated items a headline lists to
// mark a digest.
const minDigestItems = 3

// digest reports whether the article is a digest (see [IsDigest]). It is
// worked out once per article (the headline expressions were an
// eighth of a question's CPU once the vector scan was skipped). Safe for
// concurrent use.
func (r *articleRec) digest() bool {
	switch r.isDigest.Load() {
	case digestNo:
		return false
	case digestYes:
		return true
	}
	d := IsDigest(r.art.Title)
	state := int32(digestNo)
	if d {
		state = digestYes
	}
	r.isDigest.Store(state)
	return d
}

// The states of articleRec.isDigest; 0 is not worked out yet.
const (
	digestNo  = 1
	digestYes = 2
)

// IsDigest reports whether an article with title reads as a digest: its
// headline lists several stories, minDigestItems (3) or more items
// separated by commas in one sentence of it.
func IsDigest(title string) bool {
	title, _ = analysis.Headline(title)
	for _, part := range strings.FieldsFunc(title, func(c rune) bool { return c == '.' || c == ':' || c == ';' }) {
		if strings.Count(part, ",")+1 >= minDigestItems {
			return true
		}
	}
	return false
}
