package main

import (
	"context"
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"runtime/debug"
	"slices"
	"time"

	"citebot/config"
	"citebot/corpus"
	"citebot/rag"
)

// indexPollInterval is how often serve looks at the index file for a
// rewrite by `citebot index`. A variable for tests.
var indexPollInterval = 5 * time.Second

// Reload triggers, the "trigger" label of citebot_index_reloads_total.
const (
	triggerIndexFile = "index_file"
	triggerSignal    = "signal"
)

// reloader brings the live index of `citebot serve` up to date without a
// restart: when another process (`citebot index` against the same data
// directory) rewrites the index file, and on SIGHUP. It reloads the corpus,
// loads the stored vectors from the file and updates the index in place
// (searches go on meanwhile; the new content is swapped in at once), then
// refreshes what the bot lists. Only the goroutine of run uses it, so it
// needs no lock.
type reloader struct {
	cfg  config.Config
	ix   *rag.Index
	lib  *library
	m    *metrics
	log  *slog.Logger
	path string

	seen os.FileInfo // the index file as last loaded or written by serve
}

func newReloader(cfg config.Config, ix *rag.Index, lib *library, m *metrics, log *slog.Logger) *reloader {
	r := &reloader{cfg: cfg, ix: ix, lib: lib, m: m, log: log, path: indexPath(cfg)}
	r.seen, _ = os.Stat(r.path)
	return r
}

// run warms the index (see rag.Index.Warm), then polls the index file every
// interval and reloads on each signal from hup, until ctx ends.
func (r *reloader) run(ctx context.Context, interval time.Duration, hup <-chan os.Signal) {
	r.warm(ctx)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if r.changed() {
				r.reload(ctx, triggerIndexFile)
			}
		case <-hup:
			r.log.Info("SIGHUP: reloading the corpus")
			r.reload(ctx, triggerSignal)
		}
	}
}

// changed reports whether the index file differs from the one serve last
// loaded or wrote: another file (the index is replaced by a rename), a
// different size or modification time.
func (r *reloader) changed() bool {
	fi, err := os.Stat(r.path)
	if err != nil {
		return false // removed or not yet written: keep serving what is loaded
	}
	return r.seen == nil || !os.SameFile(fi, r.seen) || fi.Size() != r.seen.Size() || !fi.ModTime().Equal(r.seen.ModTime())
}

// reload re-reads the corpus and updates the live index: vectors come from
// memory or the index file, and only articles found in neither are
// embedded (then the file is saved). It logs what changed. On an error the
// index being served is unchanged.
func (r *reloader) reload(ctx context.Context, trigger string) {
	start := time.Now()
	fi, _ := os.Stat(r.path)
	snap, desc, err := loadCorpus(ctx, r.cfg, r.log, corpus.ReadSnapshot)
	if err != nil {
		r.fail(trigger, fi, "could not reload the corpus; still serving the previous index", err)
		return
	}
	switch err := r.ix.LoadContext(ctx, r.path); {
	case err == nil, errors.Is(err, fs.ErrNotExist):
	case trigger == triggerIndexFile:
		// Written with another embedder or chunk size, or damaged: do not
		// re-embed everything behind the owner's back.
		r.fail(trigger, fi, "the new index file cannot be used (run citebot index with the same settings as serve); still serving the previous index", err)
		return
	default:
		r.log.Warn("index file unusable; reusing the vectors in memory", "path", r.path, "error", err.Error())
	}
	before := fingerprints(r.ix.Articles())
	arts := snap.Articles
	st, err := r.ix.UpdateHashed(ctx, arts, snap.Hashes, nil)
	if err != nil {
		r.fail(trigger, fi, "could not update the index; still serving the previous one", err)
		return
	}
	if st.Embedded > 0 && !r.cfg.ReadOnly {
		if err := r.ix.Save(r.path); err != nil {
			r.log.Warn("could not save the index; it will be rebuilt next time", "path", r.path, "error", err.Error())
		}
		fi, _ = os.Stat(r.path)
	}
	r.seen = fi
	r.lib.refresh(r.ix)
	r.warm(ctx)
	r.m.setIndexSize(st.Articles, st.Chunks)
	r.m.reloads.WithLabelValues(trigger, "ok").Inc()
	added, changed, removed := diff(before, fingerprints(arts))
	r.log.Info("corpus reloaded", "trigger", trigger, "corpus", desc,
		"added", len(added), "changed", len(changed), "removed", len(removed),
		"articles", st.Articles, "chunks", st.Chunks, "embedded", st.Embedded,
		"took", time.Since(start).Round(time.Millisecond))
	if len(added)+len(changed)+len(removed) > 0 {
		r.log.Debug("corpus changes (at most 20 ids each)", "added", firstIDs(added), "changed", firstIDs(changed), "removed", firstIDs(removed))
	}
}

// warm prepares the index for the first questions, logging how long it
// took; a shutdown stops it. Loading and warming leave much garbage
// behind (a previous index, the words of every passage tokenised once):
// it is collected and its memory returned to the system, which a serve
// process, idle until the first question, would otherwise keep.
func (r *reloader) warm(ctx context.Context) {
	start := time.Now()
	r.mapVectors(ctx)
	if err := r.ix.Warm(ctx, 0); err != nil {
		return
	}
	debug.FreeOSMemory()
	r.log.Debug("index warmed", "took", time.Since(start).Round(time.Millisecond))
}

// mapVectors points the vectors embedded since the index was loaded at
// the index file that holds them (see rag.Index.MapFile), so that they
// leave serve's own memory as loaded ones do. When the file does not hold
// them (read_only, a failed save), they stay in memory.
func (r *reloader) mapVectors(ctx context.Context) {
	n, err := r.ix.MapFile(ctx, r.path)
	switch {
	case err == nil && n > 0:
		r.log.Debug("vectors mapped from the index file", "path", r.path, "chunks", n)
	case err == nil, ctx.Err() != nil:
	case errors.Is(err, rag.ErrFileDiffers), errors.Is(err, fs.ErrNotExist):
		r.log.Debug("the index file does not hold the index; new vectors stay in memory", "path", r.path, "detail", err.Error())
	default:
		r.log.Warn("could not map the index file; new vectors stay in memory", "path", r.path, "error", err.Error())
	}
}

// fail logs a failed reload and remembers the file, so that one bad file
// is reported once rather than at every poll.
func (r *reloader) fail(trigger string, fi os.FileInfo, msg string, err error) {
	if fi != nil {
		r.seen = fi
	}
	r.m.reloads.WithLabelValues(trigger, "error").Inc()
	r.m.errors.WithLabelValues("index_reload").Inc()
	r.log.Error(msg, "trigger", trigger, "path", r.path, "error", err.Error())
}

// fingerprints maps article ids to content hashes.
func fingerprints(arts []corpus.Article) map[string]string {
	m := make(map[string]string, len(arts))
	for _, a := range arts {
		m[a.ID] = a.Hash()
	}
	return m
}

// diff lists the ids added, changed and removed from before to after, in
// no particular order.
func diff(before, after map[string]string) (added, changed, removed []string) {
	for id, h := range after {
		switch old, ok := before[id]; {
		case !ok:
			added = append(added, id)
		case old != h:
			changed = append(changed, id)
		}
	}
	for id := range before {
		if _, ok := after[id]; !ok {
			removed = append(removed, id)
		}
	}
	return added, changed, removed
}

// firstIDs returns the first 20 of ids in order.
func firstIDs(ids []string) []string {
	slices.Sort(ids)
	return ids[:min(len(ids), 20)]
}
