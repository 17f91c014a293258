package corpus_test

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"

	"citebot/corpus"
)

// A dateline on the line right under the headline, with no blank line
// between them, is still the dateline: the article is dated, has its
// byline, and neither the headline nor the dateline merges into the text.
// The body is seed article 002's, whose dateline stands alone.
func TestDatelineRightUnderHeadline(t *testing.T) {
	seed, err := corpus.SeedFile("002_27f825d296f944c6.txt")
	if err != nil {
		t.Fatal(err)
	}
	dateline, body, ok := strings.Cut(string(seed), "\n\n")
	if !ok {
		t.Fatal("seed 002 has no blank line after its dateline")
	}
	const headline = "White House prepares for Biden–Xi virtual meeting"
	tests := []struct{ name, raw string }{
		{"headline then dateline", headline + "\n" + dateline + "\n\n" + body},
		{"headline then dateline, CRLF", strings.ReplaceAll(headline+"\n"+dateline+"\n\n"+body, "\n", "\r\n")},
		{"label, headline then dateline", "International\n\n" + headline + "\n" + strings.TrimSpace(dateline) + "\n\n" + body},
		{"dateline then body", headline + "\n\n" + dateline + "\n" + body},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := corpus.Parse("x", "x.txt", []byte(tt.raw), corpus.Meta{})
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if got, want := a.PublishedString(), "2021-10-22"; got != want {
				t.Errorf("published: got %q, want %q", got, want)
			}
			if got, want := a.Title, headline; got != want {
				t.Errorf("title: got %q, want %q", got, want)
			}
			if got, want := a.Author, "Trevor Hunnicutt, David Brunnstrom and Michael Martina"; got != want {
				t.Errorf("author: got %q, want %q", got, want)
			}
			if got, want := a.Source, "Reuters"; got != want {
				t.Errorf("source: got %q, want %q", got, want)
			}
			if want := "WASHINGTON (Reuters) – White House officials"; !strings.HasPrefix(a.Text, want) {
				t.Errorf("text starts %q, want prefix %q", a.Text[:min(80, len(a.Text))], want)
			}
			for _, s := range []string{"date 2021-10-22", "Hunnicutt", headline} {
				if strings.Contains(a.Text, s) {
					t.Errorf("text contains %q", s)
				}
			}
		})
	}
	// A wrapped sentence whose next line happens to start like a dateline
	// stays one paragraph.
	a, err := corpus.Parse("y", "y.txt", []byte("Headline of the story here\n\nThe letter to the minister was\ndated 2021-10-22 and it was signed by three of them.\n\nA second paragraph."), corpus.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	if want := "The letter to the minister was dated 2021-10-22 and it was signed by three of them."; !strings.HasPrefix(a.Text, want) || a.PublishedString() != "" {
		t.Errorf("wrapped sentence: text %q, published %q; want it kept whole and undated", a.Text, a.PublishedString())
	}
}

// A .jsonl file in a corpus directory is loaded as a JSONL article file,
// with its ids as given; an id already used by another file is warned
// about, as between article files.
func TestLoadDirReadsJSONL(t *testing.T) {
	fsys := fstest.MapFS{
		"a.txt":                {Data: []byte("Body of the text article a.")},
		"feeds/wire.jsonl":     {Data: []byte(`{"id":"w1","title":"Wire one","published":"2024-05-06","text":"First wire story."}` + "\n" + `{"id":"a","text":"Same id as a.txt."}` + "\n" + `{"id":"w2","text":"Second wire story."}` + "\n")},
		"feeds/xtra.JSONL":     {Data: []byte(`{"id":"w1","text":"Same id as in wire.jsonl."}` + "\n" + `{"id":"m1","text":"Another story."}` + "\n")},
		"questions/qa.jsonl":   {Data: []byte(`{"id":"q1","question":"who?","answer":"x"}` + "\n" + `{"id":"q2","question":"when?","answer":"y"}` + "\n")},
		"feeds/metadata.yaml":  {Data: []byte("")},
		"feeds/.hidden.jsonl":  {Data: []byte(`{"id":"h","text":"hidden"}`)},
		"feeds/broken.jsonl":   {Data: []byte(`{"id":"b1","text":"Fine."}` + "\nnot json\n")},
		"feeds/notes.json":     {Data: []byte(`{"id":"n","text":"not a .jsonl file"}`)},
		"feeds/empty.jsonl":    {Data: []byte("\n\n")},
		"feeds/sub/deep.jsonl": {Data: []byte(`{"id":"d1","text":"Deep story."}`)},
	}
	arts, warns, err := corpus.LoadDir(fsys)
	if err != nil {
		t.Fatalf("LoadDir: %v", err)
	}
	var ids []string
	byID := map[string]corpus.Article{}
	for _, a := range arts {
		ids = append(ids, a.ID)
		byID[a.ID] = a
	}
	if got, want := strings.Join(ids, ","), "a,b1,d1,m1,w1,w2"; got != want {
		t.Errorf("ids: got %s, want %s", got, want)
	}
	if a := byID["w1"]; a.Title != "Wire one" || a.PublishedString() != "2024-05-06" || a.Origin != "feeds/wire.jsonl:1" || a.Text != "First wire story." {
		t.Errorf("w1: got %+v", a)
	}
	if a := byID["m1"]; a.Origin != "feeds/xtra.JSONL:2" {
		t.Errorf("m1: origin %q", a.Origin)
	}
	want := map[string]string{
		"feeds/wire.jsonl:2":   `article id "a" is already used by a.txt`,
		"feeds/xtra.JSONL:1":   `article id "w1" is already used by feeds/wire.jsonl:1`,
		"feeds/broken.jsonl:2": "invalid JSON",
		"questions/qa.jsonl":   "no article",
		"feeds/empty.jsonl":    "empty",
	}
	got := map[string]string{}
	for _, w := range warns {
		var fe *corpus.FileError
		if !errors.As(w, &fe) {
			t.Errorf("warning %v is not a *FileError", w)
			continue
		}
		got[fe.Path] = fe.Err.Error()
	}
	for path, frag := range want {
		if !strings.Contains(got[path], frag) {
			t.Errorf("warning for %s: got %q, want it to contain %q", path, got[path], frag)
		}
	}
	if len(warns) != len(want) {
		t.Errorf("got %d warnings, want %d: %v", len(warns), len(want), warns)
	}
}
