// Package cite assembles an offline answer with its citations: a
// [Builder] takes the sentences quoted from articles, resolves their
// relative dates, puts each one's citation marker before its final
// punctuation ("… California [1].") and numbers the articles in order of
// first use, each citation quoting its sentences in text order.
package cite

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"citebot/corpus"
	"citebot/rag/internal/analysis"
	"citebot/rag/internal/qa"
	"citebot/rag/internal/question"
	"citebot/rag/timex"
)

// Builder assembles an answer: its sentences, each ending with citation
// markers, and the citations, numbered in order of first use, with the
// sentences quoted from each article.
type Builder struct {
	ans   qa.Answer
	refs  map[string]int   // article id → ref
	arts  []corpus.Article // by ref-1
	spans map[int][][2]int // ref → quoted sentences, as offsets in the article text
	parts []string
}

// New returns an empty builder for the answer to question;
// interpreted is the question as read, "" when it is the same.
func New(question, interpreted string) *Builder {
	return &Builder{
		ans:   qa.Answer{Question: question, Interpreted: interpreted, Mode: qa.ModeExtractive, Citations: []qa.Citation{}},
		refs:  map[string]int{},
		spans: map[int][][2]int{},
	}
}

// Ref returns the citation number of an article, adding its citation.
func (b *Builder) Ref(art corpus.Article) int {
	if n, ok := b.refs[art.ID]; ok {
		return n
	}
	b.arts = append(b.arts, art)
	n := len(b.arts)
	b.refs[art.ID] = n
	return n
}

// quote records art.Text[start:end] as quoted and returns the article's
// citation number.
func (b *Builder) quote(art corpus.Article, start, end int) int {
	n := b.Ref(art)
	sp := [2]int{start, end}
	if !slices.Contains(b.spans[n], sp) {
		b.spans[n] = append(b.spans[n], sp)
	}
	return n
}

// quoted reports whether the sentence at start is already quoted.
func (b *Builder) quoted(art corpus.Article, start int) bool {
	n, ok := b.refs[art.ID]
	return ok && slices.ContainsFunc(b.spans[n], func(sp [2]int) bool { return sp[0] == start })
}

// Sentence adds the article's sentence at start:end to the answer, its
// relative dates resolved, transformed by edit (may be nil), with its
// citation marker.
func (b *Builder) Sentence(art corpus.Article, start, end int, edit func(string) string) {
	if b.quoted(art, start) {
		return
	}
	n := b.quote(art, start, end)
	s := withoutLabel(timex.Resolve(withoutMarkers(art.Text[start:end]), art.Published))
	if edit != nil {
		s = edit(s)
	}
	b.Add(WithMarker(s, n))
}

// withoutMarkers writes what in s reads as a citation marker ("[8] Jane
// Doe", a seed in a score line) in parentheses ("(8) Jane Doe"), so that
// every marker of an answer is one of its own citations.
func withoutMarkers(s string) string {
	if !strings.Contains(s, "[") {
		return s
	}
	return qa.MarkerRE.ReplaceAllStringFunc(s, func(m string) string {
		return "(" + m[1:len(m)-1] + ")"
	})
}

// EditFirst replaces the answer's first part, if it has one, with its
// edit.
func (b *Builder) EditFirst(edit func(string) string) {
	if len(b.parts) > 0 {
		b.parts[0] = edit(b.parts[0])
	}
}

// Add appends text to the answer.
func (b *Builder) Add(text string) { b.parts = append(b.parts, text) }

// Answer returns the assembled answer. Each citation quotes its sentences
// in text order, joined by a space where they are adjacent and " … "
// where they are not.
func (b *Builder) Answer() qa.Answer {
	ans := b.ans
	ans.Text = strings.Join(b.parts, " ")
	for i, art := range b.arts {
		n := i + 1
		sps := slices.Clone(b.spans[n])
		slices.SortFunc(sps, func(x, y [2]int) int { return x[0] - y[0] })
		var q strings.Builder
		for j, sp := range sps {
			if j > 0 {
				if strings.TrimSpace(art.Text[sps[j-1][1]:sp[0]]) == "" {
					q.WriteString(" ")
				} else {
					q.WriteString(" … ")
				}
			}
			q.WriteString(art.Text[sp[0]:sp[1]])
		}
		ans.Citations = append(ans.Citations, qa.Citation{
			Ref: n, ArticleID: art.ID, Title: art.Title, Source: art.Source,
			Published: art.PublishedString(), URL: art.URL, Quote: q.String(), Approximate: art.Approximate,
		})
	}
	return ans
}

// Markers writes the citation markers of refs: "[1][2]".
func Markers(refs ...int) string {
	var s strings.Builder
	for _, n := range refs {
		fmt.Fprintf(&s, "[%d]", n)
	}
	return s.String()
}

// ListJoin joins items as a person lists them: "a", "a and b", "a, b and
// c".
func ListJoin(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}

// WithMarker puts the citation marker inside the sentence, before its final
// punctuation ("… California [1]."), or after a closing quotation mark.
func WithMarker(s string, ref int) string {
	s = strings.TrimSpace(s)
	marker := fmt.Sprintf(" [%d]", ref)
	last, n := utf8.DecodeLastRuneInString(s)
	switch {
	case last == '.' || last == '!' || last == '?':
		body := s[:len(s)-n]
		if strings.HasSuffix(body, ".") { // "… U.S." keeps its own period
			return body + marker + "."
		}
		return body + marker + string(last)
	case strings.ContainsRune("”\"’)", last):
		return s + marker // "… a call.” [1]": the quotation keeps its own stop
	default:
		return s + marker + "."
	}
}

// labelRE matches the label some outlets open a paragraph with: "Driving
// the news: ", "The details: ", "Between the lines: ".
var labelRE = regexp.MustCompile(`^(\p{Lu}[\p{L}'’]*)((?: [\p{Ll}'’]+){0,3}): \p{Lu}`)

// withoutLabel drops such a label from a sentence of the answer (the
// citation's quote keeps it).
func withoutLabel(s string) string {
	m := labelRE.FindStringSubmatchIndex(s)
	if m == nil {
		return s
	}
	first := strings.ToLower(s[m[2]:m[3]])
	if !analysis.IsStop(first, false) && !question.QuestionWords[first] && !strings.HasSuffix(first, "ing") {
		return s // "Sullivan said: …" is no label
	}
	return s[m[1]-1:]
}
