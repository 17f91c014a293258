package analysis_test

import (
	"fmt"
	"reflect"
	"sync"
	"testing"

	"citebot/rag/internal/analysis"
	"citebot/rag/internal/sample"
)

// TestAppendTokens checks that AppendTokens keeps what dst holds and adds
// exactly Tokenize's tokens, into a buffer reused across texts.
func TestAppendTokens(t *testing.T) {
	texts := []string{"", "United States officials' talks", "the U.S. and 1,000 naïve Zürich 習近平", "New York"}
	for _, a := range sample.Articles(20, 3) {
		texts = append(texts, a.Title, a.Text)
	}
	prefix := analysis.Tokenize("Earlier words")
	var buf []analysis.Token
	for _, text := range texts {
		want := analysis.Tokenize(text)
		buf = analysis.AppendTokens(buf[:0], text)
		if len(want) > 0 && !reflect.DeepEqual(buf, want) || len(want) == 0 && len(buf) != 0 {
			t.Fatalf("AppendTokens(reused, %.40q): got %v, want %v", text, buf, want)
		}
		got := analysis.AppendTokens(append([]analysis.Token(nil), prefix...), text)
		if !reflect.DeepEqual(got[:len(prefix)], prefix) || len(got)-len(prefix) != len(want) {
			t.Fatalf("AppendTokens(prefix, %.40q): prefix changed or %d tokens added, want %d", text, len(got)-len(prefix), len(want))
		}
		if len(want) > 0 && !reflect.DeepEqual(got[len(prefix):], want) {
			t.Fatalf("AppendTokens(prefix, %.40q): added %v, want %v", text, got[len(prefix):], want)
		}
	}
}

// TestWordsConcurrently tokenises texts of new words on several
// goroutines at once, as indexing does (run with -race): every word gets
// the stem and stop-word test it gets alone, while the word cache grows
// and is replaced underneath.
func TestWordsConcurrently(t *testing.T) {
	const goroutines, n = 4, 3000
	words := make([]string, n)
	for i := range words {
		words[i] = fmt.Sprintf("zqwalking%dings", i) // new to the cache
	}
	var wg sync.WaitGroup
	errs := make(chan error, goroutines)
	for g := range goroutines {
		wg.Go(func() {
			for i := range n {
				w := words[(i*7+g*n/goroutines)%n]
				toks := analysis.Tokenize("The " + w + " were")
				if len(toks) != 3 {
					errs <- fmt.Errorf("%q: %d tokens, want 3", w, len(toks))
					return
				}
				if got, want := toks[1].Term, analysis.Stem(w); got != want || got == "" {
					errs <- fmt.Errorf("%q: term %q, want %q", w, got, want)
					return
				}
				if toks[0].Term != "" || toks[2].Term != "" {
					errs <- fmt.Errorf("stop words got terms %q, %q", toks[0].Term, toks[2].Term)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if got := analysis.Stem("walkings"); got != "walk" {
		t.Errorf("Stem(walkings) = %q, want walk", got)
	}
}

// TestStopWordsInCapitals checks the stop-word rule in both places it
// applies, IsStop and Tokenize: a word written in capitals and longer than
// one letter ("US", "IT") is never a stop word.
func TestStopWordsInCapitals(t *testing.T) {
	tests := []struct {
		word    string
		allCaps bool
		want    bool
	}{
		{"us", false, true},
		{"us", true, false},
		{"it", true, false},
		{"a", true, true},
		{"talks", true, false},
		{"the", false, true},
	}
	for _, tt := range tests {
		if got := analysis.IsStop(tt.word, tt.allCaps); got != tt.want {
			t.Errorf("IsStop(%q, %v) = %v, want %v", tt.word, tt.allCaps, got, tt.want)
		}
	}
	var terms []string
	for _, tok := range analysis.Tokenize("IT and US talks: A us it") {
		terms = append(terms, tok.Term)
	}
	if want := []string{"it", "", "us", "talk", "", "", ""}; !reflect.DeepEqual(terms, want) {
		t.Errorf("terms of %q: got %q, want %q", "IT and US talks: A us it", terms, want)
	}
}
