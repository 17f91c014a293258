package bot_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"

	"citebot/bot"
	"citebot/bot/discordtest"
	"citebot/bot/internal/render"
)

// This file checks rendered messages the way a hostile user would look at
// them: is anything in them a live mention, a disguised link or markdown
// that changes the layout; would Discord refuse them; does every request
// that carries them allow no mentions. The fuzz tests and the hostile-text
// tests share it.

var (
	massMention = regexp.MustCompile(`(?i)@(everyone|here)`)
	// bareURL is how Escape recognises a link it leaves alone.
	bareURL = regexp.MustCompile("https?://[^\\s<>\\[\\]()`\"]+")
	// lineMarkup is markdown that acts at the start of a line: headings,
	// subtext, block quotes, lists.
	lineMarkup = regexp.MustCompile(`^[ \t]*(#{1,3} |-# |>>> |> |[-*+] |\d+\. )`)
	bidi       = regexp.MustCompile("[\u202a-\u202e\u2066-\u2069]")
)

// unescapedAt reports whether the character at byte i of s is not escaped
// by a backslash (an even number of backslashes precedes it).
func unescapedAt(s string, i int) bool {
	n := 0
	for j := i - 1; j >= 0 && s[j] == '\\'; j-- {
		n++
	}
	return n%2 == 0
}

// liveMentions returns mention syntax in s that Discord would render as a
// mention: @everyone or @here without a zero-width space after the @, or
// an unescaped <@…>, <@&…>, <#…>, </…>, <:…>, <a:…>, <t:…>.
func liveMentions(s string) []string {
	var out []string
	if m := massMention.FindString(s); m != "" {
		out = append(out, "mass mention "+m)
	}
	for i := strings.IndexByte(s, '<'); i >= 0; {
		rest := s[i+1:]
		if unescapedAt(s, i) && (strings.HasPrefix(rest, "@") || strings.HasPrefix(rest, "#") || strings.HasPrefix(rest, "/") ||
			strings.HasPrefix(rest, ":") || strings.HasPrefix(rest, "a:") || strings.HasPrefix(rest, "t:")) {
			out = append(out, fmt.Sprintf("mention syntax %.12q", s[i:]))
		}
		j := strings.IndexByte(rest, '<')
		if j < 0 {
			break
		}
		i += 1 + j
	}
	return out
}

// liveMarkdown returns markdown in s (a place where Discord renders
// markdown) that text from users or articles must not produce: masked
// links, angle-bracket links, spoilers, code fences, and line markup other
// than the quotes citebot itself writes (quoteLines).
func liveMarkdown(s string, quoteLines bool) []string {
	var out []string
	// Outside bare URLs, which Escape keeps as they are, and inline code
	// spans (`…`, as citebot shows ids), in which Discord renders nothing.
	masked := bareURL.ReplaceAllStringFunc(s, func(u string) string { return strings.Repeat("u", len(u)) })
	mb := []byte(masked)
	for i := 0; i < len(mb); i++ {
		if mb[i] != '`' || !unescapedAt(masked, i) || strings.HasPrefix(masked[i:], "```") {
			continue
		}
		j := strings.IndexByte(masked[i+1:], '`')
		if j < 0 {
			break
		}
		for k := i + 1; k <= i+j; k++ {
			mb[k] = 'c'
		}
		i += j + 1
	}
	masked = string(mb)
	for i := 0; i+1 < len(masked); i++ {
		switch {
		case masked[i] == ']' && masked[i+1] == '(' && unescapedAt(masked, i):
			out = append(out, fmt.Sprintf("masked link at %d: %.30q", i, s[max(0, i-15):]))
		case masked[i] == '|' && masked[i+1] == '|' && unescapedAt(masked, i):
			out = append(out, "spoiler ||")
		case strings.HasPrefix(masked[i:], "```") && unescapedAt(masked, i):
			out = append(out, "code fence")
		case masked[i] == '<' && strings.HasPrefix(s[i+1:], "http") && unescapedAt(s, i):
			out = append(out, "angle-bracket link")
		}
	}
	for _, line := range strings.Split(s, "\n") {
		if quoteLines && strings.HasPrefix(line, "> “") {
			continue
		}
		if m := lineMarkup.FindString(line); m != "" {
			out = append(out, fmt.Sprintf("line markup %q in %.40q", m, line))
		}
	}
	if bidi.MatchString(s) {
		out = append(out, "bidirectional override")
	}
	return out
}

// place is one piece of text in a message and whether Discord renders
// markdown there.
type place struct {
	where    string
	text     string
	markdown bool
	quotes   bool
}

