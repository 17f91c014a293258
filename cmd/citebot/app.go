package main

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"citebot/config"
	"citebot/corpus"
	"citebot/rag"
	"citebot/rag/openai"
)

// errHelp is returned after -h printed the usage of a command.
var errHelp = errors.New("help shown")

// cli is a command's parsed flags and configuration.
type cli struct {
	fs    *flag.FlagSet
	flags *config.Flags
	cfg   config.Config
	log   *slog.Logger
	args  []string // positional arguments
}

// parse parses args with parseArgs, then loads and validates the
// configuration.
func parse(e *env, name, synopsis string, args []string, extra func(fs *flag.FlagSet)) (*cli, error) {
	c, err := parseArgs(e, name, synopsis, args, extra)
	if err != nil {
		return nil, err
	}
	cfg, src, err := config.LoadSources(c.flags, e.getenv)
	if err != nil {
		return nil, fmt.Errorf("configuration: %w", err)
	}
	if err := cfg.Validate(); err != nil {
		return nil, invalidConfig(err, src)
	}
	c.cfg = cfg
	c.log = newLogger(e.stderr, cfg.Log)
	warnInsecureFile(c.log, cfg)
	return c, nil
}

// asOf returns the "today" of questions: as_of when set, else the current
// UTC date (rag.Today).
func (c *cli) asOf() time.Time {
	if d, ok := c.cfg.AsOfDate(); ok {
		return d
	}
	return rag.Today(time.Now())
}

// invalidConfig wraps err, the problems [config.Config.Validate] found,
// for the user. When a flag set the value of a field it names, it is a
// usage error (exit status 2), as for any bad flag value; problems that
// come only from the defaults, the file or the environment exit 1.
func invalidConfig(err error, src map[string]config.Source) error {
	for _, k := range config.InvalidKeys(err) {
		if src[k].Layer == "flag" {
			return fmt.Errorf("%w: invalid configuration:\n%w", errUsage, indent(err))
		}
	}
	return fmt.Errorf("invalid configuration:\n%w", indent(err))
}

// warnInsecureFile warns, as ssh does about a private key, when the
// configuration file holds a secret that group or others may read.
func warnInsecureFile(log *slog.Logger, cfg config.Config) {
	w := cfg.InsecureFile()
	if w == nil {
		return
	}
	log.Warn("the configuration file holds secrets that other users may read; make it private",
		"file", w.Path, "mode", fmt.Sprintf("%04o", w.Mode.Perm()), "secrets", strings.Join(w.Keys, ", "), "fix", "chmod 600 "+w.Path)
}

// parseArgs defines the configuration flags plus extra on a new flag set
// and parses args (flags may follow positional arguments). Its cli holds
// the flags and the positional arguments, not yet the configuration. The
// usage reads "Usage: citebot NAME SYNOPSIS" and lists the flags; synopsis
// may go on with a paragraph of description.
func parseArgs(e *env, name, synopsis string, args []string, extra func(fs *flag.FlagSet)) (*cli, error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	// serve reads every key; config check checks them all.
	all := name == "serve" || name == "config check"
	c := &cli{fs: fs, flags: config.RegisterFlags(fs, config.FlagNames(all)...)}
	if extra != nil {
		extra(fs)
	}
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "Usage: citebot %s %s\n\nFlags:\n", name, synopsis)
		fs.SetOutput(e.stderr)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}
	pos, err := parseInterspersed(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		return nil, errHelp // the flag set has printed the usage
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v (see 'citebot %s -h')", errUsage, name, err, name)
	}
	c.args = pos
	return c, nil
}

// parseInterspersed parses flags that may appear before, between or after
// positional arguments ("ask 'question' --json"). "--" ends the flags.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if len(args) > 0 && len(rest) < len(args) && args[len(args)-len(rest)-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// indent prefixes every line of a joined error with two spaces.
func indent(err error) error {
	return errors.New("  " + strings.ReplaceAll(err.Error(), "\n", "\n  "))
}

