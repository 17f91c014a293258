package corpus_test

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"citebot/corpus"
)

func TestShippedSeedArticles(t *testing.T) {
	arts, err := corpus.Shipped()
	if err != nil {
		t.Fatalf("Shipped: %v", err)
	}
	if got, want := len(arts), 5; got != want {
		t.Fatalf("got %d articles, want %d", got, want)
	}
	tests := []struct {
		id, title, source, published string
		approximate                  bool
		textStarts                   string
		mustNotContain               []string
	}{
		{id: "000_8a5e0f719dd434d8", title: "Biden tests personal diplomacy in first call with Xi in seven months", published: "2021-09-10",
			textStarts: "President Biden used a call with Xi Jinping Thursday night"},
		{id: "001_48f8343459885b5d", title: "US, China senior officials agree to Biden-Xi call in coming weeks", published: "2024-08-28",
			textStarts:     "Senior officials from the U.S. and China agreed",
			mustNotContain: []string{"International", "President Biden greets Chinese President Xi Jinping in Woodside"}},
		{id: "002_27f825d296f944c6", title: "White House prepares for Biden–Xi virtual meeting", source: "Reuters", published: "2021-10-22",
			textStarts:     "WASHINGTON (Reuters) – White House officials",
			mustNotContain: []string{"date 2021-10-22", "By Trevor Hunnicutt"}},
		{id: "003_e8560d62097cf880", title: "Biden seeks call with Xi after spy balloon tensions", published: "2023-03-13",
			textStarts:     "President Biden is seeking to have a call",
			mustNotContain: []string{"Telegram", "Subscribe", "ArrowRight"}},
		{id: "004_bf2e7a1252b3b5c1", title: "US and China Leaders Plan to Hold Phone Call in Near Future, Experts: Not Helpful for Restoring Relationship",
			published: "2024-10-01", approximate: true, textStarts: "According to Voice of America"},
	}
	for i, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			a := arts[i]
			if a.ID != tt.id {
				t.Fatalf("article %d: got id %q, want %q", i, a.ID, tt.id)
			}
			if a.Title != tt.title {
				t.Errorf("title: got %q, want %q", a.Title, tt.title)
			}
			if a.Source != tt.source {
				t.Errorf("source: got %q, want %q", a.Source, tt.source)
			}
			if got := a.PublishedString(); got != tt.published {
				t.Errorf("published: got %q, want %q", got, tt.published)
			}
			if a.Approximate != tt.approximate {
				t.Errorf("approximate: got %v, want %v", a.Approximate, tt.approximate)
			}
			if !strings.HasPrefix(a.Text, tt.textStarts) {
				t.Errorf("text starts %q, want prefix %q", a.Text[:min(60, len(a.Text))], tt.textStarts)
			}
			for _, s := range tt.mustNotContain {
				if strings.Contains(a.Text, s) {
					t.Errorf("text still contains boilerplate %q", s)
				}
			}
		})
	}
}

// The seed files themselves carry no metadata: loading them without the
// sidecar must still infer what the raw text says.
func TestRawSeedInference(t *testing.T) {
	files := fstest.MapFS{}
	for _, name := range []string{"001_48f8343459885b5d.txt", "002_27f825d296f944c6.txt", "003_e8560d62097cf880.txt", "004_bf2e7a1252b3b5c1.txt"} {
		data, err := corpus.SeedFile(name)
		if err != nil {
			t.Fatal(err)
		}
		files[name] = &fstest.MapFile{Data: data}
	}
	arts, warns, err := corpus.LoadDir(files)
	if err != nil || len(warns) > 0 {
		t.Fatalf("LoadDir: err %v, warnings %v", err, warns)
	}
	byID := map[string]corpus.Article{}
	for _, a := range arts {
		byID[a.ID] = a
	}
	tests := []struct{ id, field, got, want string }{
		{"001", "title", byID["001_48f8343459885b5d"].Title, "US, China senior officials agree to Biden-Xi call in coming weeks"},
		{"002", "published", byID["002_27f825d296f944c6"].PublishedString(), "2021-10-22"},
		{"002", "author", byID["002_27f825d296f944c6"].Author, "Trevor Hunnicutt, David Brunnstrom and Michael Martina"},
		{"002", "source", byID["002_27f825d296f944c6"].Source, "Reuters"},
		{"004", "title", byID["004_bf2e7a1252b3b5c1"].Title, "US and China Leaders Plan to Hold Phone Call in Near Future, Experts: Not Helpful for Restoring Relationship"},
		{"003", "title", byID["003_e8560d62097cf880"].Title, "President Biden is seeking to have a call with Chinese President Xi Jinping to ease…"},
	}
	for _, tt := range tests {
		t.Run(tt.id+"/"+tt.field, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %q, want %q", tt.got, tt.want)
			}
		})
	}
	if txt := byID["001_48f8343459885b5d"].Text; strings.Contains(txt, "greets") || strings.HasPrefix(txt, "International") {
		t.Errorf("001: caption or section label kept: %.120q", txt)
	}
}

