package corpus

import (
	"bufio"
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"

	"go.yaml.in/yaml/v3"
)

//go:embed seed
var seedFS embed.FS

// SidecarName is the per-directory metadata file the directory loader reads:
// a YAML map from article id (file name without extension) to [Meta].
const SidecarName = "metadata.yaml"

// Extensions lists the file extensions the directory loader reads as articles.
var Extensions = []string{".txt", ".md", ".markdown"}

// JSONLExtension is the file extension (in any case) of the JSONL article
// files the directory loader reads with [LoadJSONL]; their ids are the
// "id" fields as given.
const JSONLExtension = ".jsonl"

// FileError is a warning about one file or JSONL line that could not be
// loaded, or loaded only in part. Loading continues with the other files.
type FileError struct {
	// Path names the file, with ":line" for JSONL input.
	Path string
	Err  error
}

func (e *FileError) Error() string { return e.Path + ": " + e.Err.Error() }
func (e *FileError) Unwrap() error { return e.Err }

// Shipped returns the seed articles embedded in the binary: five articles on
// leader-level contact between Joe Biden and Xi Jinping (2021–2024), with the
// editorial metadata of corpus/seed/metadata.yaml.
func Shipped() ([]Article, error) {
	sub, err := fs.Sub(seedFS, "seed")
	if err != nil {
		return nil, fmt.Errorf("open shipped corpus: %w", err)
	}
	arts, warns, err := LoadDir(sub)
	if err != nil {
		return nil, err
	}
	if len(warns) > 0 {
		return nil, fmt.Errorf("shipped corpus: %w", errors.Join(warns...))
	}
	return arts, nil
}

// LoadDir loads every article file (see [Extensions]) and every JSONL
// article file (".jsonl", see [LoadJSONL]) under the root of fsys,
// recursively, skipping hidden files and directories. Each directory may
// hold a [SidecarName] file with metadata for its article files.
//
// Files that cannot be loaded (unreadable, empty, binary, not UTF-8, bad front
// matter, duplicate id, not a regular file) are returned as warnings of type
// [*FileError]; the other files still load. A named pipe, device or socket
// is skipped with a warning: each file is looked at before it is opened and
// read only when it is a regular file. err is non-nil only when the
// directory itself cannot be read. Articles are sorted by ID.
//
// LoadDir does not confine symbolic links to fsys, and its look before
// opening can race with a file being replaced; for a directory on disk use
// [LoadPath], which confines and opens without blocking.
func LoadDir(fsys fs.FS) (articles []Article, warnings []error, err error) {
	return loadTree(context.Background(), fsys, func(p string) (fs.File, error) {
		// Other file systems open without O_NONBLOCK: look first, so that a
		// named pipe is never opened.
		fi, err := fs.Stat(fsys, p)
		if err != nil {
			return nil, err
		}
		if !fi.Mode().IsRegular() {
			return nil, notRegular(fi.Mode())
		}
		return openChecked(fsys.Open(p))
	})
}

// LoadPath loads the corpus directory dir as [LoadDir] does, confined to
// it: a file whose real path (all symbolic links resolved) lies outside the
// real path of dir is not read and is reported as a warning wrapping
// [ErrOutsideRoot]; files are opened through an [os.Root] of dir, so a link
// swapped in meanwhile cannot escape either. Symbolic links to files inside
// dir are read; linked directories are not descended into, so link loops
// are never followed. Named pipes, devices and sockets are skipped with a
// warning wrapping [ErrNotRegular]; every file is opened without blocking
// and read only when its own Stat says it is a regular file.
//
// LoadPath stops, returning ctx's error, when ctx ends.
func LoadPath(ctx context.Context, dir string) (articles []Article, warnings []error, err error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, nil, fmt.Errorf("read corpus directory: %w", err)
	}
	defer root.Close()
	real, err := filepath.EvalSymlinks(dir)
	if err == nil {
		real, err = filepath.Abs(real)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("read corpus directory: %w", err)
	}
	return loadTree(ctx, root.FS(), func(p string) (fs.File, error) {
		if err := confined(real, p); err != nil {
			return nil, err
		}
		return openChecked(root.OpenFile(filepath.FromSlash(p), os.O_RDONLY|syscall.O_NONBLOCK, 0))
	})
}

