package corpus

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// Sentinel errors for files that cannot be loaded. Loaders wrap them in a
// [*FileError] naming the file.
var (
	// ErrEmpty means the file has no text.
	ErrEmpty = errors.New("file is empty")
	// ErrBinary means the file looks like binary data, not text.
	ErrBinary = errors.New("file is binary, not text")
	// ErrNotUTF8 means the file is not valid UTF-8.
	ErrNotUTF8 = errors.New("file is not valid UTF-8")
	// ErrTooLarge means the file exceeds [MaxArticleBytes].
	ErrTooLarge = errors.New("file is too large")
)

// MaxArticleBytes is the largest article file or JSONL line the loaders
// accept (16 MiB). Larger files are skipped with a warning.
const MaxArticleBytes = 16 << 20

// Meta is article metadata as written in YAML front matter, a metadata.yaml
// sidecar or a JSONL line. Empty fields are unknown.
type Meta struct {
	// Title is the headline.
	Title string `yaml:"title" json:"title"`
	// Source is the outlet; "outlet" is accepted as a synonym.
	Source string `yaml:"source" json:"source"`
	Outlet string `yaml:"outlet" json:"-"`
	// URL links to the original.
	URL string `yaml:"url" json:"url"`
	// Author is the byline.
	Author string `yaml:"author" json:"author"`
	// Published is the publication date (see [ParseDate]); "date" is a synonym.
	Published string `yaml:"published" json:"published"`
	Date      string `yaml:"date" json:"-"`
	// Approximate marks Published as an estimate.
	Approximate bool `yaml:"approximate" json:"approximate"`
	// Note is an editor's note; it is not indexed.
	Note string `yaml:"note" json:"-"`
}

// merge fills the empty fields of m from o.
func (m Meta) merge(o Meta) Meta {
	set := func(dst *string, src string) {
		if strings.TrimSpace(*dst) == "" {
			*dst = src
		}
	}
	set(&m.Title, o.Title)
	set(&m.Source, o.Source)
	set(&m.Outlet, o.Outlet)
	set(&m.URL, o.URL)
	set(&m.Author, o.Author)
	set(&m.Published, o.Published)
	set(&m.Date, o.Date)
	set(&m.Note, o.Note)
	m.Approximate = m.Approximate || o.Approximate
	return m
}

// CheckText validates the raw bytes of an article: not empty, not binary,
// valid UTF-8, at most [MaxArticleBytes]. A leading byte-order mark is allowed.
func CheckText(data []byte) error {
	if len(data) > MaxArticleBytes {
		return fmt.Errorf("%w: %d bytes (limit %d)", ErrTooLarge, len(data), MaxArticleBytes)
	}
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	if len(bytes.TrimSpace(data)) == 0 {
		return ErrEmpty
	}
	head := data
	if len(head) > 8192 {
		head = head[:8192]
	}
	if bytes.IndexByte(head, 0) >= 0 {
		return ErrBinary
	}
	if !utf8.Valid(data) {
		off := 0
		for off < len(data) {
			r, n := utf8.DecodeRune(data[off:])
			if r == utf8.RuneError && n <= 1 {
				break
			}
			off += n
		}
		return fmt.Errorf("%w: invalid byte at offset %d (save it as UTF-8)", ErrNotUTF8, off)
	}
	ctrl, total := 0, 0
	for _, r := range string(head) {
		total++
		if unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' && r != '\f' {
			ctrl++
		}
	}
	if total > 0 && ctrl*10 > total {
		return ErrBinary
	}
	return nil
}

// splitFrontMatter separates YAML front matter delimited by "---" lines from
// the body. ok is false when the text has none.
func splitFrontMatter(text string) (front, body string, ok bool) {
	t := strings.TrimPrefix(text, "\ufeff")
	t = strings.ReplaceAll(t, "\r\n", "\n")
	if !strings.HasPrefix(t, "---\n") {
		return "", text, false
	}
	rest := t[len("---\n"):]
	for _, end := range []string{"\n---\n", "\n...\n"} {
		if i := strings.Index(rest, end); i >= 0 {
			return rest[:i], rest[i+len(end):], true
		}
	}
	for _, end := range []string{"\n---", "\n..."} {
		if strings.HasSuffix(rest, end) {
			return rest[:len(rest)-len(end)], "", true
		}
	}
	if strings.HasPrefix(rest, "---\n") { // empty front matter
		return "", rest[len("---\n"):], true
	}
	return "", text, false
}

// Parse builds an article from the raw bytes of a file. id is the article id,
// origin names the file in messages and side is sidecar metadata (may be the
// zero value). YAML front matter wins over side, and side wins over what is
// inferred from the text. The error wraps [ErrEmpty], [ErrBinary],
// [ErrNotUTF8], [ErrTooLarge] or describes bad front matter.
func Parse(id, origin string, data []byte, side Meta) (Article, error) {
	if err := CheckText(data); err != nil {
		return Article{}, err
	}
	text := string(data)
	meta := side
	if front, body, ok := splitFrontMatter(text); ok {
		var fm Meta
		if strings.TrimSpace(front) != "" {
			if err := yaml.Unmarshal([]byte(front), &fm); err != nil {
				return Article{}, fmt.Errorf("front matter: %w", err)
			}
		}
		meta = fm.merge(side)
		text = body
	}
	return build(id, origin, text, meta)
}

// build cleans text and combines it with meta into an Article.
func build(id, origin, text string, meta Meta) (Article, error) {
	a := Article{
		ID:          id,
		Title:       collapseSpace(meta.Title),
		Source:      collapseSpace(firstNonEmpty(meta.Source, meta.Outlet)),
		URL:         strings.TrimSpace(meta.URL),
		Author:      collapseSpace(meta.Author),
		Approximate: meta.Approximate,
		Origin:      origin,
	}
	var dateErr error
	if d := firstNonEmpty(meta.Published, meta.Date); d != "" {
		a.Published, dateErr = ParseDate(d)
	}
	c := clean(text, a.Title != "", !a.Published.IsZero())
	if a.Title == "" {
		a.Title = c.title
	}
	if a.Published.IsZero() {
		a.Published = c.published
	}
	if a.Author == "" {
		a.Author = c.author
	}
	if a.Source == "" {
		a.Source = c.source
	}
	a.Text = c.body
	if strings.TrimSpace(a.Text) == "" {
		return Article{}, fmt.Errorf("%w after removing boilerplate", ErrEmpty)
	}
	if a.Title == "" {
		a.Title = id
	}
	if dateErr != nil {
		// The article is still usable; report the bad field.
		return a, &MetaError{Field: "published", Err: dateErr}
	}
	return a, nil
}

// MetaError reports a metadata field that could not be used. The article it
// comes with is still valid, without that field.
type MetaError struct {
	Field string
	Err   error
}

func (e *MetaError) Error() string { return fmt.Sprintf("%s: %v", e.Field, e.Err) }
func (e *MetaError) Unwrap() error { return e.Err }

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			return s
		}
	}
	return ""
}
