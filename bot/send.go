package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bwmarrin/discordgo"

	"citebot/bot/internal/render"
	"citebot/bot/internal/rest"
)

// This file is the one place where rendered [render.Message]s become discordgo
// requests. Every request that can carry a message sets allowed mentions
// to none: an empty parse list (not a nil one, which discordgo would send as
// null) and no replied-user ping. The requests go out through request
// (rest.go): bounded retries of rate limits and server errors.

// interactionLifetime is how long Discord accepts edits and follow-ups of
// an interaction, and lifetimeMargin what the bot leaves of it unused.
const (
	interactionLifetime = 15 * time.Minute
	lifetimeMargin      = 15 * time.Second
)

// exchange is one interaction the bot is answering: its rate-limit buckets
// (Discord limits an interaction's callback, edits and follow-ups by its
// token, apart from the bot's other requests) and its deadlines.
type exchange struct {
	i        *discordgo.Interaction
	rl       *discordgo.RateLimiter
	received time.Time

	mu       sync.Mutex
	answered bool // acknowledged with a message
	deferred bool // acknowledged with "thinking…"

	// gone is set when Discord answered 404 for the original response
	// (deleted by its user or a moderator) or the interaction's webhook:
	// nothing more is sent for the interaction. Discord: "If a webhook
	// returns a 404 status you should not attempt to use it again -
	// repeated attempts to do so will result in a temporary restriction."
	gone atomic.Bool
}

// errGone refuses a request for an interaction whose response or webhook
// Discord reported gone.
var errGone = errors.New("not sent: the response was deleted (Discord answered 404 Unknown render.Message or Unknown Webhook)")

// notFound marks x gone when err is Discord's 404 for its message or
// webhook, and returns err.
func (x *exchange) notFound(err error) error {
	if rest.HTTPStatus(err) == http.StatusNotFound {
		switch rest.DiscordCode(err) {
		case rest.CodeUnknownMessage, rest.CodeUnknownWebhook:
			x.gone.Store(true)
		}
	}
	return err
}

func newExchange(i *discordgo.Interaction) *exchange {
	return &exchange{i: i, rl: discordgo.NewRatelimiter(), received: time.Now()}
}

// expires is when the bot stops trying to edit or follow up the
// interaction: 15 minutes after it arrived, less a margin.
func (x *exchange) expires() time.Time {
	return x.received.Add(interactionLifetime - lifetimeMargin)
}

func (x *exchange) acknowledged() (answered, deferred bool) {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.answered, x.deferred
}

// ackContext bounds acknowledging x: Discord drops interactions not
// acknowledged within 3 seconds of their creation.
func (b *Bot) ackContext(x *exchange) (context.Context, context.CancelFunc) {
	return context.WithDeadline(b.sending, x.received.Add(ackTimeout))
}

// deliveryContext bounds showing the user the outcome of their question,
// retries included: DeliveryTimeout from now, never past the interaction's
// lifetime (x may be nil for messages), and at most until shutdown ends.
func (b *Bot) deliveryContext(x *exchange) (context.Context, context.CancelFunc) {
	dl := time.Now().Add(b.opts.DeliveryTimeout)
	if x != nil && x.expires().Before(dl) {
		dl = x.expires()
	}
	return context.WithDeadline(b.sending, dl)
}

// noMentions allows no mention of anyone: {"parse":[],"replied_user":false}.
func noMentions() *discordgo.MessageAllowedMentions {
	return &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}
}

func embedsOf(m render.Message) []*discordgo.MessageEmbed {
	if m.Embeds == nil {
		return []*discordgo.MessageEmbed{}
	}
	return m.Embeds
}

func componentsOf(m render.Message) []discordgo.MessageComponent {
	if m.Components == nil {
		return []discordgo.MessageComponent{}
	}
	return m.Components
}

func flags(ephemeral bool) discordgo.MessageFlags {
	if ephemeral {
		return discordgo.MessageFlagsEphemeral
	}
	return 0
}

