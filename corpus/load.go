package corpus

import (
	"bufio"
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

//go:embed seed
var seedFS embed.FS

// SidecarName is the per-directory metadata file the directory loader reads:
// a YAML map from article id (file name without extension) to [Meta].
const SidecarName = "metadata.yaml"

// Extensions lists the file extensions the directory loader reads as articles.
var Extensions = []string{".txt", ".md", ".markdown"}

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

// LoadDir loads every article file (see [Extensions]) under the root of fsys,
// recursively, skipping hidden files and directories. Each directory may hold
// a [SidecarName] file with metadata.
//
// Files that cannot be loaded (unreadable, empty, binary, not UTF-8, bad front
// matter, duplicate id) are returned as warnings of type [*FileError]; the
// other files still load. err is non-nil only when the directory itself
// cannot be read. Articles are sorted by ID.
func LoadDir(fsys fs.FS) (articles []Article, warnings []error, err error) {
	sidecars := map[string]map[string]Meta{} // dir → id → meta
	used := map[string]map[string]bool{}
	seen := map[string]string{} // id → origin
	sidecar := func(dir string) map[string]Meta {
		if m, ok := sidecars[dir]; ok {
			return m
		}
		m := map[string]Meta{}
		sidecars[dir] = m
		used[dir] = map[string]bool{}
		p := path.Join(dir, SidecarName)
		data, err := fs.ReadFile(fsys, p)
		if errors.Is(err, fs.ErrNotExist) {
			return m
		}
		if err != nil {
			warnings = append(warnings, &FileError{Path: p, Err: err})
			return m
		}
		dec := yaml.NewDecoder(bytes.NewReader(data))
		dec.KnownFields(true)
		if err := dec.Decode(&m); err != nil && !errors.Is(err, io.EOF) {
			warnings = append(warnings, &FileError{Path: p, Err: fmt.Errorf("ignored: %w", err)})
			clear(m)
		}
		return m
	}

	err = fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == "." {
				return err
			}
			warnings = append(warnings, &FileError{Path: p, Err: err})
			return nil
		}
		name := d.Name()
		if p != "." && strings.HasPrefix(name, ".") {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() || name == SidecarName {
			return nil
		}
		ext := strings.ToLower(path.Ext(name))
		if !slices.Contains(Extensions, ext) {
			return nil
		}
		dir := path.Dir(p)
		id := strings.TrimSuffix(p, path.Ext(p))
		if prev, dup := seen[id]; dup {
			warnings = append(warnings, &FileError{Path: p, Err: fmt.Errorf("skipped: article id %q is already used by %s", id, prev)})
			return nil
		}
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			warnings = append(warnings, &FileError{Path: p, Err: err})
			return nil
		}
		base := strings.TrimSuffix(name, path.Ext(name))
		meta, ok := sidecar(dir)[base]
		if ok {
			used[dir][base] = true
		}
		a, err := Parse(id, p, data, meta)
		var me *MetaError
		switch {
		case errors.As(err, &me):
			warnings = append(warnings, &FileError{Path: p, Err: err})
		case err != nil:
			warnings = append(warnings, &FileError{Path: p, Err: err})
			return nil
		}
		seen[id] = p
		articles = append(articles, a)
		return nil
	})
	if err != nil {
		return nil, warnings, fmt.Errorf("read corpus directory: %w", err)
	}
	for dir, m := range sidecars {
		for id := range m {
			if !used[dir][id] {
				warnings = append(warnings, &FileError{Path: path.Join(dir, SidecarName), Err: fmt.Errorf("no article file for id %q", id)})
			}
		}
	}
	slices.SortFunc(articles, func(a, b Article) int { return strings.Compare(a.ID, b.ID) })
	return articles, warnings, nil
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
	br := bufio.NewReaderSize(r, 1<<16)
	seen := map[string]int{}
	for line := 1; ; line++ {
		data, tooLong, rerr := readLine(br, MaxArticleBytes)
		where := fmt.Sprintf("%s:%d", name, line)
		if rerr != nil && !errors.Is(rerr, io.EOF) {
			return articles, warnings, fmt.Errorf("read %s: %w", where, rerr)
		}
		switch {
		case tooLong:
			warnings = append(warnings, &FileError{Path: where, Err: fmt.Errorf("%w: line longer than %d bytes", ErrTooLarge, MaxArticleBytes)})
		case len(bytes.TrimSpace(data)) == 0:
		default:
			if a, err := parseJSONLine(data, where, seen, line); err != nil {
				warnings = append(warnings, &FileError{Path: where, Err: err})
				var me *MetaError
				if errors.As(err, &me) {
					articles = append(articles, a)
				}
			} else {
				articles = append(articles, a)
			}
		}
		if errors.Is(rerr, io.EOF) {
			return articles, warnings, nil
		}
	}
}

func parseJSONLine(data []byte, where string, seen map[string]int, line int) (Article, error) {
	var ja jsonArticle
	if err := json.Unmarshal(data, &ja); err != nil {
		return Article{}, fmt.Errorf("invalid JSON: %w", err)
	}
	ja.ID = strings.TrimSpace(ja.ID)
	if ja.ID == "" {
		return Article{}, errors.New(`missing "id"`)
	}
	if prev, dup := seen[ja.ID]; dup {
		return Article{}, fmt.Errorf("skipped: article id %q already used on line %d", ja.ID, prev)
	}
	if strings.TrimSpace(ja.Text) == "" {
		return Article{}, fmt.Errorf(`article %q: missing "text"`, ja.ID)
	}
	if err := CheckText([]byte(ja.Text)); err != nil {
		return Article{}, fmt.Errorf("article %q: %w", ja.ID, err)
	}
	a, err := build(ja.ID, where, ja.Text, Meta{Title: ja.Title, Source: ja.Source, URL: ja.URL, Published: ja.Published, Author: ja.Author})
	var me *MetaError
	if err != nil && !errors.As(err, &me) {
		return Article{}, fmt.Errorf("article %q: %w", ja.ID, err)
	}
	seen[ja.ID] = line
	return a, err
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
