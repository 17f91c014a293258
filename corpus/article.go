// Package corpus loads news articles from raw text, Markdown with YAML front
// matter, a metadata sidecar or line-delimited JSON, cleans away boilerplate
// (section labels, inline advertisements, photo captions, datelines) and fills
// in what metadata it can infer (headline, publication date, byline).
//
// The five seed articles citebot ships with are embedded in the binary; see
// [Shipped]. Everything here uses only the standard library and a YAML parser.
package corpus

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// DateLayout is the layout of publication dates in front matter, sidecars,
// JSONL files and all of citebot's output.
const DateLayout = "2006-01-02"

// Article is one news article after loading and cleaning.
type Article struct {
	// ID identifies the article: the file name without extension (relative to
	// the corpus directory, with forward slashes, for nested files) or the
	// JSONL "id" field.
	ID string
	// Title is the headline: from metadata, else a headline-like first line of
	// the text, else the start of the first sentence.
	Title string
	// Source is the outlet ("Reuters"); empty when unknown.
	Source string
	// URL links to the original article; empty when unknown.
	URL string
	// Author is the byline ("Trevor Hunnicutt, David Brunnstrom"); empty when unknown.
	Author string
	// Published is the publication date (UTC midnight); the zero value means unknown.
	Published time.Time
	// Approximate reports that Published is an editorial estimate.
	Approximate bool
	// Text is the cleaned body: paragraphs separated by a blank line, without
	// the headline, dateline, section labels, captions or advertisements. It is
	// what citebot indexes and quotes; chunk offsets point into it.
	Text string
	// Origin says where the article came from ("corpus/a.txt", "articles.jsonl:12"),
	// for messages.
	Origin string
}

// PublishedString returns the publication date as YYYY-MM-DD, or "" when unknown.
func (a Article) PublishedString() string {
	if a.Published.IsZero() {
		return ""
	}
	return a.Published.Format(DateLayout)
}

// Hash returns a content hash over everything that affects indexing and
// citing: identity, metadata and text. Two articles with the same hash index
// identically, so an index can skip re-embedding unchanged articles.
func (a Article) Hash() string {
	h := sha256.New()
	var buf [4096]byte // the fields pass through it: no copy of the text is allocated
	for _, s := range []string{a.ID, a.Title, a.Source, a.URL, a.Author, a.PublishedString(), strconv.FormatBool(a.Approximate), a.Text} {
		// Each field as "<length>:<bytes>;".
		h.Write(append(strconv.AppendInt(buf[:0], int64(len(s)), 10), ':'))
		for s != "" {
			n := copy(buf[:], s)
			h.Write(buf[:n])
			s = s[n:]
		}
		h.Write([]byte{';'})
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// hashLen is the length of an [Article.Hash].
const hashLen = 32

// HashAll returns the [Article.Hash] of each article, in their order,
// hashed on GOMAXPROCS goroutines: at a million passages hashing reads
// about a gigabyte of text.
func HashAll(articles []Article) []string {
	hashes := make([]string, len(articles))
	forEach(len(articles), runtime.GOMAXPROCS(0), func(i int) { hashes[i] = articles[i].Hash() })
	return hashes
}

// ParseDate parses a publication date in the formats people write in front
// matter and feeds: 2006-01-02, RFC 3339 timestamps, 2006/01/02,
// "January 2, 2006", "Jan 2, 2006" and "2 January 2006". The result is the
// calendar date at UTC midnight. An empty string is an error.
func ParseDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, fmt.Errorf("empty date")
	}
	layouts := []string{
		DateLayout, time.RFC3339, time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05",
		"2006-01-02 15:04:05 -0700", "2006-01-02 15:04:05 -0700 MST", "2006/01/02",
		"January 2, 2006", "Jan 2, 2006", "Jan. 2, 2006", "2 January 2006", "2 Jan 2006",
		time.RFC1123, time.RFC1123Z,
	}
	for _, l := range layouts {
		if t, err := time.Parse(l, s); err == nil {
			return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC), nil
		}
	}
	return time.Time{}, fmt.Errorf("unrecognised date %q (want YYYY-MM-DD)", s)
}
