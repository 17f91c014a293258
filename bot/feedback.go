package bot

import (
	"bufio"
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

	"github.com/bwmarrin/discordgo"

	"citebot/bot/internal/render"
)

// Feedback files, in the data directory.
const (
	// FeedbackFile is where votes on answers are appended, one JSON
	// object ([FeedbackRecord]) a line.
	FeedbackFile = "feedback.jsonl"
	// FeedbackSaltFile holds the secret salt of the user hashes; it is made
	// once, with mode 0600.
	FeedbackSaltFile = "feedback.salt"
)

// Votes.
const (
	VoteUp   = "up"
	VoteDown = "down"
)

// feedbackPrefix starts the custom id of the feedback buttons:
// "fb:<answer id>:up" and "fb:<answer id>:down". The component dispatch
// routes by prefix.
const feedbackPrefix = "fb:"

// feedbackThanks is the ephemeral acknowledgement of a vote.
const feedbackThanks = "Thanks — noted."

// Feedback is one vote on an answer, as the bot hands it to a
// [FeedbackSink].
type Feedback struct {
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
	// Vote is VoteUp or VoteDown; Previous is the same user's earlier vote
	// on the answer, if the bot remembers one ("" otherwise).
	Vote, Previous string
	// UserID is the Discord id of the voter. A sink must not store it as
	// it is (FeedbackLog stores a salted hash).
	UserID string
}

// FeedbackSink records votes. *FeedbackLog implements it; cmd wraps it
// to count votes in /metrics.
type FeedbackSink interface {
	Record(ctx context.Context, f Feedback) error
}

var _ FeedbackSink = (*FeedbackLog)(nil)

// FeedbackRecord is one line of [FeedbackFile].
type FeedbackRecord struct {
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
	// the salt of FeedbackSaltFile, 16 bytes in hex): the same user gives
	// the same hash, and the id cannot be recovered without the salt.
	User string `json:"user"`
}

// FeedbackLog appends votes to FeedbackFile in a directory. It opens the
// file for every vote (votes are rare), so a file moved away for rotation
// is simply started again. It is safe for concurrent use.
type FeedbackLog struct {
	path string
	salt []byte
	mu   sync.Mutex
}

// OpenFeedbackLog prepares the feedback log in dir, creating dir and the
// salt file (32 random bytes, mode 0600) when missing. It writes nothing
// else until the first vote.
func OpenFeedbackLog(dir string) (*FeedbackLog, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("feedback log: %w", err)
	}
	salt, err := loadSalt(filepath.Join(dir, FeedbackSaltFile))
	if err != nil {
		return nil, fmt.Errorf("feedback log: %w", err)
	}
	return &FeedbackLog{path: filepath.Join(dir, FeedbackFile), salt: salt}, nil
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
func (l *FeedbackLog) Path() string { return l.path }

// HashUser returns the salted hash of a Discord user id that the log
// stores instead of the id.
func (l *FeedbackLog) HashUser(id string) string {
	m := hmac.New(sha256.New, l.salt)
	m.Write([]byte(id))
	return hex.EncodeToString(m.Sum(nil)[:16])
}

// Record appends f as one line (a single write of the whole line, to a
// file opened for appending with mode 0600).
func (l *FeedbackLog) Record(_ context.Context, f Feedback) error {
	rec := FeedbackRecord{
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

// ReadFeedback reads a feedback file. Lines that are not records are
// returned as warnings naming the line; err is non-nil only when r fails.
func ReadFeedback(r io.Reader, name string) (recs []FeedbackRecord, warnings []error, err error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 1<<16), 16<<20)
	for line := 1; sc.Scan(); line++ {
		b := sc.Bytes()
		if len(strings.TrimSpace(string(b))) == 0 {
			continue
		}
		var rec FeedbackRecord
		if err := json.Unmarshal(b, &rec); err != nil {
			warnings = append(warnings, fmt.Errorf("%s:%d: invalid JSON: %w", name, line, err))
			continue
		}
		if rec.AnswerID == "" || (rec.Vote != VoteUp && rec.Vote != VoteDown) {
			warnings = append(warnings, fmt.Errorf("%s:%d: not a vote (answer_id and vote up or down are required)", name, line))
			continue
		}
		recs = append(recs, rec)
	}
	if err := sc.Err(); err != nil {
		return recs, warnings, fmt.Errorf("read %s: %w", name, err)
	}
	return recs, warnings, nil
}

// LatestVotes keeps, of the records of each user on each answer, the last
// one: a changed vote counts once, as the new vote. Order is that of the
// last records.
func LatestVotes(recs []FeedbackRecord) []FeedbackRecord {
	type key struct{ answer, user string }
	last := map[key]int{}
	for i, r := range recs {
		last[key{r.AnswerID, r.User}] = i
	}
	var out []FeedbackRecord
	for i, r := range recs {
		if last[key{r.AnswerID, r.User}] == i {
			out = append(out, r)
		}
	}
	return out
}

// newAnswerID returns a fresh answer id: 12 random bytes in hex.
func newAnswerID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// feedbackRow is the action row of the 👍 and 👎 buttons of an answer,
// labelled for screen readers.
func feedbackRow(answerID string) discordgo.ActionsRow {
	return discordgo.ActionsRow{Components: []discordgo.MessageComponent{
		discordgo.Button{Label: "Helpful", Style: discordgo.SecondaryButton, Emoji: &discordgo.ComponentEmoji{Name: "👍"}, CustomID: feedbackPrefix + answerID + ":" + VoteUp},
		discordgo.Button{Label: "Not helpful", Style: discordgo.SecondaryButton, Emoji: &discordgo.ComponentEmoji{Name: "👎"}, CustomID: feedbackPrefix + answerID + ":" + VoteDown},
	}}
}