// places lists the text of a message payload (decoded JSON).
func places(m map[string]any) []place {
	str := func(v any) string { s, _ := v.(string); return s }
	ps := []place{{"content", str(m["content"]), true, false}}
	for i, e := range discordtest.Objects(m["embeds"]) {
		ps = append(ps, place{fmt.Sprintf("embed %d title", i), str(e["title"]), true, false},
			place{fmt.Sprintf("embed %d description", i), str(e["description"]), true, false})
		for j, f := range discordtest.Objects(e["fields"]) {
			ps = append(ps, place{fmt.Sprintf("embed %d field %d name", i, j), str(f["name"]), true, false},
				place{fmt.Sprintf("embed %d field %d value", i, j), str(f["value"]), true, true})
		}
		if f, ok := e["footer"].(map[string]any); ok {
			ps = append(ps, place{fmt.Sprintf("embed %d footer", i), str(f["text"]), false, false})
		}
		if a, ok := e["author"].(map[string]any); ok {
			ps = append(ps, place{fmt.Sprintf("embed %d author", i), str(a["name"]), false, false})
		}
	}
	for i, row := range discordtest.Objects(m["components"]) {
		for j, c := range discordtest.Objects(row["components"]) {
			ps = append(ps, place{fmt.Sprintf("row %d button %d label", i, j), str(c["label"]), false, false})
		}
	}
	return ps
}

// linkURLs returns the URLs of a message payload's link buttons and embeds.
func linkURLs(m map[string]any) []string {
	var out []string
	for _, e := range discordtest.Objects(m["embeds"]) {
		if u, _ := e["url"].(string); u != "" {
			out = append(out, u)
		}
	}
	for _, row := range discordtest.Objects(m["components"]) {
		for _, c := range discordtest.Objects(row["components"]) {
			if u, _ := c["url"].(string); u != "" {
				out = append(out, u)
			}
		}
	}
	return out
}

// inertProblems checks one message payload: Discord's limits, allowed
// mentions none, no live mention or markdown from text, and links only to
// allowed URLs (the article metadata's http(s) URLs). requireNoMentions
// asks for {"parse":[]} (every payload the bot sends has it; a bare
// rendered Message does not).
func inertProblems(m map[string]any, allowedURLs map[string]bool, requireNoMentions bool) []string {
	var out []string
	out = append(out, discordtest.ValidateMessage(m)...)
	if requireNoMentions {
		am, ok := m["allowed_mentions"].(map[string]any)
		parse, isList := am["parse"].([]any)
		if !ok || !isList || len(parse) != 0 || am["replied_user"] == true || am["users"] != nil || am["roles"] != nil {
			out = append(out, fmt.Sprintf("allowed_mentions %v, want {\"parse\":[]}", m["allowed_mentions"]))
		}
	}
	for _, p := range places(m) {
		for _, prob := range liveMentions(p.text) {
			out = append(out, p.where+": "+prob)
		}
		if p.markdown {
			for _, prob := range liveMarkdown(p.text, p.quotes) {
				out = append(out, p.where+": "+prob)
			}
		} else if bidi.MatchString(p.text) {
			out = append(out, p.where+": bidirectional override")
		}
	}
	for _, u := range linkURLs(m) {
		pu, err := url.Parse(u)
		if err != nil || (pu.Scheme != "http" && pu.Scheme != "https") || !allowedURLs[u] {
			out = append(out, fmt.Sprintf("link to %.60q, which is not an http(s) URL of the article metadata", u))
		}
	}
	return out
}

// decode turns a value into its JSON object form, as Discord receives it.
func decode(t testing.TB, v any) map[string]any {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// checkInert checks rendered messages both as rendered and as every
// request payload that can carry them.
func checkInert(t testing.TB, msgs []render.Message, allowedURLs map[string]bool) {
	t.Helper()
	for i, m := range msgs {
		for _, p := range inertProblems(decode(t, m), allowedURLs, false) {
			t.Errorf("message %d: %s", i, p)
		}
		for _, payload := range bot.Payloads(m) {
			body := decode(t, payload)
			if r, ok := payload.(*discordgo.InteractionResponse); ok && r.Data != nil {
				body, _ = body["data"].(map[string]any)
			}
			for _, p := range inertProblems(body, allowedURLs, true) {
				t.Errorf("message %d as %T: %s", i, payload, p)
			}
		}
	}
}

// urlSet returns the http(s) URLs among us, trimmed, as LinkURL accepts them.
func urlSet(us ...string) map[string]bool {
	set := map[string]bool{}
	for _, u := range us {
		if v := render.LinkURL(u); v != "" {
			set[v] = true
		}
	}
	return set
}

func TestInertCheckerCatchesLiveSyntax(t *testing.T) {
	// The checker must see what it is meant to see, or the fuzz tests
	// prove nothing.
	live := []string{"@everyone", "hi @HERE", "<@123>", "<@&1>", "<#9>", "[a](https://x.example)", "||s||", "```go", "# Head", "-# small", "> q", "* item", "1. one", "<https://x.example>", "\u202eabc"}
	for _, s := range live {
		if len(liveMentions(s))+len(liveMarkdown(s, false)) == 0 {
			t.Errorf("checker misses %q", s)
		}
		if e := render.Escape(s); len(liveMentions(e))+len(liveMarkdown(e, false)) != 0 {
			t.Errorf("Escape(%q) = %q is still live: %v %v", s, e, liveMentions(e), liveMarkdown(e, false))
		}
	}
	for _, s := range []string{`\<@123\>`, "@\u200beveryone", `\[a\]\(https://x.example\)`, "https://x.example/a||b", `\# Head`} {
		if p := append(liveMentions(s), liveMarkdown(s, false)...); len(p) != 0 {
			t.Errorf("checker flags inert %q: %v", s, p)
		}
	}
}
