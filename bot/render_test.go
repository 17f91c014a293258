package bot_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"citebot/bot"
	"citebot/bot/discordtest"
	"citebot/bot/internal/render"
	"citebot/corpus"
	"citebot/rag"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// golden compares v, as indented JSON, with testdata/name.golden.json.
func golden(t *testing.T, name string, v any) {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	got := buf.Bytes()
	path := filepath.Join("testdata", name+".golden.json")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./bot -update to create it)", err)
	}
	if string(got) != string(want) {
		t.Errorf("rendering differs from %s (if the change is intended, run go test ./bot -update)\ngot:\n%s", path, got)
	}
}

// checkLimits validates every message as Discord would.
func checkLimits(t *testing.T, msgs []render.Message) {
	t.Helper()
	for i, m := range msgs {
		raw, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		var payload map[string]any
		if err := json.Unmarshal(raw, &payload); err != nil {
			t.Fatal(err)
		}
		for _, p := range discordtest.ValidateMessage(payload) {
			t.Errorf("message %d: Discord would refuse it: %s", i, p)
		}
	}
}

// visible is the text of messages as assertions see it.
func visible(msgs []render.Message) string {
	var b strings.Builder
	for _, m := range msgs {
		b.WriteString(m.Content + "\n")
		for _, e := range m.Embeds {
			b.WriteString(e.Title + "\n" + e.Description + "\n")
			for _, f := range e.Fields {
				b.WriteString(f.Name + "\n" + f.Value + "\n")
			}
			if e.Footer != nil {
				b.WriteString(e.Footer.Text + "\n")
			}
		}
	}
	return b.String()
}

// unescaped reports whether sub occurs in s other than right after a
// backslash (Discord's markdown escape).
func unescaped(s, sub string) bool {
	for i := strings.Index(s, sub); i >= 0; {
		if i == 0 || s[i-1] != '\\' {
			return true
		}
		j := strings.Index(s[i+1:], sub)
		if j < 0 {
			return false
		}
		i += 1 + j
	}
	return false
}

func bidenXiAnswer() rag.Answer {
	return rag.Answer{
		Question: "when did Biden and Xi last speak?",
		Text:     "As of about 1 October 2024 (the newest article on this), the last call between U.S. President Joe Biden and Chinese Communist Party leader Xi Jinping took place in April this year (April 2024) [1]. Their last in-person meeting was back in November 2023 in Woodside, California [1].",
		Mode:     rag.ModeExtractive,
		Citations: []rag.Citation{{
			Ref: 1, ArticleID: "004_bf2e7a1252b3b5c1", Published: "2024-10-01", Approximate: true,
			Title: "US and China Leaders Plan to Hold Phone Call in Near Future, Experts: Not Helpful for Restoring Relationship",
			Quote: "The last call between U.S. President Joe Biden and Chinese Communist Party leader Xi Jinping took place in April this year. Their last in-person meeting was back in November 2023 in Woodside, California.",
		}},
	}
}

func longAnswer(sentences int) rag.Answer {
	var b strings.Builder
	for i := range sentences {
		fmt.Fprintf(&b, "Sentence %d reports that the officials met again to discuss trade, security and the climate, and that they agreed to keep talking through the coming months, according to the article [%d]. ", i+1, i%2+1)
	}
	a := bidenXiAnswer()
	a.Text = strings.TrimSpace(b.String())
	a.Citations = append(a.Citations, rag.Citation{Ref: 2, ArticleID: "002_27f825d296f944c6", Title: "White House prepares for Biden–Xi virtual meeting",
		Source: "Reuters", Published: "2021-10-22", URL: "https://www.reuters.com/world/white-house-prepares-biden-xi-virtual-meeting-2021-10-22/", Quote: "The White House is preparing for a virtual meeting."})
	return a
}

