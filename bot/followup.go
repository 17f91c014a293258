package bot

import (
	"time"

	"github.com/bwmarrin/discordgo"

	"citebot/bot/internal/conversation"
	"citebot/bot/internal/render"
	"citebot/bot/internal/reply"
	"citebot/rag"
)

// A question continues a conversation when it is a message replying to
// one of the bot's answers (with the reply's ping on; without it only in
// a direct message or with Options.MessageContent), a mention of the bot
// in a thread where it has answered, or /ask in such a thread. A thread
// started from one of the bot's answers has that answer's message id as
// its id, so it continues from that answer.

// convContext is where a question stands in the bot's conversations.
type convContext struct {
	// history is the conversation the question continues (nil: a new one).
	history []rag.Turn
	// thread is the channel the question is asked in, for a question in a
	// guild ("" in a DM or for an ephemeral answer). The answer is
	// remembered as the channel's latest; that is used only once the
	// channel is known to be a thread, so an answer given before the
	// bot saw THREAD_CREATE still counts.
	thread string
}

// trackThreads learns which channels are threads from the gateway:
// THREAD_CREATE (a thread created where the bot can see it, or the bot
// added to one), GUILD_CREATE (the active threads of a guild) and
// THREAD_DELETE.
func (b *Bot) trackThreads() {
	b.s.AddHandler(func(_ *discordgo.Session, t *discordgo.ThreadCreate) {
		if t.Channel != nil && t.IsThread() {
			b.convs.LearnThread(t.ID)
			b.log.Debug("thread seen", "thread", t.ID)
		}
	})
	b.s.AddHandler(func(_ *discordgo.Session, t *discordgo.ThreadDelete) {
		if t.Channel != nil {
			b.convs.ForgetThread(t.ID)
		}
	})
	b.s.AddHandler(func(_ *discordgo.Session, g *discordgo.GuildCreate) {
		if g.Guild == nil {
			return
		}
		for _, t := range g.Threads {
			if t != nil && t.IsThread() {
				b.convs.LearnThread(t.ID)
			}
		}
	})
}

// channelContext is the conversation of a question asked in a channel
// without replying to anything: a known thread's latest answer, or the
// answer a thread was started from.
func (b *Bot) channelContext(channelID, guildID string) convContext {
	if guildID == "" {
		return convContext{}
	}
	c := convContext{thread: channelID}
	if h := b.convs.History(conversation.MessageKey(channelID)); h != nil {
		// A thread started from one of the bot's answers.
		b.convs.LearnThread(channelID)
		c.history = h
	}
	if b.convs.IsThread(channelID) {
		if latest := b.convs.History(conversation.ThreadKey(channelID)); latest != nil {
			c.history = latest
		}
	}
	return c
}

// messageContext is the conversation a message continues: the answer it
// replies to, else its thread's.
func (b *Bot) messageContext(m *discordgo.Message, self string) convContext {
	c := b.channelContext(m.ChannelID, m.GuildID)
	if repliesToSelf(m, self) {
		if h := b.convs.History(conversation.MessageKey(m.ReferencedMessage.ID)); h != nil {
			c.history = h
		}
	}
	return c
}

// ignorable reports whether a message that continues a conversation (or
// replies to the bot) asks nothing: "thanks!", "ok", an emoji. Within a
// remembered conversation only acknowledgements are ignored, since short
// follow-ups ("and before that", "the Chinese side") are questions; a
// reply to an answer the bot no longer remembers must also hold a
// question (see reply.HoldsQuestion).
func ignorable(text string, c convContext) bool {
	if rag.Chitchat(text) || reply.Acknowledges(text) {
		return true
	}
	return c.history == nil && !reply.HoldsQuestion(text)
}

// remember keeps an answer for follow-ups and feedback.
func (b *Bot) remember(answerID string, q rag.Query, question string, ans rag.Answer, ids []string, thread string) {
	if len(ids) == 0 {
		return
	}
	asOf := q.AsOf
	if asOf.IsZero() {
		asOf = rag.Today(time.Now())
	}
	b.convs.Remember(answerID, asOf, q.History, rag.Turn{Question: question, Answer: ans}, ids, thread)
}

// withButtons adds the feedback buttons to a rendered answer when votes
// are recorded.
func (b *Bot) withButtons(msgs []render.Message, answerID string) []render.Message {
	if b.opts.Feedback == nil {
		return msgs
	}
	return withFeedback(msgs, answerID)
}

// repliesToSelf reports whether m replies to a message of the bot's (its
// referenced_message, which Discord sends with a reply, is the bot's).
func repliesToSelf(m *discordgo.Message, self string) bool {
	r := m.ReferencedMessage
	return r != nil && r.Author != nil && r.Author.ID == self
}
