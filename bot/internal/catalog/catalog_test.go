package catalog_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"citebot/bot/internal/catalog"
	"citebot/bot/internal/render"
)

// library is a fixed list of articles.
type library []render.ArticleInfo

func (l library) Articles() []render.ArticleInfo { return l }

func (l library) Article(id string) (render.ArticleInfo, bool) {
	if i := slices.IndexFunc(l, func(a render.ArticleInfo) bool { return a.ID == id }); i >= 0 {
		return l[i], true
	}
	return render.ArticleInfo{}, false
}

func day(d int) time.Time { return time.Date(2024, 1, d, 0, 0, 0, 0, time.UTC) }

func testLibrary() library {
	return library{
		{ID: "a1", Title: "Summit in Woodside", Source: "Reuters", Published: day(1)},
		{ID: "a2", Title: "Xi and Biden talk", Source: "Reuters", Published: day(3)},
		{ID: "a3", Title: "Biden speaks", Source: "AP", Published: day(2)},
		{ID: "sum-4", Title: "Trade figures", Source: "Associated Press", Published: day(4)},
	}
}

// ids are the ids of as, in order.
func ids(as []render.ArticleInfo) (out []string) {
	for _, a := range as {
		out = append(out, a.ID)
	}
	return out
}

func TestTitles(t *testing.T) {
	c := catalog.New(testLibrary())
	tests := []struct {
		typed string
		n     int
		want  []string
	}{
		{"", 25, []string{"sum-4", "a2", "a3", "a1"}}, // newest first
		{"", 2, []string{"sum-4", "a2"}},              // at most n
		{"biden", 25, []string{"a3", "a2"}},           // title prefix, then word prefix
		{"sum", 25, []string{"a1", "sum-4"}},          // title prefix, then id prefix
		{"odsi", 25, []string{"a1"}},                  // inside a word
		{"nothing", 25, nil},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%q/%d", tt.typed, tt.n), func(t *testing.T) {
			if got := ids(c.Titles(tt.typed, tt.n)); !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestOutlets(t *testing.T) {
	c := catalog.New(testLibrary())
	got := c.Outlets("", 25)
	want := []catalog.Outlet{{Name: "Reuters", Count: 2}, {Name: "AP", Count: 1}, {Name: "Associated Press", Count: 1}}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if got, want := c.Outlets("press", 25), []catalog.Outlet{{Name: "Associated Press", Count: 1}}; !slices.Equal(got, want) {
		t.Errorf("press: got %v, want %v", got, want)
	}
}

func TestFind(t *testing.T) {
	c := catalog.New(testLibrary())
	tests := []struct {
		typed, want string
		ok          bool
	}{
		{"a3", "a3", true},                // an id
		{"xi and biden talk", "a2", true}, // a whole title, any case
		{"woodside", "a1", true},          // a part of one title
		{"biden", "", false},              // a part of two titles
		{"", "", false},
	}
	for _, tt := range tests {
		a, ok := c.Find(tt.typed)
		if ok != tt.ok || a.ID != tt.want {
			t.Errorf("Find(%q) = %q, %v; want %q, %v", tt.typed, a.ID, ok, tt.want, tt.ok)
		}
	}
}