func TestLoadDirFrontMatterSidecarAndBrokenFiles(t *testing.T) {
	fsys := fstest.MapFS{
		"front.md":       {Data: []byte("---\ntitle: From Front Matter\nsource: Example News\nurl: https://example.com/a\npublished: 2024-04-02\ntags: [ignored]\n---\nThe body says something. It has two sentences.\n")},
		"side.txt":       {Data: []byte("Plain body text without a headline, long enough to be a paragraph of its own.")},
		"metadata.yaml":  {Data: []byte("side:\n  title: From Sidecar\n  outlet: Sidecar Times\n  published: 2023-01-05\nfront:\n  title: Loses to front matter\n")},
		"empty.txt":      {Data: []byte("  \n\n ")},
		"binary.txt":     {Data: []byte("GIF89a\x00\x01\x02")},
		"latin1.txt":     {Data: []byte("caf\xe9 au lait is nice")},
		"badfront.md":    {Data: []byte("---\ntitle: [unclosed\n---\nBody.\n")},
		"baddate.md":     {Data: []byte("---\npublished: yesterday-ish\n---\nA body that still loads, with enough words.\n")},
		"dup.md":         {Data: []byte("Same id as dup.txt, a different extension.")},
		"dup.txt":        {Data: []byte("Same id as dup.md.")},
		"notes.pdf":      {Data: []byte("%PDF")},
		".hidden.txt":    {Data: []byte("hidden")},
		"sub/nested.txt": {Data: []byte("A nested article body that loads.")},
	}
	arts, warns, err := corpus.LoadDir(fsys)
	if err != nil {
		t.Fatalf("LoadDir: %v", err)
	}
	ids := map[string]corpus.Article{}
	for _, a := range arts {
		ids[a.ID] = a
	}
	for _, id := range []string{"front", "side", "baddate", "dup", "sub/nested"} {
		if _, ok := ids[id]; !ok {
			t.Errorf("article %q not loaded; got %v", id, keys(ids))
		}
	}
	if len(arts) != 5 {
		t.Errorf("got %d articles %v, want 5", len(arts), keys(ids))
	}
	if a := ids["front"]; a.Title != "From Front Matter" || a.Source != "Example News" || a.URL != "https://example.com/a" || a.PublishedString() != "2024-04-02" {
		t.Errorf("front matter: got %+v", a)
	}
	if a := ids["side"]; a.Title != "From Sidecar" || a.Source != "Sidecar Times" || a.PublishedString() != "2023-01-05" {
		t.Errorf("sidecar: got title %q source %q date %q", a.Title, a.Source, a.PublishedString())
	}
	if ids["dup"].Text != "Same id as dup.txt, a different extension." {
		t.Errorf("duplicate id: the first file (dup.md) should win, got %q", ids["dup"].Text)
	}

	wantWarn := map[string]error{
		"empty.txt":   corpus.ErrEmpty,
		"binary.txt":  corpus.ErrBinary,
		"latin1.txt":  corpus.ErrNotUTF8,
		"badfront.md": nil,
		"baddate.md":  nil,
		"dup.txt":     nil,
	}
	got := map[string]error{}
	for _, w := range warns {
		var fe *corpus.FileError
		if !errors.As(w, &fe) {
			t.Errorf("warning %v is not a *FileError", w)
			continue
		}
		got[fe.Path] = fe
	}
	for path, sentinel := range wantWarn {
		w, ok := got[path]
		if !ok {
			t.Errorf("no warning for %s; warnings: %v", path, warns)
			continue
		}
		if sentinel != nil && !errors.Is(w, sentinel) {
			t.Errorf("%s: got %v, want %v", path, w, sentinel)
		}
		if !strings.Contains(w.Error(), path) {
			t.Errorf("warning %q does not name the file", w)
		}
	}
	if len(warns) != len(wantWarn) {
		t.Errorf("got %d warnings, want %d: %v", len(warns), len(wantWarn), warns)
	}
}