// confined returns an error wrapping ErrOutsideRoot when the real path of
// the file p (slash-separated, relative to the directory whose real path is
// root) lies outside root, or the error of resolving it (a link loop, a
// missing target).
func confined(root, p string) error {
	real, err := filepath.EvalSymlinks(filepath.Join(root, filepath.FromSlash(p)))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return err
		}
		// "EvalSymlinks: too many links": a loop.
		return fmt.Errorf("cannot resolve its symbolic links (a loop?): %w", err)
	}
	if rel, err := filepath.Rel(root, real); err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || filepath.IsAbs(rel) {
		return fmt.Errorf("%w (it links to %s)", ErrOutsideRoot, real)
	}
	return nil
}

// openChecked returns f when it is a regular file; otherwise it closes f
// and returns an error wrapping ErrNotRegular.
func openChecked[F fs.File](f F, err error) (fs.File, error) {
	if err != nil {
		return nil, err
	}
	if _, err := checkRegular(f); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// loadTree is LoadDir and LoadPath: it walks fsys and reads every file
// through open, which returns only regular files it is allowed to read.
func loadTree(ctx context.Context, fsys fs.FS, open func(p string) (fs.File, error)) (articles []Article, warnings []error, err error) {
	t := &treeLoader{ctx: ctx, open: open, sidecars: map[string]map[string]Meta{}, used: map[string]map[string]bool{}, seen: map[string]string{}}
	if err := fs.WalkDir(fsys, ".", t.visit); err != nil {
		return nil, t.warnings, fmt.Errorf("read corpus directory: %w", err)
	}
	t.unusedSidecarEntries()
	slices.SortFunc(t.articles, func(a, b Article) int { return strings.Compare(a.ID, b.ID) })
	return t.articles, t.warnings, nil
}

// treeLoader is the state of one loadTree: the articles and warnings so
// far, the sidecars read and which of their entries were used.
type treeLoader struct {
	ctx      context.Context
	open     func(p string) (fs.File, error)
	sidecars map[string]map[string]Meta // dir → id → meta
	used     map[string]map[string]bool
	seen     map[string]string // id → origin
	articles []Article
	warnings []error
}

// warn records a problem with the file at p.
func (t *treeLoader) warn(p string, err error) {
	t.warnings = append(t.warnings, &FileError{Path: p, Err: err})
}

// read reads the file at p, at most MaxArticleBytes.
func (t *treeLoader) read(p string) ([]byte, error) {
	f, err := t.open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readLimited(f, MaxArticleBytes)
}

// sidecar returns the metadata of the sidecar file in dir, read once;
// a missing one is empty, a broken one is ignored with a warning.
func (t *treeLoader) sidecar(dir string) map[string]Meta {
	if m, ok := t.sidecars[dir]; ok {
		return m
	}
	m := map[string]Meta{}
	t.sidecars[dir] = m
	t.used[dir] = map[string]bool{}
	p := path.Join(dir, SidecarName)
	data, err := t.read(p)
	if errors.Is(err, fs.ErrNotExist) {
		return m
	}
	if err != nil {
		t.warn(p, fmt.Errorf("ignored: %w", err))
		return m
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&m); err != nil && !errors.Is(err, io.EOF) {
		t.warn(p, fmt.Errorf("ignored: %w", err))
		clear(m)
	}
	return m
}

// jsonl loads the articles of a JSONL file; only ctx ending is an error.
func (t *treeLoader) jsonl(p string) error {
	f, err := t.open(p)
	if err != nil {
		t.warn(p, fmt.Errorf("skipped: %w", err))
		return nil
	}
	arts, warns, err := loadJSONL(t.ctx, f, p)
	if osf, ok := f.(*os.File); ok {
		dropCache(osf) // as LoadJSONLFile does
	}
	f.Close()
	if t.ctx.Err() != nil {
		return t.ctx.Err()
	}
	if err != nil {
		warns = append(warns, &FileError{Path: p, Err: err})
	}
	if len(arts) == 0 && len(warns) == 0 {
		t.warn(p, fmt.Errorf("skipped: %w", ErrEmpty))
		return nil
	}
	if len(arts) == 0 {
		// Not an article file at all (a question set, say): one warning,
		// not one per line.
		t.warn(p, fmt.Errorf(
			`skipped: no article lines (%d with problems; the first: %v); a .jsonl file in a corpus directory holds one article per line: {"id": "...", "text": "...", ...}`,
			len(warns), warns[0]))
		return nil
	}
	t.warnings = append(t.warnings, warns...)
	for _, a := range arts {
		if prev, dup := t.seen[a.ID]; dup {
			t.warn(a.Origin, fmt.Errorf("skipped: article id %q is already used by %s", a.ID, prev))
			continue
		}
		t.seen[a.ID] = a.Origin
		t.articles = append(t.articles, a)
	}
	return nil
}

// visit is the fs.WalkDirFunc: it skips hidden entries, sidecars and
// files that are not articles, and loads the rest.
func (t *treeLoader) visit(p string, d fs.DirEntry, err error) error {
	if cerr := t.ctx.Err(); cerr != nil {
		return cerr
	}
	if err != nil {
		if p == "." {
			return err
		}
		t.warn(p, err)
		return nil
	}
	name := d.Name()
	if hidden, skip := hiddenEntry(p, d); hidden {
		return skip
	}
	if d.IsDir() || name == SidecarName {
		return nil
	}
	if typ := d.Type(); !typ.IsRegular() && typ&fs.ModeSymlink == 0 {
		t.warn(p, fmt.Errorf("skipped: %w", notRegular(typ)))
		return nil
	}
	ext := strings.ToLower(path.Ext(name))
	if ext == JSONLExtension {
		return t.jsonl(p)
	}
	if !slices.Contains(Extensions, ext) {
		return nil
	}
	t.article(p, name)
	return nil
}

// hiddenEntry reports whether the walk entry d at p (relative to the
// corpus directory, "." for the directory itself) is hidden: a name
// starting with a dot, which loads never read and stamps (see StampDir)
// never count. skip is what the walk function returns for it: fs.SkipDir
// for a directory, so that nothing under it is read either.
func hiddenEntry(p string, d fs.DirEntry) (hidden bool, skip error) {
	if p == "." || !strings.HasPrefix(d.Name(), ".") {
		return false, nil
	}
	if d.IsDir() {
		return true, fs.SkipDir
	}
	return true, nil
}

// article loads one article file at p, with its sidecar metadata.
func (t *treeLoader) article(p, name string) {
	dir := path.Dir(p)
	id := strings.TrimSuffix(p, path.Ext(p))
	if prev, dup := t.seen[id]; dup {
		t.warn(p, fmt.Errorf("skipped: article id %q is already used by %s", id, prev))
		return
	}
	data, err := t.read(p)
	if err != nil {
		t.warn(p, fmt.Errorf("skipped: %w", err))
		return
	}
	base := strings.TrimSuffix(name, path.Ext(name))
	meta, ok := t.sidecar(dir)[base]
	if ok {
		t.used[dir][base] = true
	}
	a, err := Parse(id, p, data, meta)
	var me *MetaError
	switch {
	case errors.As(err, &me):
		t.warn(p, err)
	case err != nil:
		t.warn(p, err)
		return
	}
	t.seen[id] = p
	t.articles = append(t.articles, a)
}

// unusedSidecarEntries warns of sidecar entries with no article file.
func (t *treeLoader) unusedSidecarEntries() {
	for dir, m := range t.sidecars {
		for id := range m {
			if !t.used[dir][id] {
				t.warn(path.Join(dir, SidecarName), fmt.Errorf("no article file for id %q", id))
			}
		}
	}
}

// jsonArticle is one line of the article JSONL format.
type jsonArticle struct {
	ID        string `json:"id"`
	Title     string `json:"title"`
	Source    string `json:"source"`
	URL       string `json:"url"`
	Published string `json:"published"`
	Author    string `json:"author"`
	Text      string `json:"text"`
}

// LoadJSONL reads line-delimited JSON articles:
//
//	{"id": "...", "title": "...", "source": "...", "url": "...", "published": "YYYY-MM-DD", "text": "..."}
//
// name is used in warnings ("name:12"). Lines that are blank are skipped;
// lines that are invalid, lack an id or text, repeat an id or exceed
// [MaxArticleBytes] are returned as [*FileError] warnings and the rest still
// load. err is non-nil only when r fails. Articles keep file order.
func LoadJSONL(r io.Reader, name string) (articles []Article, warnings []error, err error) {
	return loadJSONL(context.Background(), r, name)
}

// LoadJSONLFile reads the JSONL article file at path as [LoadJSONL] does.
// The file is opened without blocking and read only when its own Stat says
// it is a regular file (see [OpenRegular]); reading stops, returning ctx's
// error, when ctx ends. On Linux the file's pages are then dropped from
// the page cache: the articles are in memory, and at a million passages
// the cached file would take memory a container needs for the index.
func LoadJSONLFile(ctx context.Context, path string) (articles []Article, warnings []error, err error) {
	f, err := OpenRegular(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	defer dropCache(f)
	return loadJSONL(ctx, f, path)
}

// loadJSONL is LoadJSONL, stopping with ctx's error when ctx ends.
//
// Lines are read in batches of jsonlBatch; the lines of a batch are
// decoded and cleaned on GOMAXPROCS goroutines, then taken in file order,
// which decides duplicates exactly as one goroutine reading line by line
// would. Memory beyond the articles stays bounded by a batch of lines.
func loadJSONL(ctx context.Context, r io.Reader, name string) (articles []Article, warnings []error, err error) {
	br := bufio.NewReaderSize(r, 1<<16)
	seen := map[string]int{}
	workers := runtime.GOMAXPROCS(0)
	batch := make([]jsonLine, 0, jsonlBatch)
	line := 0
	for {
		batch = batch[:0]
		var rerr error
		for len(batch) < jsonlBatch {
			if err := ctx.Err(); err != nil {
				return articles, warnings, fmt.Errorf("read %s: %w", name, err)
			}
			line++
			var data []byte
			var tooLong bool
			data, tooLong, rerr = readLine(br, MaxArticleBytes)
			if rerr != nil && !errors.Is(rerr, io.EOF) {
				// The lines before it still load.
				rerr = fmt.Errorf("read %s:%d: %w", name, line, rerr)
				break
			}
			if tooLong || len(bytes.TrimSpace(data)) > 0 {
				batch = append(batch, jsonLine{no: line, data: data, tooLong: tooLong})
			}
			if rerr != nil {
				break
			}
		}
		parseLines(batch, name, workers)
		for i := range batch {
			l := &batch[i]
			where := fmt.Sprintf("%s:%d", name, l.no)
			a, err := l.take(seen)
			if err != nil {
				warnings = append(warnings, &FileError{Path: where, Err: err})
				var me *MetaError
				if errors.As(err, &me) {
					articles = append(articles, a)
				}
			} else {
				articles = append(articles, a)
			}
			*l = jsonLine{} // let the batch's memory go
		}
		switch {
		case errors.Is(rerr, io.EOF):
			return articles, warnings, nil
		case rerr != nil:
			return articles, warnings, rerr
		}
	}
}

// jsonlBatch is how many lines of a JSONL file are parsed side by side.
const jsonlBatch = 256

// jsonLine is one non-blank line of a JSONL file and what parsing it gave.
type jsonLine struct {
	no      int
	data    []byte
	tooLong bool
	// Set by parse: the article id (trimmed), the error that comes before
	// the duplicate check (invalid JSON, no id), and the article and error
	// of the rest.
	id       string
	earlyErr error
	art      Article
	err      error
}

// parseLines parses the lines of batch on up to workers goroutines.
func parseLines(batch []jsonLine, name string, workers int) {
	forEach(len(batch), workers, func(i int) { batch[i].parse(name) })
}

// forEach calls f(i) for every i in [0, n) on up to workers goroutines,
// each taking the next i, and returns when all calls have.
func forEach(n, workers int, f func(i int)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range max(1, min(workers, n)) {
		wg.Go(func() {
			for i := int(next.Add(1)) - 1; i < n; i = int(next.Add(1)) - 1 {
				f(i)
			}
		})
	}
	wg.Wait()
}

// parse decodes and cleans the line, all but the duplicate check, which
// needs the lines before it.
func (l *jsonLine) parse(name string) {
	if l.tooLong {
		l.earlyErr = fmt.Errorf("%w: line longer than %d bytes", ErrTooLarge, MaxArticleBytes)
		return
	}
	var ja jsonArticle
	if err := json.Unmarshal(l.data, &ja); err != nil {
		l.earlyErr = fmt.Errorf("invalid JSON: %w", err)
		return
	}
	l.id = strings.TrimSpace(ja.ID)
	if l.id == "" {
		l.earlyErr = errors.New(`missing "id"`)
		return
	}
	if strings.TrimSpace(ja.Text) == "" {
		l.err = fmt.Errorf(`article %q: missing "text"`, l.id)
		return
	}
	if err := CheckText([]byte(ja.Text)); err != nil {
		l.err = fmt.Errorf("article %q: %w", l.id, err)
		return
	}
	a, err := build(l.id, fmt.Sprintf("%s:%d", name, l.no), ja.Text, Meta{Title: ja.Title, Source: ja.Source, URL: ja.URL, Published: ja.Published, Author: ja.Author})
	var me *MetaError
	if err != nil && !errors.As(err, &me) {
		l.err = fmt.Errorf("article %q: %w", l.id, err)
		return
	}
	l.art, l.err = a, err
}

// take returns the parsed line's article or the reason it is skipped, in
// the order the checks apply: invalid JSON or no id, then an id already
// used (seen maps ids to their line), then the text's problems. An
// article that loads, with or without a [*MetaError], claims its id.
func (l *jsonLine) take(seen map[string]int) (Article, error) {
	if l.earlyErr != nil {
		return Article{}, l.earlyErr
	}
	if prev, dup := seen[l.id]; dup {
		return Article{}, fmt.Errorf("skipped: article id %q already used on line %d", l.id, prev)
	}
	var me *MetaError
	if l.err != nil && !errors.As(l.err, &me) {
		return Article{}, l.err
	}
	seen[l.id] = l.no
	return l.art, l.err
}

// readLine reads one '\n'-terminated line of at most max bytes. A longer line
// is consumed and reported with tooLong. err is io.EOF after the last line.
func readLine(br *bufio.Reader, max int) (line []byte, tooLong bool, err error) {
	for {
		chunk, isPrefix, rerr := br.ReadLine()
		if len(line)+len(chunk) > max {
			tooLong = true
			line = nil
		} else if !tooLong {
			line = append(line, chunk...)
		}
		if rerr != nil {
			if len(line) > 0 || tooLong {
				return line, tooLong, nil
			}
			return nil, false, rerr
		}
		if !isPrefix {
			return line, tooLong, nil
		}
	}
}

// SeedFile returns the raw bytes of a shipped seed file (name as in
// corpus/seed), for tests and tools that need the text as it arrived.
func SeedFile(name string) ([]byte, error) {
	return seedFS.ReadFile(path.Join("seed", name))
}
