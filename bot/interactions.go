package bot

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"citebot/bot/internal/render"
	"citebot/bot/internal/reply"
	"citebot/bot/internal/rest"
	"citebot/rag"
)

// ackTimeout bounds the acknowledgement of an interaction; Discord drops
// interactions not acknowledged within 3 seconds.
const ackTimeout = 3 * time.Second

// onInteraction handles INTERACTION_CREATE: slash commands, autocomplete
// and button clicks.
func (b *Bot) onInteraction(_ *discordgo.Session, ic *discordgo.InteractionCreate) {
	i := ic.Interaction
	if i == nil {
		return
	}
	x := newExchange(i)
	accepting := b.begin()
	defer b.active.done()
	defer b.recoverInteraction(x)
	switch i.Type {
	case discordgo.InteractionApplicationCommand:
		if !accepting {
			b.notice(x, shuttingDown)
			return
		}
		data := i.ApplicationCommandData()
		switch data.Name {
		case cmdAsk:
			b.ask(x, data)
		case cmdSearch:
			b.search(x, data)
		case cmdSources:
			b.sources(x)
		case cmdArticle:
			b.article(x, data)
		case cmdTimeline:
			b.timeline(x, data)
		case cmdHelp:
			b.send(x, render.Help(), true)
		default:
			b.notice(x, "I don't know that command (any more). /help lists the ones I have.")
		}
	case discordgo.InteractionMessageComponent:
		b.onComponent(x, accepting)
	case discordgo.InteractionApplicationCommandAutocomplete:
		var choices []*discordgo.ApplicationCommandOptionChoice
		if accepting {
			choices = b.suggest(i.ApplicationCommandData())
		}
		b.autocomplete(x, choices)
	}
}

// somethingWrong is what users hear when answering failed for a reason
// they cannot act on.
const somethingWrong = "Sorry, something went wrong while answering. The cause has been logged for the server owner."

