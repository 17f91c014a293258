package bot

// The article catalogue: /sources, /article, and the autocomplete of
// article titles and outlets, over a sorted copy of the Library that is
// made again only when the Library's slice changes.

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"citebot/bot/internal/render"
	"citebot/rag/textutil"
)

// sources answers /sources.
func (b *Bot) sources(x *exchange) {
	b.send(x, render.Sources(b.articles()), false)
}

// article answers /article with one article.
func (b *Bot) article(x *exchange, data discordgo.ApplicationCommandInteractionData) {
	raw := strings.TrimSpace(stringOpt(options(data)[optID]))
	a, ok := b.findArticle(raw)
	if !ok {
		b.notice(x, fmt.Sprintf("No article matches “%s”. Start typing a title and pick a suggestion, or see /sources.", render.Typed(raw, 80)))
		return
	}
	b.send(x, render.Article(a), false)
}

// catalogEntry is an article with its lower-cased title for matching.
type catalogEntry struct {
	info  ArticleInfo
	lower string
}

// catalogCache is the article list sorted for /sources and autocomplete,
// and the Library slice it was made from.
type catalogCache struct {
	mu      sync.Mutex
	entries []catalogEntry
	src     []ArticleInfo
}

// entries returns the articles, newest first. It sorts again only when the
// Library returns a different slice, so a reload shows at once.
func (b *Bot) entries() []catalogEntry {
	arts := b.opts.Library.Articles()
	b.cat.mu.Lock()
	defer b.cat.mu.Unlock()
	if b.cat.entries != nil && sameSlice(arts, b.cat.src) {
		return b.cat.entries
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
	b.cat.entries, b.cat.src = es, arts
	return es
}

// sameSlice reports whether a and b are the same slice (same array, same
// length), not merely equal.
func sameSlice(a, b []ArticleInfo) bool {
	return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0])
}

func (b *Bot) articles() []ArticleInfo {
	es := b.entries()
	out := make([]ArticleInfo, len(es))
	for i, e := range es {
		out[i] = e.info
	}
	return out
}

// findArticle resolves what the user typed for /article: an id, a title,
// or a part of exactly one title.
func (b *Bot) findArticle(s string) (ArticleInfo, bool) {
	if s == "" {
		return ArticleInfo{}, false
	}
	if a, ok := b.opts.Library.Article(s); ok {
		return a, true
	}
	low := strings.ToLower(textutil.OneLine(s))
	var partial []ArticleInfo
	for _, e := range b.entries() {
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
	return ArticleInfo{}, false
}

// maxChoices is Discord's limit of autocomplete choices.
const maxChoices = 25

// suggest returns autocomplete choices: for a source option those of
// suggestOutlets; for /article titles that start
// with, have a word starting with, or contain what was typed (or ids that
// start with it), newest first within each kind; with nothing typed, the
// newest articles. Names are "Title (date)", at most 100 characters; values
// are article ids.
func (b *Bot) suggest(data discordgo.ApplicationCommandInteractionData) []*discordgo.ApplicationCommandOptionChoice {
	name, typed := focused(data)
	if name == optSource {
		return b.suggestOutlets(typed)
	}
	type scored struct {
		e    catalogEntry
		rank int
	}
	var hits []scored
	for _, e := range b.entries() {
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
	choices := []*discordgo.ApplicationCommandOptionChoice{}
	for _, h := range hits[:min(len(hits), maxChoices)] {
		a := h.e.info
		choices = append(choices, &discordgo.ApplicationCommandOptionChoice{Name: render.ArticleChoice(a), Value: a.ID})
	}
	return choices
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
