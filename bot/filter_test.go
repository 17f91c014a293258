package bot_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"citebot/bot"
	"citebot/bot/discordtest"
	"citebot/rag"
)

// recordingSearch is a Searcher that records the options of its searches
// and returns err.
type recordingSearch struct {
	mu   sync.Mutex
	opts []rag.SearchOptions
	err  error
}

func (s *recordingSearch) Search(_ context.Context, _ string, opts rag.SearchOptions) ([]rag.Passage, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.opts = append(s.opts, opts)
	return nil, s.err
}

func (s *recordingSearch) last() rag.SearchOptions {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.opts) == 0 {
		return rag.SearchOptions{}
	}
	return s.opts[len(s.opts)-1]
}

func mustPeriod(t *testing.T, s string) rag.Filter {
	t.Helper()
	d, err := rag.ParsePeriod(s)
	if err != nil {
		t.Fatal(err)
	}
	return rag.Filter{Until: d}
}

func TestFilterOptions(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t, discordtest.Options{})
	noMatch := &rag.NoMatchError{Filter: rag.Filter{Source: "Reuters", Until: mustPeriod(t, "2021").Until}}
	var mu sync.Mutex
	var asked []rag.Filter
	answerer := answerFunc(func(_ context.Context, q rag.Query) (rag.Answer, error) {
		mu.Lock()
		asked = append(asked, q.Filter)
		mu.Unlock()
		if strings.EqualFold(q.Filter.Source, "reuters") && !q.Filter.Until.IsZero() {
			return rag.Answer{}, noMatch
		}
		return bidenXiAnswer(), nil
	})
	search := &recordingSearch{}
	startBot(t, fake, bot.Options{Answerer: answerer, Searcher: search})
	u := fake.NewUser("ann")

	// reply invokes a command and returns the text the user ends up with:
	// the immediate reply, or the edit of a deferred one.
	reply := func(inv discordtest.Invocation) string {
		t.Helper()
		inv.User = u
		in := invoke(t, fake, inv)
		r, err := fake.WaitRequest(waitCtx(t), func(r discordtest.Request) bool {
			if r.Interaction != in.ID {
				return false
			}
			// An empty choices array is left out by discordgo (omitempty),
			// which the fake, like Discord, refuses: any status will do.
			if fmt.Sprint(r.Body["type"]) == "8" {
				return true
			}
			return (r.Status == 200 || r.Status == 204) && bodyText(discordtest.Request{Body: r.Message()}) != ""
		})
		if err != nil {
			t.Fatal(err)
		}
		text := bodyText(discordtest.Request{Body: r.Message()})
		for _, c := range discordtest.Objects(r.Message()["choices"]) {
			name, _ := c["name"].(string)
			value, _ := c["value"].(string)
			text += name + "=" + value + "\n"
		}
		return text
	}
	askWith := func(opts ...discordtest.Opt) discordtest.Invocation {
		return discordtest.Ask(u, "when did Biden and Xi last speak?", opts...)
	}

	t.Run("ask passes the filter on", func(t *testing.T) {
		got := reply(askWith(discordtest.Opt{Name: "source", Value: "AP"}, discordtest.Opt{Name: "since", Value: "2023"}, discordtest.Opt{Name: "until", Value: "2024-03"}))
		if !strings.Contains(got, "Sources") {
			t.Fatalf("got %q, want an answer", got)
		}
		mu.Lock()
		f := asked[len(asked)-1]
		mu.Unlock()
		if f.Source != "AP" || f.Since.String() != "2023" || f.Until.String() != "March 2024" {
			t.Errorf("got filter %+v, want source AP since 2023 until March 2024", f)
		}
	})
	t.Run("ask with no matching article", func(t *testing.T) {
		got := reply(askWith(discordtest.Opt{Name: "source", Value: "reuters"}, discordtest.Opt{Name: "until", Value: "2021"}))
		if !strings.Contains(got, "No articles from Reuters before 2022.") || strings.Contains(got, "something went wrong") {
			t.Errorf("got %q, want it to say there are no articles from Reuters before 2022", got)
		}
	})
	for _, tc := range []struct{ opt, value, want string }{
		{"since", "2023-13", "since must be a year, a month or a day"},
		{"until", "last week", "until must be a year, a month or a day"},
	} {
		t.Run("ask with bad "+tc.opt, func(t *testing.T) {
			mu.Lock()
			before := len(asked)
			mu.Unlock()
			got := reply(askWith(discordtest.Opt{Name: tc.opt, Value: tc.value}))
			if !strings.Contains(got, tc.want) || !strings.Contains(got, tc.value) {
				t.Errorf("got %q, want %q naming the value", got, tc.want)
			}
			mu.Lock()
			after := len(asked)
			mu.Unlock()
			if after != before {
				t.Errorf("the question was answered despite the bad option")
			}
		})
	}
	t.Run("ask with since after until", func(t *testing.T) {
		got := reply(askWith(discordtest.Opt{Name: "since", Value: "2024"}, discordtest.Opt{Name: "until", Value: "2023"}))
		if !strings.Contains(got, "Since (2024) is after until (2023).") {
			t.Errorf("got %q, want it to say since is after until", got)
		}
	})
	t.Run("search passes the filter on", func(t *testing.T) {
		reply(discordtest.Invocation{Command: "search", Options: []discordtest.Opt{{Name: "query", Value: "Biden Xi"},
			{Name: "source", Value: "Reuters"}, {Name: "since", Value: "2021-10-01"}}})
		f := search.last().Filter
		if f.Source != "Reuters" || f.Since.String() != "1 October 2021" || !f.Until.IsZero() {
			t.Errorf("got filter %+v, want source Reuters since 1 October 2021", f)
		}
	})
	t.Run("search with bad until", func(t *testing.T) {
		got := reply(discordtest.Invocation{Command: "search", Options: []discordtest.Opt{{Name: "query", Value: "Biden Xi"}, {Name: "until", Value: "soon"}}})
		if !strings.Contains(got, "until must be") {
			t.Errorf("got %q, want a problem naming until", got)
		}
	})
	t.Run("search with no matching article", func(t *testing.T) {
		search.mu.Lock()
		search.err = noMatch
		search.mu.Unlock()
		got := reply(discordtest.Invocation{Command: "search", Options: []discordtest.Opt{{Name: "query", Value: "Biden Xi"}, {Name: "source", Value: "Reuters"}}})
		if !strings.Contains(got, "No articles from Reuters before 2022.") {
			t.Errorf("got %q, want it to say there are no articles from Reuters before 2022", got)
		}
	})
	t.Run("source autocomplete", func(t *testing.T) {
		for _, tc := range []struct{ typed, want, not string }{
			{"", "Reuters (1)=Reuters", ""},
			{"reu", "Reuters (1)=Reuters", ""},
			{"ters", "Reuters (1)=Reuters", ""},
			{"cnn", "No match — keep typing=cnn", "Reuters"},
		} {
			got := reply(discordtest.Invocation{Command: "ask", Focused: "source",
				Options: []discordtest.Opt{{Name: "question", Value: "q"}, {Name: "source", Value: tc.typed}}})
			if !strings.Contains(got, tc.want) || (tc.not != "" && strings.Contains(got, tc.not)) {
				t.Errorf("typed %q: got choices %q, want %q and not %q", tc.typed, got, tc.want, tc.not)
			}
		}
	})
}
