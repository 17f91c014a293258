package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"

	"citebot/bot"
	"citebot/bot/feedback"
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
	ready := &readiness{}
	m := newMetrics(ready.ready)
	log := m.logger(c.log)
	// The operations listener comes first, so that /healthz answers (and
	// /readyz says "loading") while a large corpus is indexed.
	if addr := c.cfg.HTTP.Addr; addr != "" {
		ops, err := startOps(addr, opsHandler(ready, m, log), log)
		if err != nil {
			return err
		}
		defer ops.stop()
	}
	ix, st, err := openIndexWith(ctx, c.cfg, log, nil, m.wrapEmbedder(newEmbedder(c.cfg, log)))
	if err != nil {
		return err
	}
	m.setIndexSize(st.Articles, st.Chunks)
	ready.indexLoaded.Store(true)
	lib := newLibrary(ix)
	opts := botOptions(c, ix, lib, m, log)
	if serveHook != nil {
		serveHook(&opts)
	}
	b, err := bot.New(opts)
	if err != nil {
		return err
	}
	ready.setDiscord(b)
	m.watchDiscord(b.Status)
	stopReady := context.AfterFunc(ctx, func() { ready.stopping.Store(true) })
	defer stopReady()

	// Corpus updates without a restart: `citebot index` rewriting the index
	// file, or SIGHUP.
	defer startReloading(ctx, c, ix, lib, m, log)()
	// Nothing to save on the way out: openIndex and reloads save any
	// update as they make it.
	return b.Run(ctx)
}

// botOptions are the bot's options from the configuration, with the
// answerer and searcher measured for /metrics and the feedback log in the
// data directory (when it cannot be opened, answers carry no buttons).
func botOptions(c *cli, ix *rag.Index, lib *library, m *metrics, log *slog.Logger) bot.Options {
	mode := rag.ModeExtractive
	if c.cfg.ModelBacked() {
		mode = rag.ModeLLM
	}
	d := c.cfg.Discord
	opts := bot.Options{
		Token: d.Token.Reveal(),
		// Never shown in Discord or logged by the bot, like the token.
		Secrets:       []string{c.cfg.OpenAI.APIKey.Reveal()},
		GuildID:       d.GuildID,
		Answerer:      measuredAnswerer{next: newAnswererWith(c.cfg, ix, log, m.wrapChat), m: m, mode: mode},
		Searcher:      measuredSearcher{ix: ix, m: m},
		Timeliner:     ix,
		ShardID:       d.ShardID,
		ShardCount:    shardCount(d.Shards()),
		Library:       lib,
		TopK:          c.cfg.TopK,
		AsOf:          c.asOf,
		AnswerTimeout: d.AnswerTimeout,
		UserRate:      d.UserRate,
		MaxConcurrent: d.MaxConcurrent,
		ShutdownGrace: d.ShutdownGrace,
		// The restart backoff and the IDENTIFY record outlive the process
		// there (issue 13: a crash loop must not spend Discord's identify
		// budget).
		StateDir: c.cfg.DataDir,
		Logger:   log,
		// Follow-ups and feedback (issue 15): memory only, bounded.
		Conversations:   d.Conversations,
		ConversationTTL: d.ConversationTTL,
		MessageContent:  d.MessageContent,
	}
	if fb, err := feedback.Open(c.cfg.DataDir); err != nil {
		log.Warn("feedback cannot be recorded; answers are shown without 👍/👎 buttons", "error", err.Error())
	} else {
		opts.Feedback = m.measureFeedback(fb)
	}
	return opts
}

// startReloading reloads the index when `citebot index` rewrites the index
// file or on SIGHUP, until the returned stop is called.
func startReloading(ctx context.Context, c *cli, ix *rag.Index, lib *library, m *metrics, log *slog.Logger) (stop func()) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	rctx, stopReload := context.WithCancel(ctx)
	reloaded := make(chan struct{})
	go func() {
		defer close(reloaded)
		newReloader(c.cfg, ix, lib, m, log).run(rctx, indexPollInterval, hup)
	}()
	return func() {
		stopReload()
		<-reloaded
		signal.Stop(hup)
	}
}

// library presents the index's articles to the bot. The list is converted
// once per version of the index: at start and after each reload.
type library struct {
	snap atomic.Pointer[librarySnapshot]
}

type librarySnapshot struct {
	list []bot.ArticleInfo
	byID map[string]int
}

var _ bot.Library = (*library)(nil)

func newLibrary(ix *rag.Index) *library {
	l := &library{}
	l.refresh(ix)
	return l
}

// refresh converts the index's current articles.
func (l *library) refresh(ix *rag.Index) {
	arts := ix.Articles()
	s := &librarySnapshot{list: make([]bot.ArticleInfo, len(arts)), byID: make(map[string]int, len(arts))}
	for i, a := range arts {
		s.list[i] = articleInfo(a)
		s.byID[a.ID] = i
	}
	l.snap.Store(s)
}

func articleInfo(a corpus.Article) bot.ArticleInfo {
	return bot.ArticleInfo{ID: a.ID, Title: a.Title, Source: a.Source, URL: a.URL, Author: a.Author,
		Published: a.Published, Approximate: a.Approximate, Text: a.Text}
}

// Articles returns every article; the bot must not modify the slice.
func (l *library) Articles() []bot.ArticleInfo { return l.snap.Load().list }

// Article returns the article with the given id.
func (l *library) Article(id string) (bot.ArticleInfo, bool) {
	s := l.snap.Load()
	i, ok := s.byID[id]
	if !ok {
		return bot.ArticleInfo{}, false
	}
	return s.list[i], true
}

// shardCount converts discord.shard_count (0 none, -1 auto) for the bot.
func shardCount(n int) int {
	if n < 0 {
		return bot.ShardAuto
	}
	return n
}
