package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/bwmarrin/discordgo"

	"citebot/bot/internal/rest"
	"citebot/rag/backoff"
)

// This file sends citebot's REST requests to Discord. It uses discordgo's
// request and rate-limit machinery, but not as discordgo's helpers do:
//
//   - A 429 is not retried by discordgo, which would retry it forever,
//     sleeping through any retry_after without looking at the context.
//     request waits for retry_after itself, with the context, a bounded
//     number of times, and only while the time left allows it.
//   - 5xx answers (500, 502, 503, 504) are retried with exponential backoff
//     and jitter; discordgo retries only 502, at once, three times.
//   - Waiting for a rate-limit bucket to reset is done with the context
//     too, instead of discordgo's uninterruptible sleep.
//   - Interaction callbacks, edits and follow-ups go through a rate limiter
//     of their own interaction (see exchange). discordgo puts the edits of
//     all interactions in one bucket whose mutex is held for the whole
//     round trip, so one slow edit stalled every other answer; and it keeps
//     a bucket per interaction URL for ever, which grows without bound in a
//     long-running bot. Discord itself limits interaction webhooks per
//     interaction token, and not by the global rate limit.

// restCall is one REST request.
type restCall struct {
	// what names the request in logs, e.g. "edit the answer".
	what   string
	method string
	url    string
	// bucket is the rate-limit bucket key; default url.
	bucket string
	body   any
	// repeatable reports that the request may be sent again after a
	// transport error, when it may or may not have reached Discord: edits
	// and acknowledgements may, new messages may not (a repeat could post
	// twice). 429 and 5xx answers are retried either way: Discord did not
	// carry them out.
	repeatable bool
	// attempts is the most times the request is sent; 0 means
	// rest.MaxAttempts.
	attempts int
	// acked treats "already acknowledged" on a repeated interaction
	// callback as success: the first attempt arrived.
	acked bool
}

// request sends c through rl's bucket, retrying rate limits and server
// errors within ctx's deadline, and returns the response body.
func (b *Bot) request(ctx context.Context, rl *discordgo.RateLimiter, c restCall) ([]byte, error) {
	var body []byte
	if c.body != nil {
		var err error
		if body, err = json.Marshal(c.body); err != nil {
			return nil, fmt.Errorf("%s: %w", c.what, err)
		}
		body = b.scrubOutgoing(c.what, body)
	}
	key := c.bucket
	if key == "" {
		key = c.url
	}
	attempts := c.attempts
	if attempts <= 0 {
		attempts = rest.MaxAttempts
	}
	for attempt := 1; ; attempt++ {
		bucket, err := rest.LockBucket(ctx, rl, key)
		if err != nil {
			return nil, fmt.Errorf("%s: waiting for Discord's rate limit: %w", c.what, err)
		}
		resp, err := b.s.RequestWithLockedBucket(c.method, c.url, "application/json", body, bucket, 0,
			discordgo.WithContext(ctx), discordgo.WithRetryOnRatelimit(false), discordgo.WithRestRetries(0))
		if err == nil {
			return resp, nil
		}
		if c.acked && attempt > 1 && rest.DiscordCode(err) == rest.CodeAlreadyAcknowledged {
			return nil, nil
		}
		wait, retry := rest.RetryAfter(err, attempt, c.repeatable)
		if !retry || ctx.Err() != nil {
			return nil, fmt.Errorf("%s: %w", c.what, err)
		}
		if attempt >= attempts {
			return nil, fmt.Errorf("%s: gave up after %d attempts: %w", c.what, attempt, err)
		}
		if dl, ok := ctx.Deadline(); ok && time.Now().Add(wait).After(dl) {
			return nil, fmt.Errorf("%s: gave up after %d attempts: the next could start only in %s, after the time left (%s): %w",
				c.what, attempt, wait.Round(time.Millisecond), time.Until(dl).Round(time.Millisecond), err)
		}
		b.log.Info("retrying a Discord request", "request", c.what, "attempt", attempt, "wait", wait.Round(time.Millisecond), "reason", err.Error())
		if err := backoff.Sleep(ctx, wait); err != nil {
			return nil, fmt.Errorf("%s: %w", c.what, err)
		}
	}
}

// scrubOutgoing scrubs a body the bot sends to Discord (see
// [redact.Filter.Body]); the log says that something was removed, not
// what.
func (b *Bot) scrubOutgoing(what string, body []byte) []byte {
	out, reencoded := b.secrets.Body(body)
	if reencoded {
		b.log.Warn("removed a secret (the bot token or an API key) from a message to Discord; it came from an article, a model or an error", "request", what)
	}
	return out
}
