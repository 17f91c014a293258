package conversation

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"citebot/rag"
)

// The conversation store is tested from inside the package: its bounds
// (count and age) are not observable through Discord without waiting.

func turn(q string) rag.Turn {
	return rag.Turn{Question: q, Answer: rag.Answer{Question: q, Text: "about " + q + " [1].",
		Citations: []rag.Citation{{Ref: 1, ArticleID: "a", Quote: "a long quote"}}}}
}

func questions(ts []rag.Turn) []string {
	var qs []string
	for _, t := range ts {
		qs = append(qs, t.Question)
	}
	return qs
}

func TestConversationsBranchAndThreads(t *testing.T) {
	c := New(100, time.Hour)
	c.Remember("a1", time.Time{}, nil, turn("q1"), []string{"m1", "m1b"}, "")
	h := c.History(MessageKey("m1b"))
	c.Remember("a2", time.Time{}, h, turn("q2"), []string{"m2"}, "")
	// Two replies to the first answer branch: each continues q1 only.
	c.Remember("a3", time.Time{}, c.History(MessageKey("m1")), turn("q3"), []string{"m3"}, "")
	tests := []struct {
		key  string
		want []string
	}{
		{MessageKey("m1"), []string{"q1"}},
		{MessageKey("m1b"), []string{"q1"}},
		{MessageKey("m2"), []string{"q1", "q2"}},
		{MessageKey("m3"), []string{"q1", "q3"}},
		{answerKey("a2"), []string{"q1", "q2"}},
		{MessageKey("unknown"), nil},
	}
	for _, tt := range tests {
		if got := questions(c.History(tt.key)); !slices.Equal(got, tt.want) {
			t.Errorf("%s: got %q, want %q", tt.key, got, tt.want)
		}
	}
	// The thread key follows the latest answer in the thread.
	c.Remember("t1", time.Time{}, nil, turn("in thread 1"), []string{"x1"}, "th")
	c.Remember("t2", time.Time{}, c.History(ThreadKey("th")), turn("in thread 2"), []string{"x2"}, "th")
	if got := questions(c.History(ThreadKey("th"))); !slices.Equal(got, []string{"in thread 1", "in thread 2"}) {
		t.Errorf("thread: got %q", got)
	}
	if got := questions(c.History(MessageKey("x1"))); !slices.Equal(got, []string{"in thread 1"}) {
		t.Errorf("the thread's first answer: got %q", got)
	}
	// Quotes are not kept.
	if q := c.History(MessageKey("m1"))[0].Answer.Citations[0]; q.Quote != "" || q.ArticleID != "a" {
		t.Errorf("got citation %+v, want the article without its quote", q)
	}
}

func TestConversationsBounded(t *testing.T) {
	t.Run("count", func(t *testing.T) {
		c := New(3, time.Hour)
		for i := range 5 {
			c.Remember(fmt.Sprint("a", i), time.Time{}, nil, turn(fmt.Sprint("q", i)), []string{fmt.Sprint("m", i)}, "")
		}
		if got := c.Size(); got != 3 {
			t.Errorf("got %d answers remembered, want 3", got)
		}
		if c.History(MessageKey("m0")) != nil || c.History(MessageKey("m1")) != nil {
			t.Errorf("the least recently used answers are still remembered")
		}
		if c.History(MessageKey("m4")) == nil {
			t.Errorf("the newest answer is forgotten")
		}
		if got := len(c.byKey); got > 3*3 {
			t.Errorf("got %d keys for 3 answers", got)
		}
	})
	t.Run("age", func(t *testing.T) {
		now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		c := New(100, time.Hour)
		c.now = func() time.Time { return now }
		c.Remember("old", time.Time{}, nil, turn("old"), []string{"m-old"}, "")
		c.Remember("used", time.Time{}, nil, turn("used"), []string{"m-used"}, "")
		now = now.Add(50 * time.Minute)
		c.History(MessageKey("m-used")) // a follow-up keeps it alive
		now = now.Add(20 * time.Minute)
		if c.History(MessageKey("m-old")) != nil {
			t.Errorf("an answer unused for 70 minutes is remembered (TTL 1h)")
		}
		if c.History(MessageKey("m-used")) == nil {
			t.Errorf("an answer used 20 minutes ago is forgotten")
		}
		now = now.Add(2 * time.Hour)
		c.Remember("new", time.Time{}, nil, turn("new"), []string{"m-new"}, "")
		if got := c.Size(); got != 1 {
			t.Errorf("got %d answers after a sweep, want 1 (the others expired)", got)
		}
	})
	t.Run("turns", func(t *testing.T) {
		c := New(100, time.Hour)
		var h []rag.Turn
		for i := range 10 {
			id := fmt.Sprint("m", i)
			c.Remember(fmt.Sprint("a", i), time.Time{}, h, turn(fmt.Sprint("q", i)), []string{id}, "")
			h = c.History(MessageKey(id))
		}
		if got := questions(h); len(got) != maxHistoryTurns || got[len(got)-1] != "q9" {
			t.Errorf("got %q, want the last %d turns", got, maxHistoryTurns)
		}
	})
	t.Run("votes", func(t *testing.T) {
		c := New(100, time.Hour)
		c.Remember("a", time.Time{}, nil, turn("q"), []string{"m"}, "")
		for i, tt := range []struct{ vote, prev string }{{"up", ""}, {"up", "up"}, {"down", "up"}} {
			prev, _, ok := c.Vote("a", "user", tt.vote)
			if !ok || prev != tt.prev {
				t.Errorf("vote %d: got previous %q (%v), want %q", i+1, prev, ok, tt.prev)
			}
		}
		if _, _, ok := c.Vote("gone", "user", "up"); ok {
			t.Errorf("a vote on an unknown answer found it")
		}
	})
}