func TestRenderAnswer(t *testing.T) {
	hostile := rag.Answer{
		Question: "@everyone what did **they** say about <@&123456789012345678>?",
		Text:     "Officials said the talks were “useful [click](https://evil.example/x)”, @here [1]. He added that `rm -rf` and ||spoilers|| mean nothing.” [2].",
		Mode:     rag.ModeLLM,
		Citations: []rag.Citation{
			{Ref: 1, ArticleID: "a`b", Title: "# **Breaking** [Read](https://evil.example) <@987654321098765432>", Source: "<#123456789012345678>",
				Published: "2024-04-02", URL: "javascript:alert(1)", Quote: "> quoted\n- list item\n1. numbered @everyone"},
			{Ref: 2, ArticleID: "b", Title: "Fine title", Source: "AP", URL: "https://example.com/" + strings.Repeat("x", 600), Quote: "q"},
		},
	}
	many := bidenXiAnswer()
	many.Citations = nil
	for i := 1; i <= 30; i++ {
		many.Citations = append(many.Citations, rag.Citation{Ref: i, ArticleID: fmt.Sprintf("art-%02d", i), Title: fmt.Sprintf("Article number %d with a reasonably long headline about diplomacy", i),
			Source: "Outlet", Published: "2024-01-02", URL: fmt.Sprintf("https://news.example/%d", i), Quote: strings.Repeat("A quoted sentence from the article. ", 12)})
	}
	notFound := rag.Answer{Question: "who won the 2022 world cup?", NotFound: true, Mode: rag.ModeExtractive,
		Text: "The corpus doesn't say: none of its 5 articles (September 2021 to October 2024) answers this question."}
	withNote := bidenXiAnswer()
	withNote.Note = "The model was unavailable, so this is the extractive answer."
	quoteMarker := rag.Answer{Question: "why did relations sour?", Mode: rag.ModeExtractive,
		Text: "Biden sought a call to ease “tensions.” [1]. The balloon led to a cancelled trip [1][2].",
		Citations: []rag.Citation{
			{Ref: 1, ArticleID: "003_e8560d62097cf880", Title: "Biden seeks call with Xi after spy balloon tensions", Published: "2023-03-13", URL: "https://example.com/balloon", Quote: "President Biden is seeking to have a call."},
			{Ref: 2, ArticleID: "x", Title: "Another", Source: "Reuters", Published: "", Quote: ""},
		}}

	resolved := bidenXiAnswer()
	resolved.Question = "and where did they last meet?"
	resolved.Resolved = "where did Biden and Xi last meet in person?"
	resolvedHostile := bidenXiAnswer()
	resolvedHostile.Resolved = "where did **@everyone** meet <@123456789012345678>\n# [x](https://evil.example) ||spoiler||?"
	resolvedNotFound := notFound
	resolvedNotFound.Resolved = "who won the 2022 world cup after the 2018 one?"

	cases := []struct {
		name string
		a    rag.Answer
		// wantMessages is the number of messages.
		wantMessages int
	}{
		{"answer", bidenXiAnswer(), 1},
		{"answer_quote_marker", quoteMarker, 1},
		{"not_found", notFound, 1},
		{"note", withNote, 1},
		{"hostile", hostile, 1},
		{"many_sources", many, 1},
		{"long", longAnswer(60), 3},
		{"resolved", resolved, 1},
		{"resolved_hostile", resolvedHostile, 1},
		{"resolved_not_found", resolvedNotFound, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			msgs := render.Answer(tc.a)
			checkLimits(t, msgs)
			if len(msgs) != tc.wantMessages {
				t.Errorf("got %d messages, want %d", len(msgs), tc.wantMessages)
			}
			golden(t, "answer_"+tc.name, msgs)
		})
	}

	t.Run("not found has no sources", func(t *testing.T) {
		msgs := render.Answer(notFound)
		if got := visible(msgs); strings.Contains(got, "Sources") || len(msgs[0].Components) != 0 {
			t.Errorf("a not-found answer shows sources:\n%s", got)
		}
		if msgs[0].Embeds[0].Color == render.Answer(bidenXiAnswer())[0].Embeds[0].Color {
			t.Error("a not-found answer looks like a found one")
		}
	})
	t.Run("hostile text is inert", func(t *testing.T) {
		got := visible(render.Answer(hostile))
		for _, bad := range []string{"@everyone", "@here", "<@", "<#", "](", "*Breaking", "`rm", "||", "javascript:", "\n# ", "\n> quoted"} {
			if unescaped(got, bad) {
				t.Errorf("rendered text contains live %q:\n%s", bad, got)
			}
		}
		if !strings.Contains(got, "@\u200beveryone") {
			t.Error("@everyone lost its zero-width space")
		}
		if n := len(render.Answer(hostile)[0].Components); n != 0 {
			t.Errorf("got %d button rows for a javascript: and an over-long URL, want none", n)
		}
	})
	t.Run("many sources stay within the component limits", func(t *testing.T) {
		msgs := render.Answer(many)
		rows := msgs[len(msgs)-1].Components
		if len(rows) != 5 {
			t.Errorf("got %d rows of buttons, want 5 (25 of 30 links)", len(rows))
		}
		if !strings.Contains(visible(msgs), "and 6 more sources") {
			t.Error("the sources beyond 24 are not summarised")
		}
	})
	t.Run("long titles, sources and notes stay within 6000 per message", func(t *testing.T) {
		// Found by FuzzRenderAnswer: 39 sources with 256-character names
		// made a sources embed of about 7000 characters, and a long note
		// could push the last text embed past 6000.
		a := longAnswer(120)
		a.Note = strings.Repeat("A long note about the model. ", 100)
		a.Citations = nil
		for i := 1; i <= 39; i++ {
			a.Citations = append(a.Citations, rag.Citation{Ref: i, ArticleID: fmt.Sprintf("id-%d", i), Title: strings.Repeat("Headline ", 40),
				Source: strings.Repeat("Outlet ", 100), Published: "2024-01-02", Quote: strings.Repeat("quote ", 100)})
		}
		checkLimits(t, render.Answer(a))
		nf := a
		nf.NotFound, nf.Text = true, strings.Repeat("Not found text. ", 400)
		checkLimits(t, render.Answer(nf))
		var many []rag.Passage
		for i := range 10 {
			many = append(many, rag.Passage{Chunk: rag.Chunk{ID: fmt.Sprint(i), ArticleID: strings.Repeat("i", 90), Title: strings.Repeat("T ", 200), Text: "text"},
				Article: corpus.Article{Source: strings.Repeat("S ", 600)}})
		}
		checkLimits(t, []render.Message{render.Search("q", many)})
	})
	t.Run("long answers split between sentences", func(t *testing.T) {
		a := longAnswer(60)
		msgs := render.Answer(a)
		var descs []string
		for _, m := range msgs {
			for _, e := range m.Embeds {
				if e.Title != "Sources" {
					descs = append(descs, e.Description)
				}
			}
		}
		if len(descs) < 3 {
			t.Fatalf("got %d answer embeds, want at least 3", len(descs))
		}
		for i, d := range descs {
			if !strings.HasSuffix(d, `\].`) {
				t.Errorf("part %d does not end after a sentence and its citation: …%s", i, d[max(0, len(d)-40):])
			}
			if strings.HasPrefix(d, `\[`) {
				t.Errorf("part %d starts with a citation marker", i)
			}
		}
	})
}