// withFeedback adds the feedback buttons to the last message of an
// answer, under its link buttons (dropping the last row of links when all
// five rows are taken).
func withFeedback(msgs []render.Message, answerID string) []render.Message {
	if len(msgs) == 0 {
		return msgs
	}
	out := append([]render.Message(nil), msgs...)
	last := &out[len(out)-1]
	comps := append([]discordgo.MessageComponent(nil), last.Components...)
	if len(comps) >= render.MaxRows {
		comps = comps[:render.MaxRows-1]
	}
	last.Components = append(comps, feedbackRow(answerID))
	return out
}

// parseFeedbackID splits a feedback button's custom id.
func parseFeedbackID(customID string) (answerID, vote string, ok bool) {
	rest, ok := strings.CutPrefix(customID, feedbackPrefix)
	if !ok {
		return "", "", false
	}
	answerID, vote, ok = strings.Cut(rest, ":")
	if !ok || answerID == "" || (vote != VoteUp && vote != VoteDown) {
		return "", "", false
	}
	return answerID, vote, true
}

// onFeedback handles a click on a 👍 or 👎 button: it acknowledges the
// click at once with an ephemeral "Thanks — noted.", then records the vote.
// A second click by the same user on the same answer is recorded as a
// change (FeedbackRecord readers keep the last vote); the same vote again
// is not recorded. Failing to record is logged, never shown.
func (b *Bot) onFeedback(x *exchange, data discordgo.MessageComponentInteractionData) {
	answerID, vote, ok := parseFeedbackID(data.CustomID)
	if !ok {
		b.notice(x, "That button is not one I know (any more).")
		return
	}
	// The vote is counted in memory, and a ticket for writing it taken,
	// before the acknowledgement: a second click, which can only come
	// after it, sees the first, and is written after it, so that a changed
	// vote is the later line.
	user := userOf(x.i).ID
	prev, n, known := b.convs.Vote(answerID, user, vote)
	turn := b.fbOrder.take()
	served := false
	defer func() {
		if !served { // a panic before the turn: later votes must not wait for ever
			b.fbOrder.wait(turn)
			b.fbOrder.done()
		}
	}()
	b.notice(x, feedbackThanks)
	b.fbOrder.wait(turn)
	served = true
	defer b.fbOrder.done()
	if prev == vote {
		b.log.Debug("feedback unchanged", "answer", answerID, "interaction", x.i.ID)
		return
	}
	f := Feedback{Time: time.Now(), AnswerID: answerID, Vote: vote, Previous: prev, UserID: user, Mode: "unknown"}
	if known {
		t := n.Last()
		a := t.Answer
		f.Question, f.Resolved, f.Answer, f.NotFound, f.Mode = t.Question, a.Resolved, a.Text, a.NotFound, a.Mode
		for _, c := range a.Citations {
			f.Articles = append(f.Articles, c.ArticleID)
		}
		if !n.AsOf().IsZero() {
			f.AsOf = n.AsOf().Format(time.DateOnly)
		}
	} else if m := x.i.Message; m != nil && len(m.Embeds) > 0 {
		// Forgotten (restart or age): what the message shows.
		f.Question = m.Embeds[0].Title
		f.Answer = m.Embeds[0].Description
		f.AsOf = m.Timestamp.UTC().Format(time.DateOnly)
	}
	if b.opts.Feedback == nil {
		b.log.Debug("feedback not recorded: no feedback sink", "answer", answerID, "interaction", x.i.ID)
		return
	}
	ctx, cancel := context.WithTimeout(b.sending, sendTimeout)
	defer cancel()
	if err := b.opts.Feedback.Record(ctx, f); err != nil {
		b.log.Warn("could not record feedback", "answer", answerID, "interaction", x.i.ID, "error", err.Error())
		return
	}
	b.log.Debug("feedback recorded", "answer", answerID, "vote", vote, "changed", prev != "", "interaction", x.i.ID)
}

// onComponent routes a click on a button by the prefix of its custom id:
// "fb:" to the feedback handler. Every click is acknowledged within the 3
// seconds Discord allows.
func (b *Bot) onComponent(x *exchange, accepting bool) {
	data := x.i.MessageComponentData()
	switch {
	case !accepting:
		b.notice(x, shuttingDown)
	case strings.HasPrefix(data.CustomID, feedbackPrefix):
		b.onFeedback(x, data)
	case strings.HasPrefix(data.CustomID, render.TimelinePrefix):
		b.component(x, data)
	default:
		b.notice(x, "That button is not one I know (any more).")
	}
}

// ticketLock lets goroutines through in the order they took tickets.
type ticketLock struct {
	mu            sync.Mutex
	cond          *sync.Cond
	next, serving uint64
}

// take returns the next ticket. Every ticket taken must be waited for and
// then done.
func (l *ticketLock) take() uint64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	t := l.next
	l.next++
	return t
}

// wait returns when it is ticket t's turn.
func (l *ticketLock) wait(t uint64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.cond == nil {
		l.cond = sync.NewCond(&l.mu)
	}
	for l.serving != t {
		l.cond.Wait()
	}
}

// done ends the current turn.
func (l *ticketLock) done() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.serving++
	if l.cond != nil {
		l.cond.Broadcast()
	}
}
