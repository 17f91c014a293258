package rag

import "time"

// Exports of internals for the external test package rag_test.

// Span is a byte range of a text.
type Span = span

// SplitSentences exposes the sentence splitter.
func SplitSentences(text string) []Span { return splitSentences(text) }

// Terms exposes the index terms of a text.
func Terms(text string) []string { return terms(text) }

// ResolveRelative resolves the relative dates in s and returns s with the
// resolutions inserted.
func ResolveRelative(s string, pub time.Time) string {
	return applyResolutions(s, resolveRelative(s, pub))
}

// QuestionInfo summarises analyze for tests.
type QuestionInfo struct {
	Kind    string
	Recency bool
	Keys    []string
}

// AnalyzeQuestion exposes the question analysis.
func AnalyzeQuestion(q string) QuestionInfo {
	a := analyze(q)
	names := map[qKind]string{kindOther: "other", kindWhen: "when", kindWho: "who", kindWhere: "where", kindWhy: "why", kindHowMany: "how many", kindHowLong: "how long", kindWhat: "what"}
	return QuestionInfo{Kind: names[a.kind], Recency: a.recency, Keys: a.keys}
}

// EmphasizeAnswer exposes the answer-span emphasis.
func EmphasizeAnswer(question, sentence string) string {
	return emphasizeAnswer(analyze(question), sentence)
}