func TestSidecarUnknownKeyIsAWarning(t *testing.T) {
	fsys := fstest.MapFS{
		"a.txt":         {Data: []byte("Body of article a.")},
		"metadata.yaml": {Data: []byte("a:\n  titel: typo\n")},
	}
	arts, warns, err := corpus.LoadDir(fsys)
	if err != nil || len(arts) != 1 {
		t.Fatalf("got %d articles, err %v", len(arts), err)
	}
	if len(warns) != 1 || !strings.Contains(warns[0].Error(), "titel") {
		t.Errorf("got warnings %v, want one naming the unknown key", warns)
	}
}

func TestLoadJSONL(t *testing.T) {
	in := strings.Join([]string{
		`{"id":"a","title":"A","source":"S","url":"https://x","published":"2024-01-02","text":"First article text."}`,
		``,
		`{"id":"b","title":"B","text":"Second.\n\nWith two paragraphs."}`,
		`not json`,
		`{"title":"no id","text":"x"}`,
		`{"id":"c","text":""}`,
		`{"id":"a","text":"duplicate id"}`,
		`{"id":"d","published":"someday","text":"Bad date but kept."}`,
	}, "\n")
	arts, warns, err := corpus.LoadJSONL(strings.NewReader(in), "in.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, a := range arts {
		ids = append(ids, a.ID)
	}
	if got, want := strings.Join(ids, ","), "a,b,d"; got != want {
		t.Errorf("ids: got %s, want %s", got, want)
	}
	if arts[0].Source != "S" || arts[0].PublishedString() != "2024-01-02" || arts[0].URL != "https://x" {
		t.Errorf("metadata of a: %+v", arts[0])
	}
	if arts[1].Text != "Second.\n\nWith two paragraphs." {
		t.Errorf("text of b: got %q", arts[1].Text)
	}
	wantLines := []string{"in.jsonl:4", "in.jsonl:5", "in.jsonl:6", "in.jsonl:7", "in.jsonl:8"}
	if len(warns) != len(wantLines) {
		t.Fatalf("got %d warnings %v, want %d", len(warns), warns, len(wantLines))
	}
	for i, w := range warns {
		if !strings.HasPrefix(w.Error(), wantLines[i]+":") {
			t.Errorf("warning %d: got %q, want prefix %q", i, w, wantLines[i])
		}
	}
}

func TestLoadJSONLOverlongLine(t *testing.T) {
	long := `{"id":"big","text":"` + strings.Repeat("x", corpus.MaxArticleBytes) + `"}`
	in := long + "\n" + `{"id":"ok","text":"fine"}` + "\n"
	arts, warns, err := corpus.LoadJSONL(strings.NewReader(in), "big.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	if len(arts) != 1 || arts[0].ID != "ok" {
		t.Errorf("got %d articles, want only \"ok\"", len(arts))
	}
	if len(warns) != 1 || !errors.Is(warns[0], corpus.ErrTooLarge) {
		t.Errorf("got warnings %v, want one ErrTooLarge", warns)
	}
}