// responsePayload answers an interaction with a message (type 4).
func responsePayload(m render.Message, ephemeral bool) *discordgo.InteractionResponse {
	return &discordgo.InteractionResponse{
		Type: discordgo.InteractionResponseChannelMessageWithSource,
		Data: &discordgo.InteractionResponseData{
			Content: m.Content, Embeds: embedsOf(m), Components: componentsOf(m),
			AllowedMentions: noMentions(), Flags: flags(ephemeral),
		},
	}
}

// deferPayload acknowledges an interaction with "thinking…" (type 5).
func deferPayload(ephemeral bool) *discordgo.InteractionResponse {
	return &discordgo.InteractionResponse{
		Type: discordgo.InteractionResponseDeferredChannelMessageWithSource,
		Data: &discordgo.InteractionResponseData{AllowedMentions: noMentions(), Flags: flags(ephemeral)},
	}
}

// editPayload replaces a message with m.
func editPayload(m render.Message) *discordgo.WebhookEdit {
	content, embeds, comps := m.Content, embedsOf(m), componentsOf(m)
	return &discordgo.WebhookEdit{Content: &content, Embeds: &embeds, Components: &comps, AllowedMentions: noMentions()}
}

// followUpPayload is a follow-up message of an interaction.
func followUpPayload(m render.Message, ephemeral bool) *discordgo.WebhookParams {
	return &discordgo.WebhookParams{
		Content: m.Content, Embeds: m.Embeds, Components: componentsOf(m),
		AllowedMentions: noMentions(), Flags: flags(ephemeral),
	}
}

// replyPayload is a channel message; with to, a reply to that message
// (which does not ping its author, and is sent without the reference if
// the message was deleted meanwhile).
func replyPayload(m render.Message, to *discordgo.Message) *discordgo.MessageSend {
	send := &discordgo.MessageSend{
		Content: m.Content, Embeds: embedsOf(m), Components: componentsOf(m),
		AllowedMentions: noMentions(), StickerIDs: []string{},
	}
	if to != nil {
		no := false
		send.Reference = &discordgo.MessageReference{MessageID: to.ID, ChannelID: to.ChannelID, GuildID: to.GuildID, FailIfNotExists: &no}
	}
	return send
}

// callback sends an interaction response.
func (b *Bot) callback(ctx context.Context, x *exchange, what string, resp *discordgo.InteractionResponse) error {
	_, err := b.request(ctx, x.rl, restCall{
		what: what, method: "POST", url: discordgo.EndpointInteractionResponse(x.i.ID, x.i.Token), body: resp,
		repeatable: true, acked: true,
	})
	return err
}

// respond acknowledges an interaction with a message (type 4).
func (b *Bot) respond(ctx context.Context, x *exchange, m render.Message, ephemeral bool) error {
	err := b.callback(ctx, x, "respond to an interaction", responsePayload(m, ephemeral))
	if err == nil {
		x.mu.Lock()
		x.answered = true
		x.mu.Unlock()
	}
	return err
}

// deferReply acknowledges an interaction with "thinking…" (type 5); the
// answer follows as an edit of the original response.
func (b *Bot) deferReply(ctx context.Context, x *exchange, ephemeral bool) error {
	err := b.callback(ctx, x, "acknowledge an interaction", deferPayload(ephemeral))
	if err == nil {
		x.mu.Lock()
		x.deferred = true
		x.mu.Unlock()
	}
	return err
}

// editOriginal replaces the original response with m, sending it at most
// attempts times (0: the default bound).
func (b *Bot) editOriginal(ctx context.Context, x *exchange, m render.Message, attempts int) error {
	_, err := b.editOriginalID(ctx, x, m, attempts)
	return err
}

// editOriginalID is editOriginal that also returns the message's id.
func (b *Bot) editOriginalID(ctx context.Context, x *exchange, m render.Message, attempts int) (string, error) {
	if x.gone.Load() {
		return "", errGone
	}
	resp, err := b.request(ctx, x.rl, restCall{
		what: "edit an interaction response", method: "PATCH",
		url:  discordgo.EndpointWebhookMessage(x.i.AppID, x.i.Token, "@original"),
		body: editPayload(m), repeatable: true, attempts: attempts,
	})
	return messageID(resp), x.notFound(err)
}

