// Package catalog is the bot's view of the corpus's articles for /sources,
// /article and autocomplete: a sorted copy of the Library, made again only
// when the Library's slice changes, and the matching of what a user typed
// against titles, ids and outlets.
package catalog

import (
	"cmp"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"citebot/bot/internal/render"
	"citebot/rag/textutil"
)

// Library lists the articles of the corpus (bot.Library).
type Library interface {
	Articles() []render.ArticleInfo
	Article(id string) (render.ArticleInfo, bool)
}

// catalogEntry is an article with its lower-cased title for matching.
type catalogEntry struct {
	info  render.ArticleInfo
	lower string
}

// Catalog is the article list sorted for /sources and autocomplete,
// and the Library slice it was made from. It is safe for concurrent use.
type Catalog struct {
	lib Library

	mu      sync.Mutex
	entries []catalogEntry
	src     []render.ArticleInfo
}

// New returns a catalogue of lib's articles.
func New(lib Library) *Catalog { return &Catalog{lib: lib} }

// sorted returns the articles, newest first. It sorts again only when the
// Library returns a different slice, so a reload shows at once.
func (c *Catalog) sorted() []catalogEntry {
	arts := c.lib.Articles()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries != nil && sameSlice(arts, c.src) {
		return c.entries
	}
	es := make([]catalogEntry, 0, len(arts))
	for _, a := range arts {
		es = append(es, catalogEntry{info: a, lower: strings.ToLower(textutil.OneLine(a.Title))})
	}
	slices.SortStableFunc(es, func(x, y catalogEntry) int {
		if c := y.info.Published.Compare(x.info.Published); c != 0 {
			return c
		}
		return cmp.Compare(x.info.ID, y.info.ID)
	})
	c.entries, c.src = es, arts
	return es
}

// sameSlice reports whether a and b are the same slice (same array, same
// length), not merely equal.
func sameSlice(a, b []render.ArticleInfo) bool {
	return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0])
}

// Articles returns the articles, newest first.
func (c *Catalog) Articles() []render.ArticleInfo {
	es := c.sorted()
	out := make([]render.ArticleInfo, len(es))
	for i, e := range es {
		out[i] = e.info
	}
	return out
}

// Find resolves what the user typed for /article: an id, a title, or a
// part of exactly one title.
func (c *Catalog) Find(s string) (render.ArticleInfo, bool) {
	if s == "" {
		return render.ArticleInfo{}, false
	}
	if a, ok := c.lib.Article(s); ok {
		return a, true
	}
	low := strings.ToLower(textutil.OneLine(s))
	var partial []render.ArticleInfo
	for _, e := range c.sorted() {
		if e.lower == low {
			return e.info, true
		}
		if strings.Contains(e.lower, low) {
			partial = append(partial, e.info)
		}
	}
	if len(partial) == 1 {
		return partial[0], true
	}
	return render.ArticleInfo{}, false
}

// Titles returns at most n articles whose titles start with, have a word
// starting with, or contain typed (lower case), or whose ids start with
// it, newest first within each kind; with nothing typed, the newest
// articles. Articles whose ids are too long for a choice value (100) are
// left out.
func (c *Catalog) Titles(typed string, n int) []render.ArticleInfo {
	type scored struct {
		e    catalogEntry
		rank int
	}
	var hits []scored
	for _, e := range c.sorted() {
		if len(e.info.ID) > 100 {
			continue // too long for a choice value
		}
		rank := -1
		switch {
		case typed == "" || strings.HasPrefix(e.lower, typed):
			rank = 0
		case wordPrefix(e.lower, typed):
			rank = 1
		case strings.Contains(e.lower, typed):
			rank = 2
		case strings.HasPrefix(strings.ToLower(e.info.ID), typed):
			rank = 3
		}
		if rank >= 0 {
			hits = append(hits, scored{e, rank})
		}
	}
	slices.SortStableFunc(hits, func(x, y scored) int { return x.rank - y.rank })
	out := []render.ArticleInfo{}
	for _, h := range hits[:min(len(hits), n)] {
		out = append(out, h.e.info)
	}
	return out
}

// Outlet is an outlet of the corpus and how many articles it has.
type Outlet struct {
	Name  string
	Count int
}

// Outlets returns at most n of the corpus's outlets that start with, have
// a word starting with, or contain typed (lower case), with their article
// counts; most articles first within each kind, then by name. Names
// longer than 100 bytes are left out.
func (c *Catalog) Outlets(typed string, n int) []Outlet {
	type outlet struct {
		name  string
		count int
		rank  int
	}
	byKey := map[string]*outlet{}
	var all []*outlet
	for _, e := range c.sorted() {
		name := textutil.OneLine(strings.TrimSpace(e.info.Source))
		if name == "" || len(name) > 100 {
			continue
		}
		key := strings.ToLower(name)
		o, ok := byKey[key]
		if !ok {
			o = &outlet{name: name, rank: -1}
			switch {
			case typed == "" || strings.HasPrefix(key, typed):
				o.rank = 0
			case wordPrefix(key, typed):
				o.rank = 1
			case strings.Contains(key, typed):
				o.rank = 2
			}
			byKey[key] = o
			all = append(all, o)
		}
		o.count++
	}
	all = slices.DeleteFunc(all, func(o *outlet) bool { return o.rank < 0 })
	slices.SortStableFunc(all, func(x, y *outlet) int {
		if x.rank != y.rank {
			return x.rank - y.rank
		}
		if x.count != y.count {
			return y.count - x.count
		}
		return strings.Compare(strings.ToLower(x.name), strings.ToLower(y.name))
	})
	out := []Outlet{}
	for _, o := range all[:min(len(all), n)] {
		out = append(out, Outlet{Name: o.name, Count: o.count})
	}
	return out
}

// wordPrefix reports whether a word of s starts with p.
func wordPrefix(s, p string) bool {
	for i := strings.Index(s, p); i >= 0; {
		if prev, _ := utf8.DecodeLastRuneInString(s[:i]); i == 0 || !unicode.IsLetter(prev) && !unicode.IsDigit(prev) {
			return true
		}
		j := strings.Index(s[i+1:], p)
		if j < 0 {
			return false
		}
		i += 1 + j
	}
	return false
}