func TestRenderProgressAndNotice(t *testing.T) {
	p := render.Progress("when did Biden and Xi last speak?", "They last spoke in **April** [1")
	checkLimits(t, []render.Message{p})
	golden(t, "progress", p)
	huge := render.Progress(strings.Repeat("q", 400), strings.Repeat("word ", 2000))
	checkLimits(t, []render.Message{huge})
	n := render.Notice(strings.Repeat("x", 2500))
	checkLimits(t, []render.Message{n})
	if render.DiscordLen(n.Content) > 2000 {
		t.Errorf("notice is %d long, want at most 2000", render.DiscordLen(n.Content))
	}
}

func testArticles() []bot.ArticleInfo {
	return []bot.ArticleInfo{
		{ID: "004_bf2e7a1252b3b5c1", Title: "US and China Leaders Plan to Hold Phone Call in Near Future, Experts: Not Helpful for Restoring Relationship",
			Published: time.Date(2024, 10, 1, 0, 0, 0, 0, time.UTC), Approximate: true,
			Text: "Senior U.S. and Chinese officials said the leaders will speak in the coming weeks.\n\nThe last call between U.S. President Joe Biden and Chinese Communist Party leader Xi Jinping took place in April this year."},
		{ID: "002_27f825d296f944c6", Title: "White House prepares for Biden–Xi virtual meeting", Source: "Reuters", Author: "Trevor Hunnicutt",
			URL: "https://www.reuters.com/world/", Published: time.Date(2021, 10, 22, 0, 0, 0, 0, time.UTC), Text: "WASHINGTON – The White House is preparing. [Ad](https://ads.example) *Subscribe*"},
		{ID: "undated-1", Title: "", Text: "No title, no date."},
	}
}

