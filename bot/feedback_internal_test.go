package bot

import (
	"testing"

	"citebot/bot/feedback"
)

func TestFeedbackIDs(t *testing.T) {
	tests := []struct {
		id, answer, vote string
		ok               bool
	}{
		{"fb:abc:up", "abc", feedback.Up, true},
		{"fb:abc:down", "abc", feedback.Down, true},
		{"fb:abc:sideways", "", "", false},
		{"fb::up", "", "", false},
		{"tl:abc:up", "", "", false},
		{"fb:abc", "", "", false},
	}
	for _, tt := range tests {
		a, v, ok := parseFeedbackID(tt.id)
		if a != tt.answer || v != tt.vote || ok != tt.ok {
			t.Errorf("%q: got %q %q %v, want %q %q %v", tt.id, a, v, ok, tt.answer, tt.vote, tt.ok)
		}
	}
	id := newAnswerID()
	if row := feedbackRow(id); len(row.Components) != 2 || len(feedbackPrefix+id+":down") > 100 {
		t.Errorf("got %d buttons, custom id of %d characters; want 2 of at most 100", len(row.Components), len(feedbackPrefix+id+":down"))
	}
}