// recover turns a panic in a handler into a log entry.
func (b *Bot) recover(kind, id string) {
	if r := recover(); r != nil {
		b.log.Error("handler panicked", "kind", kind, "id", id, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
	}
}

// recoverInteraction turns a panic in an interaction handler into a log
// entry, and tells the user unless they already have a message.
func (b *Bot) recoverInteraction(x *exchange) {
	r := recover()
	if r == nil {
		return
	}
	b.log.Error("handler panicked", "kind", "interaction", "id", x.i.ID, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
	if x.i.Type != discordgo.InteractionApplicationCommand {
		return
	}
	answered, deferred := x.acknowledged()
	switch {
	case deferred:
		ctx, cancel := b.deliveryContext(x)
		defer cancel()
		if err := b.editOriginal(ctx, x, render.Notice(somethingWrong), 0); err != nil {
			b.log.Warn("could not tell the user about a failure", "interaction", x.i.ID, "error", err.Error())
		}
	case !answered:
		b.notice(x, somethingWrong)
	}
}

// userOf returns who invoked an interaction: member.user in guilds, user in
// DMs.
func userOf(i *discordgo.Interaction) *discordgo.User {
	if i.Member != nil && i.Member.User != nil {
		return i.Member.User
	}
	if i.User != nil {
		return i.User
	}
	return &discordgo.User{}
}

func options(data discordgo.ApplicationCommandInteractionData) map[string]*discordgo.ApplicationCommandInteractionDataOption {
	m := map[string]*discordgo.ApplicationCommandInteractionDataOption{}
	for _, o := range data.Options {
		m[o.Name] = o
	}
	return m
}

func stringOpt(o *discordgo.ApplicationCommandInteractionDataOption) string {
	if o == nil {
		return ""
	}
	s, _ := o.Value.(string)
	return s
}

func boolOpt(o *discordgo.ApplicationCommandInteractionDataOption) bool {
	if o == nil {
		return false
	}
	v, _ := o.Value.(bool)
	return v
}

// send answers an interaction at once with m.
func (b *Bot) send(x *exchange, m render.Message, ephemeral bool) {
	ctx, cancel := b.ackContext(x)
	defer cancel()
	if err := b.respond(ctx, x, m, ephemeral); err != nil {
		b.log.Warn("could not respond to an interaction", "interaction", x.i.ID, "error", err.Error())
	}
}

// notice answers an interaction at once with a short message only the
// user sees.
func (b *Bot) notice(x *exchange, text string) {
	b.send(x, render.Notice(text), true)
}

// autocomplete sends the suggestions for the option being typed. Discord
// refuses a result without choices, and discordgo leaves an empty list
// out, so no suggestion is sent as one choice that says so and keeps what
// was typed as its value.
func (b *Bot) autocomplete(x *exchange, choices []*discordgo.ApplicationCommandOptionChoice) {
	if len(choices) == 0 {
		typed := strings.TrimSpace(focusedValue(x.i.ApplicationCommandData().Options))
		if typed == "" {
			typed = "-"
		}
		choices = []*discordgo.ApplicationCommandOptionChoice{{Name: "No match — keep typing", Value: render.Shorten(typed, maxTypedChoice)}}
	}
	ctx, cancel := b.ackContext(x)
	defer cancel()
	err := b.callback(ctx, x, "send autocomplete choices", &discordgo.InteractionResponse{
		Type: discordgo.InteractionApplicationCommandAutocompleteResult,
		Data: &discordgo.InteractionResponseData{Choices: choices},
	})
	if err != nil {
		b.log.Debug("could not send autocomplete choices", "interaction", x.i.ID, "error", err.Error())
	}
}

// parseAsOf parses an as_of option.
func parseAsOf(s string) (time.Time, error) {
	return time.Parse(time.DateOnly, strings.TrimSpace(s))
}

// ask answers /ask: validate, check limits, defer, answer (streaming a
// model's text), then show the answer.
func (b *Bot) ask(x *exchange, data discordgo.ApplicationCommandInteractionData) {
	i := x.i
	opts := options(data)
	ephemeral := boolOpt(opts[optEphemeral])
	asOf, filter, ok := b.lookupOptions(x, opts)
	if !ok {
		return
	}
	question, err := rag.NormalizeQuestion(stringOpt(opts[optQuestion]))
	if err != nil {
		b.notice(x, questionProblem(err))
		return
	}
	// In a thread where the bot answered, /ask continues the conversation.
	conv := b.channelContext(i.ChannelID, i.GuildID)
	if conv.history != nil && (rag.Chitchat(question) || reply.Acknowledges(question)) {
		b.notice(x, nothingAsked)
		return
	}
	if ephemeral {
		conv.thread = "" // only its asker sees it: not the thread's latest answer
	}
	user := userOf(i)
	start := time.Now()
	ctx, done, ok := b.admitAndDefer(x, "/ask", ephemeral)
	if !ok {
		return
	}
	defer done()
	st := b.newStreamer(ctx, x, question)
	q := rag.Query{Question: question, AsOf: asOf, K: b.opts.TopK, OnDelta: st.add, History: conv.history, Filter: filter}
	ans, err := b.answer(ctx, q)
	st.finish()

	out, cancelOut := b.deliveryContext(x)
	defer cancelOut()
	if x.gone.Load() {
		b.log.Info("not delivering the answer: its message was deleted", "interaction", i.ID, "user", user.ID)
		return
	}
	if err != nil {
		text := b.explain(ctx, err, "interaction", i.ID, "command", cmdAsk, "user", user.ID)
		if err := b.editOriginal(out, x, render.Notice(text), 0); err != nil {
			b.log.Warn("could not tell the user about a failed answer", "interaction", i.ID, "error", err.Error())
		}
		return
	}
	if ans.Chitchat {
		if err := b.editOriginal(out, x, render.Notice(nothingAsked), 0); err != nil {
			b.log.Warn("could not deliver an answer", "interaction", i.ID, "error", err.Error())
		}
		return
	}
	answerID := newAnswerID()
	ids, err := b.deliver(out, x, b.withButtons(render.Answer(ans), answerID), ephemeral)
	b.remember(answerID, q, question, ans, ids, conv.thread)
	if err != nil {
		b.log.Warn("could not deliver an answer", "interaction", i.ID, "delivered", len(ids), "error", err.Error())
		if len(ids) == 0 && rest.HTTPStatus(err) == http.StatusBadRequest {
			// Discord refused the answer itself (a rendering bug): say so
			// rather than leave "thinking…".
			_ = b.editOriginal(out, x, render.Notice(somethingWrong), 1)
		}
		return
	}
	b.log.Info("answered", "via", "/ask", "interaction", i.ID, "user", user.ID, "guild", i.GuildID,
		"not_found", ans.NotFound, "citations", len(ans.Citations), "mode", ans.Mode, "follow_up", len(conv.history) > 0,
		"took", time.Since(start).Round(time.Millisecond))
}

// nothingAsked answers /ask with a question that asks nothing ("thanks!").
const nothingAsked = "Glad to help. Ask a question about the articles whenever you like, for example a follow-up such as “and where was that?”."

// errPanicked reports that the answerer or searcher panicked.
var errPanicked = errors.New("panicked")

// answer runs the answerer; a panic becomes an error with its stack.
func (b *Bot) answer(ctx context.Context, q rag.Query) (a rag.Answer, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("the answerer %w: %v\n%s", errPanicked, r, debug.Stack())
		}
	}()
	return b.opts.Answerer.Answer(ctx, q)
}

// searchPassages runs the searcher; a panic becomes an error with its
// stack.
func (b *Bot) searchPassages(ctx context.Context, query string, opts rag.SearchOptions) (ps []rag.Passage, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("the searcher %w: %v\n%s", errPanicked, r, debug.Stack())
		}
	}()
	return b.opts.Searcher.Search(ctx, query, opts)
}

// questionProblem explains why a question cannot be asked.
func questionProblem(err error) string {
	switch {
	case errors.Is(err, rag.ErrEmptyQuestion):
		return "Your question has no words in it. Ask something like “when did Biden and Xi last speak?”"
	case errors.Is(err, rag.ErrQuestionTooLong):
		return fmt.Sprintf("Your question is too long; please keep it under %d characters.", rag.MaxQuestionRunes)
	}
	return "I can't read that question; please rephrase it."
}

