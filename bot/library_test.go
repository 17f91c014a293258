package bot_test

import (
	"strings"
	"sync"
	"testing"
	"time"

	"citebot/bot"
	"citebot/bot/discordtest"
)

// swappableLibrary is a Library whose articles a test can replace, as a
// reload does: Articles returns the same slice until then.
type swappableLibrary struct {
	mu   sync.Mutex
	arts library
}

func (l *swappableLibrary) set(arts []bot.ArticleInfo) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.arts = arts
}

func (l *swappableLibrary) Articles() []bot.ArticleInfo {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.arts
}

func (l *swappableLibrary) Article(id string) (bot.ArticleInfo, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.arts.Article(id)
}

// TestCorpusChangesShowAtOnce: after the corpus changes (a reload),
// /sources and /article autocomplete show the new articles on the next
// use, not minutes later.
func TestCorpusChangesShowAtOnce(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t, discordtest.Options{})
	lib := &swappableLibrary{arts: testArticles()}
	startBot(t, fake, bot.Options{Answerer: answerWith(bidenXiAnswer()), Library: lib})
	u := fake.NewUser("ann")

	// reply invokes a command and returns the text of its immediate answer.
	reply := func(inv discordtest.Invocation) string {
		t.Helper()
		inv.User = u
		in := invoke(t, fake, inv)
		ack, err := fake.WaitRequest(waitCtx(t), func(r discordtest.Request) bool { return r.Interaction == in.ID })
		if err != nil {
			t.Fatal(err)
		}
		text := bodyText(discordtest.Request{Body: ack.Message()})
		for _, c := range discordtest.Objects(ack.Message()["choices"]) { // autocomplete
			name, _ := c["name"].(string)
			text += name + "\n"
		}
		return text
	}
	sources := discordtest.Invocation{Command: "sources"}
	complete := discordtest.Invocation{Command: "article", Focused: "id", Options: []discordtest.Opt{{Name: "id", Value: "budget"}}}

	if got := reply(sources); !strings.Contains(got, "3 articles") || strings.Contains(got, "Budget") {
		t.Errorf("/sources before the change = %q, want the 3 test articles", got)
	}
	if got := reply(complete); strings.Contains(got, "Budget") {
		t.Errorf("autocomplete before the change offers %q", got)
	}

	added := bot.ArticleInfo{ID: "budget-2026", Title: "Budget talks resume", Source: "Example News",
		Published: time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC), Text: "Budget talks resumed on Friday."}
	lib.set(append(testArticles(), added))

	if got := reply(sources); !strings.Contains(got, "4 articles") || !strings.Contains(got, "Budget talks resume") {
		t.Errorf("/sources after the change = %q, want 4 articles with the new one", got)
	}
	if got := reply(complete); !strings.Contains(got, "Budget talks resume") {
		t.Errorf("autocomplete after the change = %q, want the new article offered", got)
	}
}
