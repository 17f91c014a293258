package bot

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strings"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"

	"citebot/bot/feedback"
	"citebot/bot/internal/render"
)

// feedbackPrefix starts the custom id of the feedback buttons:
// "fb:<answer id>:up" and "fb:<answer id>:down". The component dispatch
// routes by prefix.
const feedbackPrefix = "fb:"

// feedbackThanks is the ephemeral acknowledgement of a vote.
const feedbackThanks = "Thanks — noted."

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
		discordgo.Button{Label: "Helpful", Style: discordgo.SecondaryButton, Emoji: &discordgo.ComponentEmoji{Name: "👍"}, CustomID: feedbackPrefix + answerID + ":" + feedback.Up},
		discordgo.Button{Label: "Not helpful", Style: discordgo.SecondaryButton, Emoji: &discordgo.ComponentEmoji{Name: "👎"}, CustomID: feedbackPrefix + answerID + ":" + feedback.Down},
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
	if !ok || answerID == "" || (vote != feedback.Up && vote != feedback.Down) {
		return "", "", false
	}
	return answerID, vote, true
}

// onFeedback handles a click on a 👍 or 👎 button: it acknowledges the
// click at once with an ephemeral "Thanks — noted.", then records the vote.
// A second click by the same user on the same answer is recorded as a
// change (feedback.Record readers keep the last vote); the same vote again
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
	f := feedback.Vote{Time: time.Now(), AnswerID: answerID, Vote: vote, Previous: prev, UserID: user, Mode: "unknown"}
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
