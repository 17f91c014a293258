package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"citebot/corpus"
)

func runIndex(ctx context.Context, e *env, args []string) error {
	var rebuild, verify bool
	c, err := parse(e, "index", "[flags]", args, func(fs *flag.FlagSet) {
		fs.BoolVar(&rebuild, "rebuild", false, "discard the existing index and embed everything again (implies --verify)")
		fs.BoolVar(&verify, "verify", false, "read and clean every corpus file, even those whose size and modification time are unchanged, and verify the index file's checksum")
	})
	if err != nil {
		return err
	}
	if len(c.args) > 0 {
		return fmt.Errorf("%w: index takes no arguments (use --corpus DIR or --articles FILE)", errUsage)
	}
	path := indexPath(c.cfg)
	if rebuild {
		if err := os.Remove(path); err != nil && !os.IsNotExist(err) {
			return fmt.Errorf("remove old index: %w", err)
		}
	}
	if rebuild || verify {
		for _, p := range []string{snapshotPath(c.cfg), sealPath(c.cfg)} {
			if err := os.Remove(p); err != nil && !os.IsNotExist(err) {
				return fmt.Errorf("remove %s: %w", p, err)
			}
		}
	}
	bar := newProgressBar(e.stderr, "embedding")
	c.cfg.ReadOnly = false // index is the command that writes the file
	ix, st, saveErr, err := buildIndex(ctx, c.cfg, c.log, bar.update, newEmbedder(c.cfg, c.log))
	bar.finish()
	if err != nil {
		return err
	}
	if saveErr != nil {
		return fmt.Errorf("index not saved to %s (%d articles, %d chunks were indexed in memory only): %w", path, st.Articles, st.Chunks, saveErr)
	}
	if st.Modified() {
		sealWritten(ctx, c.cfg, c.log, path)
	}
	size := ""
	if fi, err := os.Stat(path); err == nil && fi.Mode().IsRegular() {
		size = fmt.Sprintf(" (%s)", humanBytes(fi.Size()))
	}
	fmt.Fprintf(e.stdout, "Indexed %d articles, %d chunks in %s: %d added, %d changed, %d removed, %d unchanged; %d chunks embedded, %d reused.\nIndex: %s%s\n",
		st.Articles, st.Chunks, st.Duration.Round(time.Millisecond), st.Added, st.Changed, st.Removed, st.Unchanged, st.Embedded, st.Reused, path, size)
	reportUndated(e.stdout, ix.Articles(), c.cfg.Articles != "")
	return nil
}

// undatedShown is how many ids of undated articles index names.
const undatedShown = 5

// reportUndated says how many articles have no publication date, names the
// first few and says how to give them one: temporal questions ("the last
// call", "this week") cannot place an undated article. jsonl says the
// articles came from a JSONL file. It prints nothing when all are dated.
func reportUndated(w io.Writer, arts []corpus.Article, jsonl bool) {
	var ids []string
	for _, a := range arts {
		if a.Published.IsZero() {
			ids = append(ids, a.ID)
		}
	}
	if len(ids) == 0 {
		return
	}
	list := strings.Join(ids[:min(len(ids), undatedShown)], ", ")
	if len(ids) > undatedShown {
		list += ", …"
	}
	what, them := fmt.Sprintf("%d articles have", len(ids)), "them"
	if len(ids) == 1 {
		what, them = "1 article has", "it"
	}
	how := `give each a date with "published: YYYY-MM-DD" in its front matter or in a metadata.yaml beside it (keyed by id), or "published" in its .jsonl line`
	if jsonl {
		how = `give each line a "published": "YYYY-MM-DD" field`
	}
	fmt.Fprintf(w, "%s no publication date (%s): questions about time (\"the last call\", \"this week\") cannot place %s; %s. See \"Your own articles\" in docs/usage.md.\n", what, list, them, how)
}

// progressBar draws "embedding 1200/8009 chunks [=====     ] 15%" on a
// terminal. On anything else it stays silent, so that logs and pipes get
// no carriage returns. (Twenty lines do not warrant a dependency.)
type progressBar struct {
	w     io.Writer
	label string
	on    bool
	last  time.Time
	drawn bool
}

func newProgressBar(w io.Writer, label string) *progressBar {
	on := false
	if f, ok := w.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			on = true
		}
	}
	return &progressBar{w: w, label: label, on: on}
}

func (p *progressBar) update(done, total int) {
	if !p.on || total < 200 || (time.Since(p.last) < 100*time.Millisecond && done < total) {
		return
	}
	p.last = time.Now()
	const width = 30
	fill := width * done / total
	bar := make([]byte, width)
	for i := range bar {
		bar[i] = ' '
		if i < fill {
			bar[i] = '='
		}
	}
	fmt.Fprintf(p.w, "\r%s %d/%d chunks [%s] %3d%%", p.label, done, total, bar, 100*done/total)
	p.drawn = true
}

func (p *progressBar) finish() {
	if p.drawn {
		fmt.Fprintln(p.w)
	}
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
