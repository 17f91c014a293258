package bot

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"citebot/bot/internal/render"
	"citebot/rag"
	"citebot/rag/textutil"
)

// typingDelay is how long an answer may take before the bot shows "citebot
// is typing…"; fast answers need no indicator.
const typingDelay = 750 * time.Millisecond

// onMessage answers MESSAGE_CREATE events that mention the bot, reply to
// it (see Options.MessageContent) or arrive in a direct message, as a
// reply; a message that continues a conversation carries its earlier
// turns (followup.go). Other bots, webhooks and the bot itself are
// ignored.
func (b *Bot) onMessage(_ *discordgo.Session, mc *discordgo.MessageCreate) {
	m := mc.Message
	self, ok := b.addressed(m)
	if !ok {
		return
	}
	// A reply to the bot, or a mention in a thread where it answered,
	// continues that conversation (followup.go); "thanks!" there is not a
	// question, and costs the user nothing.
	conv := b.messageContext(m, self)
	if (repliesToSelf(m, self) || conv.history != nil) && ignorable(StripMention(m.Content, self), conv) {
		b.log.Debug("not answering a reply that holds no question", "message", m.ID, "user", m.Author.ID)
		return
	}
	accepting := b.begin()
	defer b.active.done()
	defer b.recover("message", m.ID)
	say := func(text string) {
		out, cancel := b.deliveryContext(nil)
		defer cancel()
		if _, err := b.reply(out, m, []render.Message{render.Notice(text)}); err != nil {
			b.log.Warn("could not reply to a message", "message", m.ID, "error", err.Error())
		}
	}
	if !accepting {
		say(shuttingDown)
		return
	}
	question, err := rag.NormalizeQuestion(StripMention(m.Content, self))
	if errors.Is(err, rag.ErrEmptyQuestion) {
		say("Ask me a question about the news articles I know, for example “when did Biden and Xi last speak?”, or use /ask. /help lists everything I can do.")
		return
	}
	if err != nil {
		say(questionProblem(err))
		return
	}
	release, busy := b.lim.Admit(m.Author.ID)
	if busy != "" {
		say(busy)
		return
	}
	start := time.Now()
	defer func() { release(time.Since(start)) }()
	b.answerMessage(m, question, conv, say, start)
}

// answerMessage answers question, asked in m, as a reply to m; say
// replies with a notice.
func (b *Bot) answerMessage(m *discordgo.Message, question string, conv convContext, say func(string), start time.Time) {
	ctx, cancel := context.WithTimeout(b.work, b.opts.AnswerTimeout)
	defer cancel()
	stopTyping := b.typing(ctx, m.ChannelID)
	q := rag.Query{Question: question, AsOf: b.opts.AsOf(), K: b.opts.TopK, History: conv.history}
	ans, err := b.answer(ctx, q)
	stopTyping()
	if err != nil {
		say(b.explain(ctx, err, "message", m.ID, "user", m.Author.ID))
		return
	}
	if ans.Chitchat {
		b.log.Debug("not answering a message that holds no question", "message", m.ID, "user", m.Author.ID)
		return
	}
	// The delivery deadline starts now: the answer may have taken long.
	out, cancelOut := b.deliveryContext(nil)
	defer cancelOut()
	answerID := newAnswerID()
	ids, err := b.reply(out, m, b.withButtons(render.Answer(ans), answerID))
	b.remember(answerID, q, question, ans, ids, conv.thread)
	if err != nil {
		b.log.Warn("could not deliver an answer", "message", m.ID, "error", err.Error())
		return
	}
	via := "mention"
	if m.GuildID == "" {
		via = "dm"
	}
	b.log.Info("answered", "via", via, "message", m.ID, "user", m.Author.ID, "guild", m.GuildID,
		"not_found", ans.NotFound, "citations", len(ans.Citations), "mode", ans.Mode, "follow_up", len(conv.history) > 0,
		"took", time.Since(start).Round(time.Millisecond))
}

// addressed reports whether the bot answers m, and returns the bot's
// user id: m is a plain message or a reply from a user (not a bot, a
// webhook or the bot itself), in a direct message, mentioning the bot,
// or replying to it when the bot may read message content.
func (b *Bot) addressed(m *discordgo.Message) (self string, ok bool) {
	if m == nil || m.Author == nil || m.Author.Bot || m.WebhookID != "" {
		return "", false
	}
	self = b.selfID()
	if self == "" || m.Author.ID == self {
		return "", false
	}
	if m.Type != discordgo.MessageTypeDefault && m.Type != discordgo.MessageTypeReply {
		return "", false
	}
	if m.GuildID != "" && !mentions(m, self) && !(b.opts.MessageContent && repliesToSelf(m, self)) {
		return "", false
	}
	return self, true
}

// mentions reports whether m mentions the user id.
func mentions(m *discordgo.Message, id string) bool {
	for _, u := range m.Mentions {
		if u != nil && u.ID == id {
			return true
		}
	}
	return false
}

// StripMention removes the mentions of the user id (<@id> and the legacy
// nickname form <@!id>) from a message's content and collapses the white
// space left behind.
func StripMention(content, id string) string {
	content = strings.ReplaceAll(content, "<@"+id+">", " ")
	content = strings.ReplaceAll(content, "<@!"+id+">", " ")
	return textutil.OneLine(content)
}

// typing shows the typing indicator in a channel after typingDelay and
// renews it until the returned stop function is called.
func (b *Bot) typing(ctx context.Context, channelID string) (stop func()) {
	quit := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		wait := typingDelay
		for {
			t := time.NewTimer(wait)
			select {
			case <-t.C:
			case <-quit:
				t.Stop()
				return
			case <-ctx.Done():
				t.Stop()
				return
			}
			// One attempt: the indicator is a nicety.
			url := discordgo.EndpointChannelTyping(channelID)
			if _, err := b.request(ctx, b.s.Ratelimiter, restCall{what: "show typing", method: "POST", url: url, attempts: 1}); err != nil {
				b.log.Debug("typing indicator failed", "channel", channelID, "error", err.Error())
			}
			wait = 8 * time.Second // the indicator lasts about 10 s
		}
	}()
	return func() {
		close(quit)
		<-done
	}
}
