// Package feedback records the 👍/👎 votes users give the bot's answers:
// an append-only JSON Lines file with user ids replaced by salted hashes,
// and the readers that `citebot feedback` summarises it with.
package feedback

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"citebot/rag/jsonl"
)

// Feedback files, in the data directory.
const (
	// File is where votes on answers are appended, one JSON
	// object ([Record]) a line.
	File = "feedback.jsonl"
	// SaltFile holds the secret salt of the user hashes; it is made
	// once, with mode 0600.
	SaltFile = "feedback.salt"
)

// Votes.
const (
	Up   = "up"
	Down = "down"
)

// Vote is one vote on an answer, as the bot hands it to a
// [Sink].
type Vote struct {
	Time time.Time
	// AnswerID is the id the answer's buttons carry.
	AnswerID string
	// Question is what the user asked, Resolved its stand-alone form for a
	// follow-up (else empty).
	Question, Resolved string
	// Answer is the answer text; NotFound reports a "the corpus doesn't
	// say" answer.
	Answer   string
	NotFound bool
	// Articles are the ids of the cited articles, in citation order.
	Articles []string
	// Mode is the answer mode (extractive, llm), or "unknown" when the bot
	// no longer remembers the answer.
	Mode string
	// AsOf is the date the question was asked as of (YYYY-MM-DD).
	AsOf string
	// Vote is Up or Down; Previous is the same user's earlier vote
	// on the answer, if the bot remembers one ("" otherwise).
	Vote, Previous string
	// UserID is the Discord id of the voter. A sink must not store it as
	// it is (Log stores a salted hash).
	UserID string
}

// Sink records votes. *Log implements it; cmd wraps it
// to count votes in /metrics.
type Sink interface {
	Record(ctx context.Context, f Vote) error
}

var _ Sink = (*Log)(nil)

// Record is one line of [File].
type Record struct {
	Time     time.Time `json:"time"`
	AnswerID string    `json:"answer_id"`
	Question string    `json:"question"`
	Resolved string    `json:"resolved,omitempty"`
	Answer   string    `json:"answer"`
	NotFound bool      `json:"not_found,omitempty"`
	Articles []string  `json:"articles"`
	Mode     string    `json:"mode"`
	AsOf     string    `json:"as_of,omitempty"`
	Vote     string    `json:"vote"`
	// User is a salted hash of the voter's Discord id (HMAC-SHA256 with
	// the salt of SaltFile, 16 bytes in hex): the same user gives
	// the same hash, and the id cannot be recovered without the salt.
	User string `json:"user"`
}

// Log appends votes to File in a directory. It opens the
// file for every vote (votes are rare), so a file moved away for rotation
// is simply started again. It is safe for concurrent use.
type Log struct {
	path string
	salt []byte
	mu   sync.Mutex
}

// Open prepares the feedback log in dir, creating dir and the
// salt file (32 random bytes, mode 0600) when missing. It writes nothing
// else until the first vote.
func Open(dir string) (*Log, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("feedback log: %w", err)
	}
	salt, err := loadSalt(filepath.Join(dir, SaltFile))
	if err != nil {
		return nil, fmt.Errorf("feedback log: %w", err)
	}
	return &Log{path: filepath.Join(dir, File), salt: salt}, nil
}

// loadSalt reads the salt file, or makes it.
func loadSalt(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err == nil {
		s, derr := hex.DecodeString(strings.TrimSpace(string(data)))
		if derr != nil || len(s) < 16 {
			return nil, fmt.Errorf("%s is not a salt written by citebot (hex, at least 16 bytes); move it away to make a new one (earlier hashes will no longer match)", path)
		}
		return s, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	s := make([]byte, 32)
	if _, err := rand.Read(s); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return loadSalt(path) // made meanwhile by another process
	}
	if err != nil {
		return nil, err
	}
	if _, err := f.WriteString(hex.EncodeToString(s) + "\n"); err != nil {
		f.Close()
		return nil, err
	}
	if err := f.Close(); err != nil {
		return nil, err
	}
	return s, nil
}

// Path returns the feedback file's path.
func (l *Log) Path() string { return l.path }

// HashUser returns the salted hash of a Discord user id that the log
// stores instead of the id.
func (l *Log) HashUser(id string) string {
	m := hmac.New(sha256.New, l.salt)
	m.Write([]byte(id))
	return hex.EncodeToString(m.Sum(nil)[:16])
}

// Record appends f as one line (a single write of the whole line, to a
// file opened for appending with mode 0600).
func (l *Log) Record(_ context.Context, f Vote) error {
	rec := Record{
		Time: f.Time.UTC(), AnswerID: f.AnswerID, Question: f.Question, Resolved: f.Resolved, Answer: f.Answer,
		NotFound: f.NotFound, Articles: f.Articles, Mode: f.Mode, AsOf: f.AsOf, Vote: f.Vote, User: l.HashUser(f.UserID),
	}
	if rec.Articles == nil {
		rec.Articles = []string{}
	}
	line, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("record feedback: %w", err)
	}
	line = append(line, '\n')
	l.mu.Lock()
	defer l.mu.Unlock()
	file, err := os.OpenFile(l.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("record feedback: %w", err)
	}
	if _, err := file.Write(line); err != nil {
		file.Close()
		return fmt.Errorf("record feedback in %s: %w", l.path, err)
	}
	if err := file.Close(); err != nil {
		return fmt.Errorf("record feedback in %s: %w", l.path, err)
	}
	return nil
}

// Read reads a feedback file. Lines that are not records are
// returned as warnings naming the line; err is non-nil only when r fails.
func Read(r io.Reader, name string) (recs []Record, warnings []error, err error) {
	return jsonl.Read(r, name, func(_ int, rec *Record) error {
		if rec.AnswerID == "" || (rec.Vote != Up && rec.Vote != Down) {
			return errors.New("not a vote (answer_id and vote up or down are required)")
		}
		return nil
	})
}

// Latest keeps, of the records of each user on each answer, the last
// one: a changed vote counts once, as the new vote. Order is that of the
// last records.
func Latest(recs []Record) []Record {
	type key struct{ answer, user string }
	last := map[key]int{}
	for i, r := range recs {
		last[key{r.AnswerID, r.User}] = i
	}
	var out []Record
	for i, r := range recs {
		if last[key{r.AnswerID, r.User}] == i {
			out = append(out, r)
		}
	}
	return out
}
