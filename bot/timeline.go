package bot

import (
	"context"
	"fmt"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"

	"citebot/rag"
	"citebot/rag/textutil"
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

	// timelinePrefix starts the custom ids of the page buttons.
	timelinePrefix = "tl:"
	// timelinePage is the most events one page shows.
	timelinePage = 10
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
	done, ok := b.admitAndDefer(x, "/timeline", false)
	if !ok {
		return
	}
	defer done()
	ctx, cancel := context.WithTimeout(b.work, b.opts.AnswerTimeout)
	defer cancel()
	tl, err := b.makeTimeline(ctx, tlr, rag.TimelineQuery{Topic: topic, AsOf: asOf, Filter: filter})
	out, cancelOut := b.deliveryContext(x)
	defer cancelOut()
	var msg Message
	if err != nil {
		msg = RenderNotice(b.explain(ctx, err, "interaction", i.ID, "command", cmdTimeline, "user", user.ID))
	} else {
		b.pages.put(i.ID, tl, x.received.Add(interactionLifetime))
		msg = RenderTimeline(tl, 0, i.ID)
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
	if !strings.HasPrefix(id, timelinePrefix) {
		b.notice(x, "This button no longer does anything.")
		return
	}
	key, page, ok := parseTimelineID(id)
	if !ok {
		b.notice(x, "This button no longer does anything.")
		return
	}
	tl, ok := b.pages.get(key)
	if !ok {
		b.notice(x, timelineExpired)
		return
	}
	m := RenderTimeline(tl, page, key)
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

// parseTimelineID reads "tl:<key>:<page>".
func parseTimelineID(id string) (key string, page int, ok bool) {
	rest := strings.TrimPrefix(id, timelinePrefix)
	k, p, found := strings.Cut(rest, ":")
	if !found || k == "" {
		return "", 0, false
	}
	n, err := strconv.Atoi(p)
	if err != nil || n < 0 {
		return "", 0, false
	}
	return k, n, true
}

// timelinePages returns how many pages tl fills.
func timelinePages(tl rag.Timeline) int {
	return max(1, (len(tl.Events)+timelinePage-1)/timelinePage)
}

// RenderTimeline renders page page (from 0; clamped) of a timeline: one
// embed with an event a line ("**date** — summary [1][2]", planned events
// marked "planned:"), the sources of the page's events as fields, "Page 2
// of 3" in the footer, and ◀ ▶ buttons whose custom ids carry key and the
// page they show; a timeline of one page has no buttons. An empty
// timeline says that nothing dated was found.
func RenderTimeline(tl rag.Timeline, page int, key string) Message {
	title := fitEscaped("Timeline: "+textutil.OneLine(tl.Topic), maxTitle)
	if len(tl.Events) == 0 {
		return Message{Embeds: []*discordgo.MessageEmbed{{Title: title, Color: colorNotFound,
			Description: "The articles report no dated events on this. /search shows what they say about it."}}}
	}
	pages := timelinePages(tl)
	page = min(max(page, 0), pages-1)
	evs := tl.Events[page*timelinePage : min(len(tl.Events), (page+1)*timelinePage)]
	var refs []int
	for _, e := range evs {
		for _, r := range e.Refs {
			if !containsInt(refs, r) {
				refs = append(refs, r)
			}
		}
	}
	build := func(sz fieldSizes) *discordgo.MessageEmbed {
		var lines []string
		for _, e := range evs {
			var b strings.Builder
			b.WriteString("**" + Escape(e.Date) + "** — ")
			if e.Planned {
				b.WriteString("*planned:* ")
			}
			b.WriteString(fitEscaped(textutil.OneLine(e.Summary), max(sz.quote, 60)))
			b.WriteByte(' ')
			for _, r := range e.Refs {
				fmt.Fprintf(&b, "[%d]", r)
			}
			lines = append(lines, b.String())
		}
		em := &discordgo.MessageEmbed{Title: title, Color: colorAnswer, Description: strings.Join(lines, "\n")}
		for i, r := range refs {
			if i == maxFields-1 && len(refs) > maxFields {
				em.Fields = append(em.Fields, &discordgo.MessageEmbedField{Name: "…", Value: fmt.Sprintf("and %d more sources", len(refs)-i)})
				break
			}
			c := tl.Citations[r-1]
			meta := []string{}
			if c.Source != "" {
				meta = append(meta, Escape(textutil.OneLine(c.Source)))
			}
			meta = append(meta, date(c.Published, c.Approximate), code(c.ArticleID))
			em.Fields = append(em.Fields, &discordgo.MessageEmbedField{
				Name:  fitEscaped(fmt.Sprintf("[%d] %s", c.Ref, textutil.OneLine(orDefault(c.Title, c.ArticleID))), sz.name),
				Value: fitRaw(strings.Join(meta, " · "), sz.meta),
			})
		}
		em.Footer = &discordgo.MessageEmbedFooter{Text: fmt.Sprintf("Page %d of %d · %s, oldest first", page+1, pages, textutil.Plural(len(tl.Events), "event"))}
		return em
	}
	m := Message{Embeds: []*discordgo.MessageEmbed{fitBudget(build, maxMessage)}}
	if pages > 1 {
		m.Components = []discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{
			discordgo.Button{Label: "◀", Style: discordgo.SecondaryButton, CustomID: fmt.Sprintf("%s%s:%d", timelinePrefix, key, max(page-1, 0)), Disabled: page == 0},
			discordgo.Button{Label: "▶", Style: discordgo.SecondaryButton, CustomID: fmt.Sprintf("%s%s:%d", timelinePrefix, key, min(page+1, pages-1)), Disabled: page == pages-1},
		}}}
	}
	return m
}

func containsInt(xs []int, x int) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}
