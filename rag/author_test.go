package rag_test

import (
	"context"
	"strings"
	"testing"

	"citebot/rag"
)

func TestAuthorship(t *testing.T) {
	e := rag.NewExtractive(newIndex(t, shipped(t)))
	tests := []struct {
		q, want   string
		notFound  bool
		wantQuote string
	}{
		{q: "who wrote the reuters piece on the virtual summit plans?", want: "**Trevor Hunnicutt, David Brunnstrom and Michael Martina** wrote", wantQuote: "By Trevor Hunnicutt"},
		{q: "who wrote the article about the spy balloon and the call?", notFound: true},
		{q: "who wrote the readout of the Sullivan Wang meeting?", want: "White House"},
	}
	for _, tc := range tests {
		t.Run(tc.q, func(t *testing.T) {
			ans, err := e.Answer(context.Background(), rag.Query{Question: tc.q})
			if err != nil {
				t.Fatal(err)
			}
			if ans.NotFound != tc.notFound || !strings.Contains(ans.Text, tc.want) {
				t.Fatalf("got %q (not found %v), want %q (not found %v)", ans.Text, ans.NotFound, tc.want, tc.notFound)
			}
			if tc.wantQuote != "" && (len(ans.Citations) != 1 || !strings.HasPrefix(ans.Citations[0].Quote, tc.wantQuote)) {
				t.Errorf("citations %+v, want one quoting %q", ans.Citations, tc.wantQuote)
			}
		})
	}
}
