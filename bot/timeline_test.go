package bot_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"citebot/bot"
	"citebot/bot/discordtest"
	"citebot/bot/internal/render"
	"citebot/corpus"
	"citebot/rag"
)

// timelineFunc adapts a function to bot.Timeliner.
type timelineFunc func(ctx context.Context, q rag.TimelineQuery) (rag.Timeline, error)

func (f timelineFunc) Timeline(ctx context.Context, q rag.TimelineQuery) (rag.Timeline, error) {
	return f(ctx, q)
}

// longTimeline has n events, one a month from January 2020, the odd ones
// planned, each citing one of three articles.
func longTimeline(n int) rag.Timeline {
	tl := rag.Timeline{Topic: "budget talks"}
	for r := 1; r <= 3; r++ {
		tl.Citations = append(tl.Citations, rag.Citation{Ref: r, ArticleID: fmt.Sprintf("art-%d", r), Title: fmt.Sprintf("Article %d @everyone", r),
			Source: "Example News", Published: "2021-01-01", Quote: "q"})
	}
	for i := 0; i < n; i++ {
		tl.Events = append(tl.Events, rag.TimelineEvent{Date: fmt.Sprintf("event-%02d", i+1), Planned: i%2 == 1,
			Summary: fmt.Sprintf("Summary %d <@123456789012345678>", i+1), Action: "meeting", Refs: []int{i%3 + 1}})
	}
	return tl
}

// timelineMessage waits for the timeline of in to be shown and returns its
// message.
func timelineMessage(t *testing.T, fake *discordtest.Server, in discordtest.Interaction) discordtest.Message {
	t.Helper()
	waitEdit(t, fake, in, func(r discordtest.Request) bool {
		return strings.Contains(bodyText(r), "Timeline") || r.Body["content"] != nil
	})
	m, ok := fake.Response(in)
	if !ok {
		t.Fatal("no original response")
	}
	return m
}

func messageText(m discordtest.Message) string {
	return bodyText(discordtest.Request{Body: map[string]any{"content": m.Content, "embeds": anyObjects(m.Embeds)}})
}

func anyObjects(ms []map[string]any) []any {
	out := make([]any, len(ms))
	for i, m := range ms {
		out[i] = m
	}
	return out
}

// buttons returns the custom ids of a message's buttons, with "(off)"
// after disabled ones.
func buttons(m discordtest.Message) []string {
	var out []string
	for _, row := range m.Components {
		for _, c := range discordtest.Objects(row["components"]) {
			id, _ := c["custom_id"].(string)
			if off, _ := c["disabled"].(bool); off {
				id += "(off)"
			}
			out = append(out, id)
		}
	}
	return out
}

func TestTimelinePages(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t, discordtest.Options{})
	var mu sync.Mutex
	var got []rag.TimelineQuery
	r := startBot(t, fake, bot.Options{Answerer: answerWith(bidenXiAnswer()), Timeliner: timelineFunc(func(_ context.Context, q rag.TimelineQuery) (rag.Timeline, error) {
		mu.Lock()
		got = append(got, q)
		mu.Unlock()
		return longTimeline(23), nil
	})})
	u := fake.NewUser("ann")
	in, err := fake.Invoke(discordtest.Invocation{Command: "timeline", User: u, Options: []discordtest.Opt{{Name: "topic", Value: "budget talks"},
		{Name: "source", Value: "Example News"}, {Name: "since", Value: "2020"}, {Name: "until", Value: "2021-06"}, {Name: "as_of", Value: "2022-01-01"}}})
	if err != nil {
		t.Fatal(err)
	}
	m := timelineMessage(t, fake, in)
	mu.Lock()
	q := got[0]
	mu.Unlock()
	if q.Topic != "budget talks" || q.Filter.Source != "Example News" || q.Filter.Since.String() != "2020" || q.Filter.Until.String() != "June 2021" || q.AsOf.Format("2006-01-02") != "2022-01-01" {
		t.Errorf("got query %+v, want the topic, filter and as_of passed on", q)
	}
	key := in.ID
	pages := []struct {
		click    string
		first    string
		last     string
		footer   string
		buttons  string
		notFirst string
	}{
		{"", "event-01", "event-10", "Page 1 of 3 · 23 events, oldest first", fmt.Sprintf("tl:%s:0(off) tl:%s:1", key, key), "event-11"},
		{fmt.Sprintf("tl:%s:1", key), "event-11", "event-20", "Page 2 of 3", fmt.Sprintf("tl:%s:0 tl:%s:2", key, key), "event-10"},
		{fmt.Sprintf("tl:%s:2", key), "event-21", "event-23", "Page 3 of 3", fmt.Sprintf("tl:%s:1 tl:%s:2(off)", key, key), "event-20"},
		{fmt.Sprintf("tl:%s:1", key), "event-11", "event-20", "Page 2 of 3", fmt.Sprintf("tl:%s:0 tl:%s:2", key, key), "event-21"},
	}
	for i, p := range pages {
		if p.click != "" {
			ci, err := fake.Click(discordtest.Click{User: u, MessageID: m.ID, CustomID: p.click})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := fake.WaitRequest(waitCtx(t), func(r discordtest.Request) bool { return r.Interaction == ci.ID && r.Status == 204 }); err != nil {
				t.Fatalf("page %d: %v", i+1, err)
			}
			m, _ = fake.Message(m.ID)
		}
		text := messageText(m)
		if !strings.Contains(text, "**"+p.first+"**") || !strings.Contains(text, "**"+p.last+"**") || strings.Contains(text, p.notFirst) ||
			!strings.Contains(text, p.footer) || strings.Join(buttons(m), " ") != p.buttons {
			t.Errorf("step %d: got %q with buttons %v, want %s … %s, footer %q, buttons %s", i+1, text, buttons(m), p.first, p.last, p.footer, p.buttons)
		}
		if !strings.Contains(text, "*planned:* Summary 2") && i == 0 {
			t.Errorf("planned events are not marked: %q", text)
		}
		if am := m.AllowedMentions; am == nil || len(discordtest.Objects(am["parse"])) != 0 || fmt.Sprint(am["parse"]) != "[]" {
			t.Errorf("step %d: allowed_mentions %v, want none", i+1, am)
		}
	}

	bot.ExpireTimelines(r.bot)
	ci, err := fake.Click(discordtest.Click{User: u, MessageID: m.ID, CustomID: fmt.Sprintf("tl:%s:0", key)})
	if err != nil {
		t.Fatal(err)
	}
	ack, err := fake.WaitRequest(waitCtx(t), func(r discordtest.Request) bool { return r.Interaction == ci.ID })
	if err != nil {
		t.Fatal(err)
	}
	text := bodyText(discordtest.Request{Body: ack.Message()})
	if !strings.Contains(text, "expired") || fmt.Sprint(ack.Message()["flags"]) != "64" {
		t.Errorf("after expiry: got %q (flags %v), want an ephemeral note that the buttons expired", text, ack.Message()["flags"])
	}
	if after, _ := fake.Message(m.ID); messageText(after) != messageText(m) {
		t.Errorf("an expired button changed the message")
	}
}