// explain turns an answering error into a short reason for the user and
// logs the cause.
func (b *Bot) explain(ctx context.Context, err error, attrs ...any) string {
	attrs = append(attrs, "error", err.Error())
	switch {
	case errors.Is(err, rag.ErrEmptyQuestion), errors.Is(err, rag.ErrQuestionTooLong):
		return questionProblem(err)
	case errors.Is(err, rag.ErrNoArticles):
		text, _ := noMatchText(err)
		return text
	case b.work.Err() != nil:
		b.log.Info("answer cancelled by shutdown", attrs...)
		return "citebot is shutting down and could not finish this answer. Please ask again in a minute."
	case errors.Is(err, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded):
		b.log.Warn("answer timed out", append(attrs, "timeout", b.opts.AnswerTimeout)...)
		return fmt.Sprintf("That took longer than %s, so I stopped. Try a narrower question, or ask again later.", b.opts.AnswerTimeout)
	case errors.Is(err, rag.ErrEmptyIndex):
		b.log.Warn("question asked of an empty index", attrs...)
		return "The corpus is empty, so I have nothing to answer from."
	}
	b.log.Error("answering failed", attrs...)
	return somethingWrong
}

// search answers /search with the best-matching passages.
func (b *Bot) search(x *exchange, data discordgo.ApplicationCommandInteractionData) {
	i := x.i
	opts := options(data)
	query, err := rag.NormalizeQuestion(stringOpt(opts[optQuery]))
	if err != nil {
		b.notice(x, "Give me some words to search for, like “theater commander call”.")
		return
	}
	filter, problem := parseFilter(opts)
	if problem != "" {
		b.notice(x, problem)
		return
	}
	user := userOf(i)
	ctx, done, ok := b.admitAndDefer(x, "/search", false)
	if !ok {
		return
	}
	defer done()
	ps, err := b.searchPassages(ctx, query, rag.SearchOptions{K: max(b.opts.TopK, 5), Before: b.opts.AsOf(), Filter: filter})
	out, cancelOut := b.deliveryContext(x)
	defer cancelOut()
	var msg render.Message
	if err != nil {
		msg = render.Notice(b.explain(ctx, err, "interaction", i.ID, "command", cmdSearch, "user", user.ID))
	} else {
		msg = render.Search(query, ps)
	}
	if err := b.editOriginal(out, x, msg, 0); err != nil {
		b.log.Warn("could not deliver search results", "interaction", i.ID, "error", err.Error())
	}
}

// admitAndDefer admits the interaction's user past the rate and
// concurrency limits (or tells them they are busy) and acknowledges the
// interaction with a deferred reply. When ok, ctx bounds the work by
// Options.AnswerTimeout, and the caller must call done once the work is
// over.
func (b *Bot) admitAndDefer(x *exchange, command string, ephemeral bool) (ctx context.Context, done func(), ok bool) {
	release, busy := b.lim.Admit(userOf(x.i).ID)
	if busy != "" {
		b.notice(x, busy)
		return nil, nil, false
	}
	start := time.Now()
	finish := func() { release(time.Since(start)) }
	ack, cancelAck := b.ackContext(x)
	err := b.deferReply(ack, x, ephemeral)
	cancelAck()
	if err != nil {
		b.log.Warn("could not acknowledge "+command, "interaction", x.i.ID, "error", err.Error())
		finish()
		return nil, nil, false
	}
	ctx, cancel := context.WithTimeout(b.work, b.opts.AnswerTimeout)
	return ctx, func() { cancel(); finish() }, true
}

// lookupOptions reads the as_of, source, since and until options of a
// lookup (/ask, /timeline); a bad value gets the user a notice that names
// it, and ok false.
func (b *Bot) lookupOptions(x *exchange, opts map[string]*discordgo.ApplicationCommandInteractionDataOption) (asOf time.Time, filter rag.Filter, ok bool) {
	asOf = b.opts.AsOf()
	if raw := stringOpt(opts[optAsOf]); raw != "" {
		t, err := parseAsOf(raw)
		if err != nil {
			b.notice(x, fmt.Sprintf("as_of must be a date written year-month-day, like 2024-10-01; “%s” is not.", render.Typed(raw, 40)))
			return asOf, filter, false
		}
		asOf = t
	}
	filter, problem := parseFilter(opts)
	if problem != "" {
		b.notice(x, problem)
		return asOf, filter, false
	}
	return asOf, filter, true
}

// maxTypedChoice bounds, in characters, the typed text kept as a choice's
// value: Discord accepts 100 UTF-16 units, which 50 characters never
// exceed.
const maxTypedChoice = 50

// focusedValue returns the text of the option being typed, "" when none.
func focusedValue(opts []*discordgo.ApplicationCommandInteractionDataOption) string {
	for _, o := range opts {
		if o.Focused {
			s, _ := o.Value.(string)
			return s
		}
		if v := focusedValue(o.Options); v != "" {
			return v
		}
	}
	return ""
}
