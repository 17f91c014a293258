package corpus_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"citebot/corpus"
)

// FuzzParse feeds arbitrary bytes to the article parser: it must never
// panic, and an article it accepts has valid UTF-8 text that is not empty.
func FuzzParse(f *testing.F) {
	for _, name := range []string{"000_8a5e0f719dd434d8.txt", "001_48f8343459885b5d.txt", "002_27f825d296f944c6.txt", "003_e8560d62097cf880.txt"} {
		data, err := corpus.SeedFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("---\ntitle: T\npublished: 2024-01-02\n---\nBody."))
	f.Add([]byte("---\n---\n"))
	f.Add([]byte("\xff\xfe\x00"))
	f.Add([]byte(" date 2021-10-22 By A and B\n\nHeadline here\n\nBody text. More."))
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := corpus.Parse("id", "fuzz.txt", data, corpus.Meta{})
		if err != nil {
			return
		}
		if strings.TrimSpace(a.Text) == "" || !utf8.ValidString(a.Text) || a.Title == "" {
			t.Fatalf("accepted article with text %q title %q", a.Text, a.Title)
		}
	})
}

// FuzzLoadJSONL feeds arbitrary lines to the JSONL loader: no panic, and
// every loaded article has an id and text.
func FuzzLoadJSONL(f *testing.F) {
	f.Add(`{"id":"a","title":"A","published":"2024-01-02","text":"Body."}` + "\n" + `not json` + "\n" + `{"id":"a","text":"dup"}`)
	f.Add(`{"id":"","text":""}`)
	f.Add("\n\n\n")
	f.Fuzz(func(t *testing.T, in string) {
		arts, _, err := corpus.LoadJSONL(strings.NewReader(in), "fuzz.jsonl")
		if err != nil {
			t.Fatalf("LoadJSONL on a string reader: %v", err)
		}
		seen := map[string]bool{}
		for _, a := range arts {
			if a.ID == "" || strings.TrimSpace(a.Text) == "" || seen[a.ID] {
				t.Fatalf("bad article %+v", a)
			}
			seen[a.ID] = true
		}
	})
}
