package bot

import (
	"context"
	"fmt"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"

	"citebot/bot/internal/render"
	"citebot/rag"
)

// /timeline lists the dated events on a topic, a page of at most
// timelinePage events per embed, with ◀ ▶ buttons whose custom ids are
// "tl:<key>:<page>" (key: the id of the /timeline interaction). The bot
// keeps the timeline for the buttons as long as Discord lets it answer the
// interaction (15 minutes); a button pressed later gets a reply saying
// the buttons have expired.

const (
	cmdTimeline = "timeline"
	optTopic    = "topic"

	// maxStoredTimelines bounds the timelines kept for paging; the oldest
	// go first.
	maxStoredTimelines = 500
)

// Timeliner lists the dated events on a topic; *rag.Index implements it.
type Timeliner interface {
	Timeline(ctx context.Context, q rag.TimelineQuery) (rag.Timeline, error)
}

var _ Timeliner = (*rag.Index)(nil)

// timelineCommand returns the /timeline command's options.
func timelineOptions() []*discordgo.ApplicationCommandOption {
	ten := 10
	return withFilters(
		&discordgo.ApplicationCommandOption{Type: discordgo.ApplicationCommandOptionString, Name: optTopic,
			Description: "What the events are about, e.g. Biden Xi calls and meetings", Required: true, MaxLength: rag.MaxQuestionRunes},
		&discordgo.ApplicationCommandOption{Type: discordgo.ApplicationCommandOptionString, Name: optAsOf,
			Description: "Leave out articles published after this date, YYYY-MM-DD", MinLength: &ten, MaxLength: 10},
	)
}

// timelines keeps the timelines shown, for their page buttons.
type timelines struct {
	mu    sync.Mutex
	byKey map[string]*storedTimeline
	order []string // keys, oldest first
}

type storedTimeline struct {
	tl      rag.Timeline
	expires time.Time
}

func (ts *timelines) put(key string, tl rag.Timeline, expires time.Time) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if ts.byKey == nil {
		ts.byKey = map[string]*storedTimeline{}
	}
	now := time.Now()
	for len(ts.order) > 0 && (len(ts.order) >= maxStoredTimelines || ts.byKey[ts.order[0]] == nil || ts.byKey[ts.order[0]].expires.Before(now)) {
		delete(ts.byKey, ts.order[0])
		ts.order = ts.order[1:]
	}
	ts.byKey[key] = &storedTimeline{tl: tl, expires: expires}
	ts.order = append(ts.order, key)
}

// get returns the timeline of key, and false when it is unknown or its
// buttons have expired.
func (ts *timelines) get(key string) (rag.Timeline, bool) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	st := ts.byKey[key]
	if st == nil || !time.Now().Before(st.expires) {
		return rag.Timeline{}, false
	}
	return st.tl, true
}

// expireAll makes every stored timeline's buttons expired (for tests).
func (ts *timelines) expireAll() {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	for _, st := range ts.byKey {
		st.expires = time.Time{}
	}
}

// timeliner returns what makes timelines: Options.Timeliner, else the
// Searcher when it can, else nil.
func (b *Bot) timeliner() Timeliner {
	if b.opts.Timeliner != nil {
		return b.opts.Timeliner
	}
	t, _ := b.opts.Searcher.(Timeliner)
	return t
}

// timeline answers /timeline: the first page of the dated events on the
// topic.
func (b *Bot) timeline(x *exchange, data discordgo.ApplicationCommandInteractionData) {
	i := x.i
	opts := options(data)
	topic, err := rag.NormalizeQuestion(stringOpt(opts[optTopic]))
	if err != nil {
		b.notice(x, "Give me a topic, like “Biden Xi calls and meetings”.")
		return
	}
	asOf, filter, ok := b.lookupOptions(x, opts)
	if !ok {
		return
	}
	tlr := b.timeliner()
	if tlr == nil {
		b.notice(x, "Timelines are not available on this bot.")
		return
	}
	user := userOf(i)
	ctx, done, ok := b.admitAndDefer(x, "/timeline", false)
	if !ok {
		return
	}
	defer done()
	tl, err := b.makeTimeline(ctx, tlr, rag.TimelineQuery{Topic: topic, AsOf: asOf, Filter: filter})
	out, cancelOut := b.deliveryContext(x)
	defer cancelOut()
	var msg render.Message
	if err != nil {
		msg = render.Notice(b.explain(ctx, err, "interaction", i.ID, "command", cmdTimeline, "user", user.ID))
	} else {
		b.pages.put(i.ID, tl, x.received.Add(interactionLifetime))
		msg = render.Timeline(tl, 0, i.ID)
	}
	if err := b.editOriginal(out, x, msg, 0); err != nil {
		b.log.Warn("could not deliver a timeline", "interaction", i.ID, "error", err.Error())
		return
	}
	if err == nil {
		b.log.Info("timeline shown", "interaction", i.ID, "user", user.ID, "guild", i.GuildID, "events", len(tl.Events))
	}
}

// makeTimeline runs the timeliner; a panic becomes an error with its
// stack.
func (b *Bot) makeTimeline(ctx context.Context, t Timeliner, q rag.TimelineQuery) (tl rag.Timeline, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("the timeliner %w: %v\n%s", errPanicked, r, debug.Stack())
		}
	}()
	return t.Timeline(ctx, q)
}

// timelineExpired is the reply to a page button pressed too late.
const timelineExpired = "These page buttons have expired: they work for 15 minutes after /timeline. Run /timeline again to page through the events."

// component handles a button press: the page buttons of /timeline.
func (b *Bot) component(x *exchange, data discordgo.MessageComponentInteractionData) {
	id := data.CustomID
	if !strings.HasPrefix(id, render.TimelinePrefix) {
		b.notice(x, "This button no longer does anything.")
		return
	}
	key, page, ok := render.ParseTimelineID(id)
	if !ok {
		b.notice(x, "This button no longer does anything.")
		return
	}
	tl, ok := b.pages.get(key)
	if !ok {
		b.notice(x, timelineExpired)
		return
	}
	m := render.Timeline(tl, page, key)
	ctx, cancel := b.ackContext(x)
	defer cancel()
	err := b.callback(ctx, x, "show a timeline page", &discordgo.InteractionResponse{
		Type: discordgo.InteractionResponseUpdateMessage,
		Data: &discordgo.InteractionResponseData{Content: m.Content, Embeds: embedsOf(m), Components: componentsOf(m), AllowedMentions: noMentions()},
	})
	if err != nil {
		b.log.Warn("could not show a timeline page", "interaction", x.i.ID, "error", err.Error())
	}
}
