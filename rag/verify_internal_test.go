package rag

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// TestVerifyCitations pins each step of verifyCitations: markers found
// and kept or removed, their owner sentence, the claims, the uncited
// sentences, the order of first use and the rewritten text (placeholders
// shown as {n}).
func TestVerifyCitations(t *testing.T) {
	tests := []struct {
		name             string
		text             string
		n                int
		want             string
		order            []int
		claims           map[int][]string
		removed, uncited int
		notFound         bool
	}{
		{name: "one cited sentence", text: "Paris hosted it [1].", n: 2,
			want: "Paris hosted it {0}.", order: []int{0}, claims: map[int][]string{0: {"Paris hosted it ."}}},
		{name: "marker opening a sentence closes the one before", text: "It rained in April. [2] Then it stopped [1].", n: 2,
			want: "It rained in April. {1} Then it stopped {0}.", order: []int{1, 0},
			claims: map[int][]string{1: {"It rained in April."}, 0: {"Then it stopped ."}}},
		{name: "invalid marker removed with its space", text: "A claim [7]. Another [1].", n: 1,
			want: "A claim" + uncitedMark + ". Another {0}.", order: []int{0}, removed: 1, uncited: 1,
			claims: map[int][]string{0: {"Another ."}}},
		{name: "list forms and repeats", text: "Both agree [1, 2] and [passage 2].", n: 3,
			want: "Both agree {0}{1} and {1}.", order: []int{0, 1},
			claims: map[int][]string{0: {"Both agree and ."}, 1: {"Both agree and .", "Both agree and ."}}},
		{name: "silence and list intros need no citation", text: "The passages do not say when.\nThey list:\n- one [1]", n: 1,
			want: "The passages do not say when.\nThey list:\n- one {0}", order: []int{0}, claims: map[int][]string{0: {"- one"}}},
		{name: "not found", text: "NOT FOUND", n: 3, notFound: true, claims: map[int][]string{}},
		{name: "our placeholder bytes are dropped", text: "A\x00 fact [1].", n: 1,
			want: "A fact {0}.", order: []int{0}, claims: map[int][]string{0: {"A fact ."}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := verifyCitations(tt.text, tt.n)
			got := v.text
			for i := range tt.n {
				got = strings.ReplaceAll(got, fmt.Sprintf("\x00%d\x00", i), fmt.Sprintf("{%d}", i))
			}
			if got != tt.want {
				t.Errorf("text = %q, want %q", got, tt.want)
			}
			if !slices.Equal(v.order, tt.order) {
				t.Errorf("order = %v, want %v", v.order, tt.order)
			}
			if v.removed != tt.removed || v.uncited != tt.uncited || v.notFound != tt.notFound {
				t.Errorf("removed, uncited, notFound = %d, %d, %v; want %d, %d, %v", v.removed, v.uncited, v.notFound, tt.removed, tt.uncited, tt.notFound)
			}
			if fmt.Sprint(v.claims) != fmt.Sprint(tt.claims) {
				t.Errorf("claims = %v, want %v", v.claims, tt.claims)
			}
		})
	}
}
