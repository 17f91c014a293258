package events_test

import (
	"testing"
	"time"

	"citebot/corpus"
	"citebot/rag/events"
)

func TestActionOf(t *testing.T) {
	for _, tc := range []struct {
		word string
		want events.Action
		ok   bool
	}{
		{"Calls", events.Call, true}, {"meetings", events.Meet, true}, {"summit", events.Meet, true},
		{"visits", events.Visit, true}, {"Biden", events.Other, false},
	} {
		if got, ok := events.ActionOf(tc.word); got != tc.want || ok != tc.ok {
			t.Errorf("ActionOf(%q): got %v, %v, want %v, %v", tc.word, got, ok, tc.want, tc.ok)
		}
	}
}

// TestConference checks that a video or virtual conference is a call and
// a press conference no contact at all.
func TestConference(t *testing.T) {
	pub := time.Date(2021, 10, 22, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		text string
		want events.Action
	}{
		{"Washington was targeting a video conference between Biden and Xi in November.", events.Call},
		{"They agreed to hold the virtual conference in December.", events.Call},
		{"Sullivan is expected to host a press conference in November.", events.Other},
	} {
		a := corpus.Article{ID: "a", Text: tc.text, Published: pub}
		evs := events.Extract(a, []events.Span{{Start: 0, End: len(tc.text)}})
		if len(evs) != 1 || evs[0].Action != tc.want {
			t.Errorf("%q: got %+v, want one %v", tc.text, evs, tc.want)
		}
	}
}
