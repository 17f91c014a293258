package rag

import (
	"time"

	"citebot/rag/internal/qa"
)

// The questions and answers every answerer shares live in package
// rag/internal/qa, below the answerers; these names are their public form.

// Aliases of the types of package qa: a [Query] asks, an [Answer] with its
// [Citation]s answers, and a [Turn] is one earlier exchange of a
// conversation.
type (
	Answer   = qa.Answer
	Citation = qa.Citation
	Query    = qa.Query
	Turn     = qa.Turn
)

// Answer modes: see [qa.ModeExtractive] and [qa.ModeLLM].
const (
	// ModeExtractive answers with sentences quoted from the passages.
	ModeExtractive = qa.ModeExtractive
	// ModeLLM answers with a chat model, citations verified afterwards.
	ModeLLM = qa.ModeLLM
)

// Sentinel errors for questions that cannot be asked, and for a corpus
// that does not answer: see package qa.
var (
	// ErrEmptyQuestion means the question has no text.
	ErrEmptyQuestion = qa.ErrEmptyQuestion
	// ErrQuestionTooLong means the question exceeds [MaxQuestionRunes].
	ErrQuestionTooLong = qa.ErrQuestionTooLong
	// ErrNotFound is what answerers may wrap when the corpus holds no
	// answer; [Answer.NotFound] reports the same.
	ErrNotFound = qa.ErrNotFound
)

// DefaultK is the number of passages a [Query] retrieves when its K is not
// set: 5.
const DefaultK = qa.DefaultK

// MaxQuestionRunes is the longest question accepted, in characters: 1,000.
const MaxQuestionRunes = qa.MaxQuestionRunes

// Today returns the "today" of a question asked at now: now's calendar
// date in UTC, at midnight. It is the one rule for a [Query.AsOf] that
// nobody set: bot, cmd and eval all use it.
func Today(now time.Time) time.Time { return qa.Today(now) }

// NormalizeQuestion prepares user input as a question: control characters
// become spaces, white space collapses, and surrounding space and quotes
// are trimmed. It returns [ErrEmptyQuestion] for input without letters or
// digits and [ErrQuestionTooLong] beyond [MaxQuestionRunes] characters.
func NormalizeQuestion(s string) (string, error) { return qa.NormalizeQuestion(s) }

// Chitchat reports whether text holds no question: only punctuation,
// emoji or acknowledgements such as "thanks!", "ok", "thanks, that
// helped!". A message with a question mark or any other word is not
// chitchat. Callers use it to skip answering (and charging a quota for) a
// reply that asks nothing.
func Chitchat(text string) bool { return qa.Chitchat(text) }
