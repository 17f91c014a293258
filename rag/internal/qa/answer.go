package qa

import (
	"errors"
	"strings"
	"time"

	"citebot/rag/internal/filter"
	"citebot/rag/timex"
)

// Answer modes.
const (
	// ModeExtractive answers with sentences quoted from the passages.
	ModeExtractive = "extractive"
	// ModeLLM answers with a chat model, citations verified afterwards.
	ModeLLM = "llm"
)

// Sentinel errors for questions that cannot be asked.
var (
	// ErrEmptyQuestion means the question has no text.
	ErrEmptyQuestion = errors.New("the question is empty")
	// ErrQuestionTooLong means the question exceeds [MaxQuestionRunes].
	ErrQuestionTooLong = errors.New("the question is too long")
	// ErrNotFound is what answerers may wrap when the corpus holds no
	// answer; [Answer.NotFound] reports the same for callers that prefer a
	// value.
	ErrNotFound = errors.New("the corpus does not answer the question")
)

// DefaultK is the number of passages a [Query] retrieves when its K is not
// set.
const DefaultK = 5

// MaxQuestionRunes is the longest question accepted, in characters.
const MaxQuestionRunes = 1000

// Query is a question and the context it is asked in.
type Query struct {
	// Question is the user's question.
	Question string
	// AsOf is the date the question is asked on, the "today" of "last" and
	// "this week"; articles published later are ignored. Zero: today.
	AsOf time.Time
	// K is how many passages to retrieve. Default [DefaultK], 5.
	K int
	// OnDelta, if set, receives the answer text as a model generates it,
	// one fragment per call, in order, from one goroutine. The text is
	// unverified: the returned Answer is what to show in the end. The
	// extractive answerer never calls it.
	OnDelta func(fragment string)
	// History holds the earlier turns of the conversation this question
	// continues, oldest first; nil for a question asked on its own. A
	// follow-up ("and where was that?") is resolved against it; a question
	// that stands alone is answered as if History were empty. Answerers use
	// at most the last few turns.
	History []Turn
	// Filter keeps the answer to the articles of an outlet or a period of
	// publication. Zero: all articles. When it admits none, answering
	// returns a [*NoMatchError] ("no articles from Reuters before 2022").
	Filter filter.Filter
}

// Today returns the "today" of a question asked at now: now's calendar
// date in UTC, at midnight. It is the one rule for a [Query.AsOf] that
// nobody set: bot, cmd and eval all use it.
func Today(now time.Time) time.Time { return timex.DayOf(now.UTC()) }

// Turn is one earlier exchange of a conversation.
type Turn struct {
	// Question is what the user typed.
	Question string
	// Answer is the answer that was given, including its Resolved form of
	// the question.
	Answer Answer
}

// Answer is a cited answer, the same for every mode. Its JSON form is the
// output of `citebot ask --json`.
type Answer struct {
	// Question is the normalised question.
	Question string `json:"question"`
	// Interpreted is the question as citebot read it, when that differs
	// from Question in more than case and punctuation: chat spellings
	// expanded, filler words dropped, typos corrected against the corpus
	// ("where was biden sitting during his call with xi"). Empty otherwise.
	Interpreted string `json:"interpreted,omitempty"`
	// Resolved is a follow-up question rewritten to stand alone with what
	// it refers to from [Query.History] ("and where?" after "when did
	// Biden and Xi last meet?" → "where did Biden and Xi last meet?").
	// Empty when the question was answered as asked.
	Resolved string `json:"resolved,omitempty"`
	// Chitchat reports that the message holds no question ("thanks!",
	// "ok", an emoji): Text is empty and nothing is cited. See [Chitchat].
	Chitchat bool `json:"chitchat,omitempty"`
	// Text is the answer. Every sentence ends with citation markers [n]
	// referring to Citations; a not-found answer has none.
	Text string `json:"answer"`
	// NotFound reports that the corpus does not answer the question.
	NotFound bool `json:"not_found"`
	// Mode is ModeExtractive or ModeLLM.
	Mode string `json:"mode"`
	// Citations are the sources, numbered from 1 in order of first use.
	Citations []Citation `json:"citations"`
	// Note says something about how the answer was made, e.g. that the
	// model was unavailable and the extractive answer is shown. Optional.
	Note string `json:"note,omitempty"`
}

// Citation is one numbered source of an answer.
type Citation struct {
	// Ref is the number used in the answer's [n] markers.
	Ref int `json:"ref"`
	// ArticleID, Title, Source (outlet), Published (YYYY-MM-DD or "") and
	// URL describe the article.
	ArticleID string `json:"article_id"`
	Title     string `json:"title"`
	Source    string `json:"source"`
	Published string `json:"published"`
	URL       string `json:"url"`
	// Quote is the passage the answer relies on, verbatim from the article
	// (sentences joined by " … " when not adjacent).
	Quote string `json:"quote"`
	// Approximate reports that Published is an estimate.
	Approximate bool `json:"approximate,omitempty"`
}

// String describes a citation on one line: "Title — Outlet, 2024-10-01
// (approx.) — article id — URL", leaving out what is unknown.
func (c Citation) String() string {
	parts := []string{c.Title}
	var meta []string
	if c.Source != "" {
		meta = append(meta, c.Source)
	}
	if c.Published != "" {
		d := c.Published
		if c.Approximate {
			d += " (approx.)"
		}
		meta = append(meta, d)
	}
	if len(meta) > 0 {
		parts = append(parts, strings.Join(meta, ", "))
	}
	parts = append(parts, c.ArticleID)
	if c.URL != "" {
		parts = append(parts, c.URL)
	}
	return strings.Join(parts, " — ")
}
