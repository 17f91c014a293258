package rag

import (
	"context"
	"time"

	"citebot/rag/internal/extract"
	"citebot/rag/internal/followup"
)

// Extractive answers questions offline by quoting the sentences of the
// retrieved passages that answer them best, each with a citation. It
// understands the question's type (when, who, where, why, how many, how
// long), prefers the newest evidence for "last / latest" questions and says
// how current it is, resolves relative dates against the article's
// publication date, and reports not-found rather than quoting unrelated text.
// A follow-up is read against the conversation's earlier answers
// ([Query.History]) before it is answered.
type Extractive struct {
	x *extract.Extractor
	// Now returns the current time, for questions without an as-of date.
	// Default time.Now.
	Now func() time.Time
}

// NewExtractive returns an extractive answerer over ix.
func NewExtractive(ix *Index) *Extractive {
	e := &Extractive{Now: time.Now}
	e.x = extract.New(ix.Index, e.now)
	return e
}

// now returns the time of e's clock.
func (e *Extractive) now() time.Time {
	if e.Now != nil {
		return e.Now()
	}
	return time.Now()
}

// Answer answers q. Bad questions (empty, too long) return an error wrapping
// [ErrEmptyQuestion] or [ErrQuestionTooLong]; a question the corpus does not
// answer returns an Answer with NotFound set and no citations.
func (e *Extractive) Answer(ctx context.Context, q Query) (Answer, error) {
	c := followup.New(e.x)
	fu := c.Resolve(q) // see package followup
	if fu.Chitchat {
		return followup.ChitchatAnswer(ModeExtractive), nil
	}
	if a, ok := c.AnswerFromLastAnswer(q, fu); ok {
		return a, nil
	}
	if a, ok := c.AnswerInFocus(ctx, q, fu); ok {
		return fu.WithResolved(a), nil
	}
	q.Question = fu.Question
	r, err := e.x.Retrieve(ctx, q)
	if err != nil {
		return Answer{}, err
	}
	return fu.WithResolved(e.x.Compose(r)), nil
}

// Retrieve normalises the question and returns the passages to answer it
// from, with the as-of date in effect. Model-backed answerers use it to get
// the same evidence as the extractive path.
func (e *Extractive) Retrieve(ctx context.Context, q Query) (question string, passages []Passage, asOf time.Time, err error) {
	r, err := e.x.Retrieve(ctx, q)
	return r.Question, r.Passages, r.AsOf, err
}

// Compose builds the extractive answer to an already normalised question
// from passages (best first).
func (e *Extractive) Compose(question string, asOf time.Time, passages []Passage) Answer {
	return e.x.Compose(extract.Retrieval{Question: question, Read: e.x.Ix.Read(question), AsOf: asOf, Passages: passages})
}