func TestTimelineSeed(t *testing.T) {
	t.Parallel()
	arts, err := corpus.Shipped()
	if err != nil {
		t.Fatal(err)
	}
	ix := rag.NewIndex(rag.IndexOptions{})
	if _, err := ix.Update(context.Background(), arts, nil); err != nil {
		t.Fatal(err)
	}
	fake := discordtest.New(t, discordtest.Options{})
	startBot(t, fake, bot.Options{Answerer: answerWith(bidenXiAnswer()), Searcher: ix})
	u := fake.NewUser("ann")
	run := func(opts ...discordtest.Opt) string {
		t.Helper()
		in := invoke(t, fake, discordtest.Invocation{Command: "timeline", User: u, Options: append([]discordtest.Opt{{Name: "topic", Value: "Biden Xi calls and meetings"}}, opts...)})
		m := timelineMessage(t, fake, in)
		if len(m.Components) != 0 && strings.Contains(messageText(m), "Timeline") {
			t.Errorf("a timeline of one page has buttons: %v", buttons(m))
		}
		return messageText(m)
	}
	text := run()
	var order []int
	for _, d := range []string{"**10 February 2021**", "**9 September 2021**", "**November 2021** — *planned:*", "**July 2022**", "**November 2022**",
		"**November 2023**", "**April 2024**", "**the weeks after 28 August 2024** — *planned:*"} {
		order = append(order, strings.Index(text, d))
	}
	for i, at := range order {
		if at < 0 || i > 0 && at < order[i-1] {
			t.Fatalf("event %d missing or out of order in:\n%s", i+1, text)
		}
	}
	if !strings.Contains(text, "Page 1 of 1 · 8 events") {
		t.Errorf("footer: %q", text)
	}
	if got := run(discordtest.Opt{Name: "source", Value: "Reuters"}, discordtest.Opt{Name: "until", Value: "2020"}); !strings.Contains(got, "No articles from Reuters before 2021.") {
		t.Errorf("empty filter: got %q", got)
	}
	in := invoke(t, fake, discordtest.Invocation{Command: "timeline", User: u, Options: []discordtest.Opt{{Name: "topic", Value: "Biden"}, {Name: "since", Value: "2024-13"}}})
	ack, err := fake.WaitRequest(waitCtx(t), func(r discordtest.Request) bool { return r.Interaction == in.ID })
	if err != nil {
		t.Fatal(err)
	}
	if got := bodyText(discordtest.Request{Body: ack.Message()}); !strings.Contains(got, "since must be") {
		t.Errorf("bad since: got %q", got)
	}
}

func TestRenderTimelineLimits(t *testing.T) {
	tl := longTimeline(40)
	for i := 0; i < 30; i++ {
		tl.Citations = append(tl.Citations, rag.Citation{Ref: len(tl.Citations) + 1, ArticleID: strings.Repeat("id", 40), Title: strings.Repeat("Long title ", 30),
			Source: strings.Repeat("Outlet ", 20), Published: "2021-01-01"})
	}
	for i := range tl.Events {
		tl.Events[i].Summary = strings.Repeat("*word* ", 120)
		tl.Events[i].Date = strings.Repeat("the weeks after ", 5)
		for r := 1; r <= len(tl.Citations); r += 3 {
			tl.Events[i].Refs = append(tl.Events[i].Refs, r)
		}
	}
	var msgs []render.Message
	for p := -1; p <= 5; p++ {
		msgs = append(msgs, render.Timeline(tl, p, "1234567890123456789"))
	}
	checkLimits(t, msgs)
	if got := messageText(discordtest.Message{Embeds: []map[string]any{{"title": msgs[0].Embeds[0].Title, "footer": map[string]any{"text": msgs[0].Embeds[0].Footer.Text}}}}); !strings.Contains(got, "Page 1 of 4") {
		t.Errorf("page -1: got %q, want page 1", got)
	}
	empty := render.Timeline(rag.Timeline{Topic: "nothing"}, 0, "1")
	checkLimits(t, []render.Message{empty})
	if len(empty.Components) != 0 || !strings.Contains(empty.Embeds[0].Description, "no dated events") {
		t.Errorf("empty timeline: got %+v", empty.Embeds[0])
	}
}