func TestRenderCorpusViews(t *testing.T) {
	arts := testArticles()
	sources := render.Sources(arts)
	article := render.Article(arts[1])
	help := render.Help()
	for name, m := range map[string]render.Message{"sources": sources, "article": article, "help": help} {
		t.Run(name, func(t *testing.T) {
			checkLimits(t, []render.Message{m})
			golden(t, name, m)
		})
	}
	t.Run("sources summarises a large corpus", func(t *testing.T) {
		var big []bot.ArticleInfo
		for i := range 2000 {
			big = append(big, bot.ArticleInfo{ID: fmt.Sprintf("a%04d", i), Title: fmt.Sprintf("Headline %d about the talks", i),
				Published: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i)})
		}
		m := render.Sources(big)
		checkLimits(t, []render.Message{m})
		d := m.Embeds[0].Description
		if !strings.Contains(d, "2000 articles") || !strings.Contains(d, "more. Look one up with /article") {
			t.Errorf("large corpus summary lacks the count or the remainder:\n%s", d[:200])
		}
		if !strings.Contains(d, "Headline 1999") {
			t.Error("the newest article is not listed first")
		}
	})
}

func TestRenderSearch(t *testing.T) {
	art := corpus.Article{ID: "004_bf2e7a1252b3b5c1", Title: "US and China Leaders Plan to Hold Phone Call", Source: "VOA", URL: "https://www.voanews.com/a/1.html",
		Published: time.Date(2024, 10, 1, 0, 0, 0, 0, time.UTC), Approximate: true}
	ps := []rag.Passage{
		{Chunk: rag.Chunk{ID: art.ID + "#0", ArticleID: art.ID, Title: art.Title, Text: "The theater commander call was agreed on, officials said."}, Article: art, Score: 0.91},
		{Chunk: rag.Chunk{ID: "002#1", ArticleID: "002", Title: "White House prepares", Text: strings.Repeat("Long passage text. ", 60)}, Article: corpus.Article{ID: "002", Title: "White House prepares", Source: "Reuters"}, Score: 0.42},
	}
	m := render.Search("theater commander call", ps)
	checkLimits(t, []render.Message{m})
	golden(t, "search", m)
	empty := render.Search("nothing", nil)
	checkLimits(t, []render.Message{empty})
	if !strings.Contains(empty.Embeds[0].Description, "No passages") {
		t.Errorf("empty search says %q", empty.Embeds[0].Description)
	}
	var many []rag.Passage
	for i := range 20 {
		p := ps[1]
		p.Text = strings.Repeat("word ", 400)
		p.Title = fmt.Sprintf("Title %d %s", i, strings.Repeat("long ", 40))
		many = append(many, p)
	}
	checkLimits(t, []render.Message{render.Search(strings.Repeat("q ", 500), many)})
}

func TestRenderFeedbackButtons(t *testing.T) {
	many := bidenXiAnswer()
	many.Citations = nil
	for i := 1; i <= 30; i++ {
		many.Citations = append(many.Citations, rag.Citation{Ref: i, ArticleID: fmt.Sprintf("art-%02d", i), Title: fmt.Sprintf("Article %d", i),
			URL: fmt.Sprintf("https://news.example/%d", i), Quote: "q"})
	}
	tests := []struct {
		name     string
		a        rag.Answer
		wantRows int
	}{
		{"answer", bidenXiAnswer(), 1}, // no links: the feedback row only
		{"many_links", many, 5},        // 5 rows of links: the last gives way
		{"long", longAnswer(60), 2},    // the buttons go on the last message
		{"not_found", rag.Answer{Question: "who won?", NotFound: true}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msgs := bot.WithFeedback(render.Answer(tt.a), "0123456789abcdef01234567")
			checkLimits(t, msgs)
			last := msgs[len(msgs)-1]
			if len(last.Components) != tt.wantRows {
				t.Fatalf("got %d rows, want %d", len(last.Components), tt.wantRows)
			}
			for _, m := range msgs[:len(msgs)-1] {
				raw, _ := json.Marshal(m)
				if strings.Contains(string(raw), "fb:") {
					t.Errorf("a message other than the last has feedback buttons")
				}
			}
			if tt.name == "answer" {
				golden(t, "answer_feedback", msgs)
			}
		})
	}
}
