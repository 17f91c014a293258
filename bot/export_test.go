package bot

import (
	"time"

	"github.com/bwmarrin/discordgo"

	"citebot/bot/internal/render"
)

// This file lets the external tests (package bot_test) reach a few
// internals: the request payloads (to fuzz what is sent, not only what is
// rendered), the per-user limiter and its clock.

// Payloads returns every request body the bot could send for m, as
// discordgo types: an interaction response, an edit, a follow-up and a
// channel reply.
func Payloads(m render.Message) []any {
	return []any{responsePayload(m, false), editPayload(m), followUpPayload(m, true), replyPayload(m, &discordgo.Message{ID: "1", ChannelID: "2"})}
}

// DeferPayload is the "thinking…" acknowledgement.
func DeferPayload(ephemeral bool) any { return deferPayload(ephemeral) }

// TrackedUsers returns how many users the bot's limiter tracks.
func TrackedUsers(b *Bot) int { return b.lim.Tracked() }

// DeliveryDeadline is the deadline the bot gives itself to show the
// outcome of an interaction that arrived at received.
func DeliveryDeadline(b *Bot, received time.Time) time.Time {
	x := newExchange(&discordgo.Interaction{})
	x.received = received
	ctx, cancel := b.deliveryContext(x)
	defer cancel()
	dl, _ := ctx.Deadline()
	return dl
}

// InvalidBudget sets how many 401, 403 and 429 answers in 10 minutes make
// the bot stop sending requests (default 1,000).
func InvalidBudget(o *Options, n int) { o.timings.invalidBudget = n }

// FastTimings shortens the waits around Discord's limits (the least time
// between two IDENTIFYs, restart and retry backoffs) for tests against
// discordtest.
func FastTimings(o *Options) {
	o.timings = timings{invalidBudget: o.timings.invalidBudget, identifySpacing: 20 * time.Millisecond, restartBase: 300 * time.Millisecond, registerBase: 50 * time.Millisecond, stableAfter: time.Hour}
}

// WithFeedback adds the 👍/👎 buttons of an answer id to a rendered answer.
var WithFeedback = withFeedback

// ExpireTimelines makes the page buttons of every timeline b has shown
// expired, as 15 minutes after /timeline.
func ExpireTimelines(b *Bot) { b.pages.expireAll() }