// messageID returns the id of the message object in a response body ("" if
// there is none).
func messageID(resp []byte) string {
	var m struct {
		ID string `json:"id"`
	}
	if json.Unmarshal(resp, &m) != nil {
		return ""
	}
	return m.ID
}

// followUp sends m as a follow-up message of an interaction.
func (b *Bot) followUp(ctx context.Context, x *exchange, m render.Message, ephemeral bool) (string, error) {
	if x.gone.Load() {
		return "", errGone
	}
	url := discordgo.EndpointWebhookToken(x.i.AppID, x.i.Token)
	resp, err := b.request(ctx, x.rl, restCall{
		what: "send a follow-up message", method: "POST", url: url + "?wait=true", bucket: url,
		body: followUpPayload(m, ephemeral),
	})
	return messageID(resp), x.notFound(err)
}

// deliver shows msgs as the response of a deferred interaction: the first
// edits the original response, the rest follow up. It stops at the first
// message that cannot be sent and returns the ids of those that were.
func (b *Bot) deliver(ctx context.Context, x *exchange, msgs []render.Message, ephemeral bool) ([]string, error) {
	var ids []string
	for n, m := range msgs {
		var id string
		var err error
		if n == 0 {
			id, err = b.editOriginalID(ctx, x, m, 0)
		} else {
			id, err = b.followUp(ctx, x, m, ephemeral)
		}
		if err != nil {
			return ids, fmt.Errorf("message %d of %d: %w", n+1, len(msgs), err)
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// reply sends msgs to the channel of msg, the first as a reply to it. It
// stops at the first message that cannot be sent, and returns the ids of
// those sent.
func (b *Bot) reply(ctx context.Context, msg *discordgo.Message, msgs []render.Message) ([]string, error) {
	url := discordgo.EndpointChannelMessages(msg.ChannelID)
	var ids []string
	for n, m := range msgs {
		to := msg
		if n > 0 {
			to = nil
		}
		resp, err := b.request(ctx, b.s.Ratelimiter, restCall{what: "send a message", method: "POST", url: url, body: replyPayload(m, to)})
		if err != nil {
			return ids, fmt.Errorf("message %d of %d: %w", n+1, len(msgs), err)
		}
		ids = append(ids, messageID(resp))
	}
	return ids, nil
}

// commandsURL is the endpoint of the application's commands: global with
// guildID empty, else that guild's.
func commandsURL(appID, guildID string) string {
	if guildID == "" {
		return discordgo.EndpointApplicationGlobalCommands(appID)
	}
	return discordgo.EndpointApplicationGuildCommands(appID, guildID)
}

// registerCommands overwrites the application's commands in a scope with
// cmds and returns how many Discord registered.
func (b *Bot) registerCommands(ctx context.Context, appID, guildID string, cmds []*discordgo.ApplicationCommand) (int, error) {
	resp, err := b.request(ctx, b.s.Ratelimiter, restCall{what: "register commands", method: "PUT", url: commandsURL(appID, guildID), body: cmds, repeatable: true})
	if err != nil {
		return 0, err
	}
	var got []json.RawMessage
	if err := json.Unmarshal(resp, &got); err != nil {
		return 0, fmt.Errorf("register commands: unexpected answer: %w", err)
	}
	return len(got), nil
}

// clearCommands removes the application's commands from a scope, if it
// has any, and returns how many there were.
func (b *Bot) clearCommands(ctx context.Context, appID, guildID string) (int, error) {
	url := commandsURL(appID, guildID)
	resp, err := b.request(ctx, b.s.Ratelimiter, restCall{what: "list commands", method: "GET", url: url, repeatable: true})
	if err != nil {
		return 0, err
	}
	var got []json.RawMessage
	if err := json.Unmarshal(resp, &got); err != nil {
		return 0, fmt.Errorf("list commands: unexpected answer: %w", err)
	}
	if len(got) == 0 {
		return 0, nil
	}
	if _, err := b.registerCommands(ctx, appID, guildID, []*discordgo.ApplicationCommand{}); err != nil {
		return 0, err
	}
	return len(got), nil
}