// newLogger makes the process logger; configured once, here.
func newLogger(w io.Writer, l config.Log) *slog.Logger {
	var level slog.Level
	switch strings.ToLower(l.Level) {
	case "debug":
		level = slog.LevelDebug
	case "warn", "warning":
		level = slog.LevelWarn
	case "error":
		level = slog.LevelError
	default:
		level = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: level, ReplaceAttr: pseudonymizeUsers}
	if strings.EqualFold(l.Format, "json") {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// userKey pseudonymises the Discord user ids in logs. It is random per
// process: the same asker has the same pseudonym while the process runs
// (enough to see one user flooding the bot), and the id cannot be
// recovered from the logs.
var userKey = func() []byte {
	k := make([]byte, 32)
	_, _ = rand.Read(k)
	return k
}()

// pseudonymizeUsers replaces the value of a "user" attribute that is a
// Discord id (digits) with "u-" and 12 hex digits of its keyed hash. The
// bot logs who asked each question; the server owner's logs need not hold
// the askers' ids.
func pseudonymizeUsers(_ []string, a slog.Attr) slog.Attr {
	if a.Key != "user" || a.Value.Kind() != slog.KindString {
		return a
	}
	id := a.Value.String()
	if id == "" || strings.Trim(id, "0123456789") != "" {
		return a
	}
	h := hmac.New(sha256.New, userKey)
	h.Write([]byte(id))
	return slog.String("user", "u-"+hex.EncodeToString(h.Sum(nil))[:12])
}

// loadCorpus loads the configured articles: a JSONL file, a directory
// (confined to it: see corpus.LoadPath) or the shipped corpus. Only regular
// files are read. Files that cannot be loaded are logged as warnings; it
// fails only when nothing loads, or when ctx ends.
//
// A JSONL file or directory is read from its snapshot in the data
// directory (see snapshotPath), by read, when its files are as they were
// when the snapshot was taken, and the snapshot is written after every
// full load (but for read_only). The articles' hashes come with them
// when a snapshot was read or written, for rag.Index.UpdateHashed.
func loadCorpus(ctx context.Context, cfg config.Config, log *slog.Logger, read snapshotReader) (corpus.Snapshot, string, error) {
	var (
		snap corpus.Snapshot
		err  error
		desc string
	)
	switch {
	case cfg.Articles != "":
		desc = cfg.Articles
		snap, err = loadSnapshotted(ctx, cfg, log, read, func() (corpus.Stamp, error) { return corpus.StampFile(cfg.Articles) },
			func() ([]corpus.Article, []error, error) { return corpus.LoadJSONLFile(ctx, cfg.Articles) })
		if err != nil && snap.Articles == nil && snap.Warnings == nil {
			return corpus.Snapshot{}, desc, fmt.Errorf("open articles: %w", err)
		}
	case cfg.Corpus != "":
		desc = cfg.Corpus
		snap, err = loadSnapshotted(ctx, cfg, log, read, func() (corpus.Stamp, error) { return corpus.StampDir(ctx, cfg.Corpus) },
			func() ([]corpus.Article, []error, error) { return corpus.LoadPath(ctx, cfg.Corpus) })
		for _, w := range snap.Warnings {
			var fe *corpus.FileError
			if errors.As(w, &fe) {
				fe.Path = filepath.Join(cfg.Corpus, filepath.FromSlash(fe.Path))
			}
		}
	default:
		desc = "the shipped corpus"
		snap.Articles, err = corpus.Shipped()
	}
	for _, w := range snap.Warnings {
		log.Warn("skipped or partly loaded article", "problem", w.Error())
	}
	if err != nil {
		return corpus.Snapshot{}, desc, fmt.Errorf("load corpus: %w", err)
	}
	if len(snap.Articles) == 0 {
		return corpus.Snapshot{}, desc, fmt.Errorf("load corpus: no articles could be loaded from %s", desc)
	}
	return snap, desc, nil
}

// snapshotReader reads a corpus snapshot: corpus.MapSnapshot at a
// process's start, corpus.ReadSnapshot later (see MapSnapshot).
type snapshotReader func(ctx context.Context, path string, st corpus.Stamp) (corpus.Snapshot, error)

// loadSnapshotted returns the snapshot of the configured corpus when
// stamp, taken now, matches the snapshot's, and otherwise the articles
// and warnings of load, with their hashes, saved to the snapshot (unless
// read_only, which leaves the hashes to the index, or load failed). The
// warnings of a full load and of the snapshot it saved read the same.
func loadSnapshotted(ctx context.Context, cfg config.Config, log *slog.Logger, read snapshotReader, stamp func() (corpus.Stamp, error), load func() ([]corpus.Article, []error, error)) (corpus.Snapshot, error) {
	path := snapshotPath(cfg)
	start := time.Now()
	full := func() (corpus.Snapshot, error) {
		arts, warns, err := load()
		return corpus.Snapshot{Articles: arts, Warnings: warns}, err
	}
	st, err := stamp()
	if err != nil {
		log.Debug("corpus not stamped; reading it in full", "error", err.Error())
		return full()
	}
	snap, err := read(ctx, path, st)
	switch {
	case err == nil:
		log.Debug("corpus unchanged: read from its snapshot", "path", path, "articles", len(snap.Articles), "took", time.Since(start).Round(time.Millisecond))
		return snap, nil
	case ctx.Err() != nil:
		return corpus.Snapshot{}, ctx.Err()
	case errors.Is(err, fs.ErrNotExist), errors.Is(err, corpus.ErrStale):
		log.Debug("reading the corpus in full", "snapshot", path, "reason", err.Error())
	default:
		log.Warn("corpus snapshot unusable; reading the corpus in full", "path", path, "error", err.Error())
	}
	snap, err = full()
	if err != nil || len(snap.Articles) == 0 || cfg.ReadOnly {
		return snap, err
	}
	start = time.Now()
	snap.Hashes = corpus.HashAll(snap.Articles)
	saved := false
	err = os.MkdirAll(filepath.Dir(path), 0o755)
	if err == nil {
		saved, err = corpus.WriteSnapshot(path, st, snap)
	}
	switch {
	case err != nil:
		log.Warn("could not save the corpus snapshot; the corpus will be read in full at the next start too", "path", path, "error", err.Error())
	case saved:
		log.Debug("corpus snapshot saved", "path", path, "took", time.Since(start).Round(time.Millisecond))
	default:
		log.Debug("corpus snapshot not saved: a file changed moments ago", "path", path)
	}
	return snap, nil
}

// loadIndexFile loads the index file at path into ix. A file sealed
// since its checksum was last verified (see corpus.WriteSeal), and
// unchanged since, is loaded without that pass; otherwise the checksum
// is verified and, unless read_only, the file sealed.
func loadIndexFile(ctx context.Context, cfg config.Config, log *slog.Logger, ix *rag.Index, path string) error {
	start := time.Now()
	seal := sealPath(cfg)
	st, stampErr := corpus.StampFile(path)
	if stampErr == nil && corpus.Sealed(seal, st) {
		err := ix.LoadTrusted(ctx, path)
		if err == nil {
			log.Debug("index file read; checksum verified before", "path", path, "took", time.Since(start).Round(time.Millisecond))
		}
		return err
	}
	if err := ix.LoadContext(ctx, path); err != nil {
		return err
	}
	log.Debug("index file read and verified", "path", path, "took", time.Since(start).Round(time.Millisecond))
	if stampErr != nil || cfg.ReadOnly {
		return nil
	}
	if _, err := corpus.WriteSeal(seal, st); err != nil {
		log.Warn("could not record the index file's verification; the next start verifies it again", "path", seal, "error", err.Error())
	}
	return nil
}

// sealWritten seals the index file at path that this process has just
// written (see loadIndexFile): its checksum was computed as it was
// written, so the next start need not read it all to verify it. It may
// wait a clock tick of the file system (see corpus.SettledStamp).
func sealWritten(ctx context.Context, cfg config.Config, log *slog.Logger, path string) {
	st, err := corpus.SettledStamp(ctx, path)
	if err == nil {
		_, err = corpus.WriteSeal(sealPath(cfg), st)
	}
	if err != nil && ctx.Err() == nil {
		log.Warn("could not seal the index file; the next start verifies it", "path", path, "error", err.Error())
	}
}

// sealPath returns the file beside the index where the seal of the
// index file is kept (see loadIndexFile).
func sealPath(cfg config.Config) string {
	return strings.TrimSuffix(indexPath(cfg), ".cbi") + ".seal"
}

// snapshotPath returns the file beside the index (see indexPath) where the
// configured corpus's snapshot is kept (see corpus.WriteSnapshot).
func snapshotPath(cfg config.Config) string {
	return strings.TrimSuffix(indexPath(cfg), ".cbi") + ".corpus"
}

// indexPath returns the index file of the configured corpus in the data
// directory: one file per corpus, so that switching corpora does not
// rebuild the others.
func indexPath(cfg config.Config) string {
	src := cfg.Corpus
	if cfg.Articles != "" {
		src = cfg.Articles
	}
	if src == "" {
		return filepath.Join(cfg.DataDir, "shipped.cbi")
	}
	abs, err := filepath.Abs(src)
	if err != nil {
		abs = src
	}
	sum := sha256.Sum256([]byte(abs))
	base := nonWord.ReplaceAllString(strings.TrimSuffix(filepath.Base(abs), filepath.Ext(abs)), "-")
	return filepath.Join(cfg.DataDir, fmt.Sprintf("%s-%s.cbi", base, hex.EncodeToString(sum[:4])))
}

var nonWord = regexp.MustCompile(`[^A-Za-z0-9_.-]+`)

// answerer answers questions; *rag.Extractive and the model-backed
// answerer implement it.
type answerer interface {
	Answer(ctx context.Context, q rag.Query) (rag.Answer, error)
}

// newAnswerer returns the configured answerer over ix: the model-backed
// answerer when a chat model is configured (sharing the embedder's client,
// and so its concurrency limit, when the embeddings come from the same
// server), the extractive answerer otherwise.
func newAnswerer(cfg config.Config, ix *rag.Index, log *slog.Logger) answerer {
	return newAnswererWith(cfg, ix, log, nil)
}

// newAnswererWith is newAnswerer with the chat model passed through wrap
// (serve measures it); wrap may be nil.
func newAnswererWith(cfg config.Config, ix *rag.Index, log *slog.Logger, wrap func(rag.ChatModel) rag.ChatModel) answerer {
	if !cfg.ModelBacked() {
		return rag.NewExtractive(ix)
	}
	var client *openai.Client
	if oe, ok := ix.Embedder().(interface{ Client() *openai.Client }); ok {
		client = oe.Client()
	} else {
		client = newOpenAIClient(cfg, log)
	}
	var chat rag.ChatModel = client.Chat(cfg.OpenAI.ChatModel)
	if wrap != nil {
		chat = wrap(chat)
	}
	return rag.NewLLMAnswerer(ix, chat, log)
}

// newEmbedder returns the configured embedder: the server's embedding
// model when one is configured, the local embedder otherwise.
func newEmbedder(cfg config.Config, log *slog.Logger) rag.Embedder {
	if cfg.OpenAI.EmbeddingModel == "" {
		return rag.NewLocalEmbedder(cfg.LocalDim)
	}
	return newOpenAIClient(cfg, log).Embedder(cfg.OpenAI.EmbeddingModel, log)
}

// newOpenAIClient returns a client of the configured OpenAI-compatible
// server. The configuration is validated, so the base URL parses.
func newOpenAIClient(cfg config.Config, log *slog.Logger) *openai.Client {
	o := cfg.OpenAI
	retries := o.MaxRetries
	if retries == 0 {
		retries = -1 // openai.Options: 0 means the default, negative none
	}
	c, err := openai.New(openai.Options{
		BaseURL: o.BaseURL, APIKey: o.APIKey.Reveal(), Timeout: o.Timeout,
		MaxConcurrent: o.MaxConcurrent, MaxRetries: retries, Logger: log,
	})
	if err != nil {
		panic(fmt.Sprintf("openai.base_url %s passed validation but does not parse: %v", config.RedactURL(o.BaseURL), err))
	}
	return c
}

// openIndex loads the corpus and brings the persisted index up to date:
// unchanged articles reuse their stored vectors, others are embedded, and
// the file is rewritten only when something changed. A damaged or outdated
// index file is rebuilt with a warning. progress may be nil.
func openIndex(ctx context.Context, cfg config.Config, log *slog.Logger, progress rag.Progress) (*rag.Index, rag.UpdateStats, error) {
	return openIndexWith(ctx, cfg, log, progress, newEmbedder(cfg, log))
}

// openIndexWith is openIndex with the given embedder (serve passes a
// measured one). An index that could not be saved still answers from
// memory, with a warning; the next run rebuilds it.
func openIndexWith(ctx context.Context, cfg config.Config, log *slog.Logger, progress rag.Progress, emb rag.Embedder) (*rag.Index, rag.UpdateStats, error) {
	ix, st, saveErr, err := buildIndex(ctx, cfg, log, progress, emb)
	if err != nil {
		return nil, st, err
	}
	if saveErr != nil {
		log.Warn("could not save the index; it will be rebuilt next time", "path", indexPath(cfg), "error", saveErr.Error())
	}
	memLimit.indexOpened()
	return ix, st, nil
}

// buildIndex is openIndexWith that returns a failed save as saveErr
// instead of logging it, for `citebot index`, which fails then.
func buildIndex(ctx context.Context, cfg config.Config, log *slog.Logger, progress rag.Progress, emb rag.Embedder) (ix *rag.Index, st rag.UpdateStats, saveErr, err error) {
	path := indexPath(cfg)
	// Vectors being embedded wait for the save in a scratch file beside
	// the index rather than in memory (large corpora only; see
	// rag.IndexOptions.ScratchDir). read_only writes nothing there.
	scratch := ""
	if !cfg.ReadOnly && os.MkdirAll(filepath.Dir(path), 0o755) == nil {
		scratch = filepath.Dir(path)
	}
	ix = rag.NewIndex(rag.IndexOptions{
		Embedder:   emb,
		Chunker:    rag.Chunker{MaxChars: cfg.Chunk.MaxChars, OverlapChars: cfg.Chunk.OverlapChars},
		Logger:     log,
		ScratchDir: scratch,
		// Mapped vectors are the default; the file is then never read
		// into memory.
		VectorsInMemory: cfg.VectorsInMemory,
	})
	// The index file is read while the corpus loads: reading is mostly
	// waiting for the disk, loading mostly parsing, so a large corpus
	// starts in the longer of the two rather than in their sum.
	loadCtx, cancelLoad := context.WithCancel(ctx)
	defer cancelLoad()
	loaded := make(chan error, 1)
	go func() { loaded <- loadIndexFile(loadCtx, cfg, log, ix, path) }()
	snap, desc, err := loadCorpus(ctx, cfg, log, corpus.MapSnapshot)
	if err != nil {
		cancelLoad()
		<-loaded
		return nil, rag.UpdateStats{}, nil, err
	}
	switch err := <-loaded; {
	case err == nil:
	case ctx.Err() != nil:
		return nil, rag.UpdateStats{}, nil, fmt.Errorf("index %s: %w", desc, ctx.Err())
	case errors.Is(err, fs.ErrNotExist):
		log.Debug("no index yet; building it", "path", path)
	case errors.Is(err, rag.ErrEmbedderChanged):
		log.Info("embedder or chunk size changed; re-embedding the corpus", "path", path, "detail", err.Error())
	default:
		log.Warn("index file unusable; rebuilding it from the corpus", "path", path, "error", err.Error())
	}
	st, err = ix.UpdateHashed(ctx, snap.Articles, snap.Hashes, progress)
	if err != nil {
		return nil, st, nil, fmt.Errorf("index %s: %w", desc, err)
	}
	switch {
	case st.Modified() && cfg.ReadOnly:
		log.Info("read_only: the changes are indexed in memory, not written; run citebot index to write them", "path", path, "embedded", st.Embedded)
	case st.Modified():
		saveErr = ix.Save(path)
	}
	log.Debug("index ready", "articles", st.Articles, "chunks", st.Chunks, "embedded", st.Embedded, "took", st.Duration.Round(time.Millisecond))
	return ix, st, saveErr, nil
}
