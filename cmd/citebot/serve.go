package main

import (
	"context"
	"fmt"
	"time"

	"citebot/bot"
	"citebot/corpus"
	"citebot/rag"
)

// serveHook, when set (by tests only), adjusts the bot's options before it
// starts, e.g. to point it at a local fake of Discord.
var serveHook func(*bot.Options)

func runServe(ctx context.Context, e *env, args []string) error {
	c, err := parse(e, "serve", "[flags]", args, nil)
	if err != nil {
		return err
	}
	if len(c.args) > 0 {
		return fmt.Errorf("%w: serve takes no arguments (got %q); configure it with flags and environment variables", errUsage, c.args[0])
	}
	// Check the token before loading anything or connecting.
	if err := c.cfg.ValidateDiscord(); err != nil {
		return fmt.Errorf("invalid configuration:\n%w", indent(err))
	}
	ix, _, err := openIndex(ctx, c.cfg, c.log, nil)
	if err != nil {
		return err
	}
	d := c.cfg.Discord
	opts := bot.Options{
		Token:         d.Token.Reveal(),
		GuildID:       d.GuildID,
		Answerer:      newAnswerer(c.cfg, ix, c.log),
		Searcher:      ix,
		Library:       newLibrary(ix),
		TopK:          c.cfg.TopK,
		AsOf:          func() time.Time { return c.cfg.AsOfDate(time.Now()) },
		AnswerTimeout: d.AnswerTimeout,
		UserRate:      d.UserRate,
		MaxConcurrent: d.MaxConcurrent,
		Logger:        c.log,
	}
	if serveHook != nil {
		serveHook(&opts)
	}
	b, err := bot.New(opts)
	if err != nil {
		return err
	}
	// The index is not changed while serving (openIndex saved any update),
	// so there is nothing to save on the way out.
	return b.Run(ctx)
}

// library presents the index's articles to the bot. The index does not
// change while the bot runs, so the list is converted once.
type library struct {
	list []bot.ArticleInfo
	byID map[string]int
}

var _ bot.Library = (*library)(nil)

func newLibrary(ix *rag.Index) *library {
	arts := ix.Articles()
	l := &library{list: make([]bot.ArticleInfo, len(arts)), byID: make(map[string]int, len(arts))}
	for i, a := range arts {
		l.list[i] = articleInfo(a)
		l.byID[a.ID] = i
	}
	return l
}

func articleInfo(a corpus.Article) bot.ArticleInfo {
	return bot.ArticleInfo{ID: a.ID, Title: a.Title, Source: a.Source, URL: a.URL, Author: a.Author,
		Published: a.Published, Approximate: a.Approximate, Text: a.Text}
}

// Articles returns every article; the bot must not modify the slice.
func (l *library) Articles() []bot.ArticleInfo { return l.list }

// Article returns the article with the given id.
func (l *library) Article(id string) (bot.ArticleInfo, bool) {
	i, ok := l.byID[id]
	if !ok {
		return bot.ArticleInfo{}, false
	}
	return l.list[i], true
}