func TestCleanBoilerplate(t *testing.T) {
	tests := []struct {
		name, raw     string
		wantTitle     string
		wantText      string
		wantPublished string
	}{
		{
			name:      "headline, label, caption and ad",
			raw:       "World News\n\nLeaders meet in Geneva\n\nThe two presidents shake hands in Geneva, Switzerland, on June 16, 2021.\n\nThe leaders met on Wednesday. Follow us on Twitter for more. They talked for hours.\n\nAdvertisement\n\nA second paragraph closes the story.",
			wantTitle: "Leaders meet in Geneva",
			wantText:  "The leaders met on Wednesday. They talked for hours.\n\nA second paragraph closes the story.",
		},
		{
			name:          "dateline and byline",
			raw:           "Published: January 2, 2006\n\nBy Jane Doe\n\nBody sentence one. Body sentence two.",
			wantTitle:     "Body sentence one",
			wantText:      "Body sentence one. Body sentence two.",
			wantPublished: "2006-01-02",
		},
		{
			name:      "hard-wrapped paragraphs are joined",
			raw:       "A first line that wraps\nonto a second line.\n\nNext paragraph.",
			wantTitle: "A first line that wraps onto a second line",
			wantText:  "A first line that wraps onto a second line.\n\nNext paragraph.",
		},
		{
			name:      "a place-and-outlet line is no headline nor text",
			raw:       "Paris Example Business —\n\nShoppers found the shelves empty. Stores blamed the drought.",
			wantTitle: "Shoppers found the shelves empty",
			wantText:  "Shoppers found the shelves empty. Stores blamed the drought.",
		},
		{
			name:      "the newsletter a story belongs to is furniture",
			raw:       "Paris Example Business —\n\nThis story is part of Example Business’ Evening Brief newsletter. To get it in your inbox, sign up for free, here.\n\nShoppers found the shelves empty. Stores blamed the drought.\n\nA version of this story first appeared in Example's Morning newsletter. Not a subscriber? You can sign up right here.",
			wantTitle: "Shoppers found the shelves empty",
			wantText:  "Shoppers found the shelves empty. Stores blamed the drought.",
		},
		{
			name:      "a lone paragraph is never taken for a headline",
			raw:       "Short single paragraph",
			wantTitle: "Short single paragraph",
			wantText:  "Short single paragraph",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := corpus.Parse("x", "x.txt", []byte(tt.raw), corpus.Meta{})
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if a.Title != tt.wantTitle {
				t.Errorf("title: got %q, want %q", a.Title, tt.wantTitle)
			}
			if a.Text != tt.wantText {
				t.Errorf("text:\n got %q\nwant %q", a.Text, tt.wantText)
			}
			if got := a.PublishedString(); got != tt.wantPublished {
				t.Errorf("published: got %q, want %q", got, tt.wantPublished)
			}
		})
	}
}

func TestHashChangesWithContent(t *testing.T) {
	a := corpus.Article{ID: "a", Title: "T", Text: "body"}
	b := a
	b.Text = "body!"
	c := a
	c.Title = "T2"
	if a.Hash() == b.Hash() || a.Hash() == c.Hash() {
		t.Errorf("hash did not change with text or title")
	}
	if a.Hash() != (corpus.Article{ID: "a", Title: "T", Text: "body"}).Hash() {
		t.Errorf("hash is not deterministic")
	}
}

// TestHashUnchanged: index files key articles by Hash, so its value must
// never change: it is compared with the definition it has always had
// (SHA-256 of every field as "<length>:<bytes>;", the first 16 bytes in
// hex) and with a value recorded once.
func TestHashUnchanged(t *testing.T) {
	reference := func(a corpus.Article) string {
		h := sha256.New()
		for _, s := range []string{a.ID, a.Title, a.Source, a.URL, a.Author, a.PublishedString(), fmt.Sprint(a.Approximate), a.Text} {
			fmt.Fprintf(h, "%d:%s;", len(s), s)
		}
		return hex.EncodeToString(h.Sum(nil)[:16])
	}
	arts, err := corpus.Shipped()
	if err != nil {
		t.Fatal(err)
	}
	arts = append(arts, corpus.Article{}, corpus.Article{ID: "é/ü", Title: "Ünïcode — “quotes”", Approximate: true, Published: time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC), Text: strings.Repeat("x", 1000)})
	for _, a := range arts {
		if got, want := a.Hash(), reference(a); got != want {
			t.Errorf("%q: got %s, want %s", a.ID, got, want)
		}
	}
	if got, want := (corpus.Article{ID: "a", Title: "T", Text: "body"}).Hash(), "8ff368d24f3300c29facbd2ebbd81baf"; got != want {
		t.Errorf("recorded hash: got %s, want %s", got, want)
	}
}

// TestHashAll: HashAll is each article's Hash, in order, whatever the
// number of articles against the workers.
func TestHashAll(t *testing.T) {
	shipped, err := corpus.Shipped()
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{0, 1, 2, 5, 97} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			arts := make([]corpus.Article, n)
			for i := range arts {
				arts[i] = shipped[i%len(shipped)]
				arts[i].ID = fmt.Sprint(i)
			}
			got := corpus.HashAll(arts)
			if len(got) != n {
				t.Fatalf("got %d hashes for %d articles", len(got), n)
			}
			for i, a := range arts {
				if got[i] != a.Hash() {
					t.Errorf("hash %d: got %s, want %s", i, got[i], a.Hash())
				}
			}
		})
	}
}

func keys(m map[string]corpus.Article) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
