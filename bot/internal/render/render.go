// Package render turns answers, search results, articles and timelines
// into Discord messages within Discord's limits: it escapes untrusted text
// so that it can add no markdown, mentions or links, splits long text at
// sentence boundaries and packs embeds and buttons into messages. It sends
// nothing; package bot converts its [Message]s to requests.
package render

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"citebot/rag"
	"citebot/rag/textutil"
)

// Discord's message limits, counted by [DiscordLen].
const (
	maxContent       = 2000
	maxEmbeds        = 10
	maxMessage       = 6000 // characters across all embeds of a message
	maxTitle         = 256
	maxDescription   = 4096
	maxFields        = 25
	maxFieldName     = 256
	maxFieldValue    = 1024
	maxFooter        = 2048
	maxButtonLabel   = 80
	maxButtonsPerRow = 5
	MaxRows          = 5 // action rows of a message
)

// Embed colours.
const (
	colorAnswer   = 0x5865F2 // Discord blurple
	colorNotFound = 0x99AAB5 // grey
	colorProgress = 0xFEE75C // yellow
)

// quoteRunes is the longest quote shown for a source or passage.
const quoteRunes = 280

// sourcesBudget bounds the sources embed so that it shares a message with
// a typical answer; quotes shrink to fit.
const sourcesBudget = 3000

// Message is one Discord message as citebot renders it. It is converted to
// discordgo's request types, with allowed mentions set to none, in one
// place (bot/send.go).
type Message struct {
	Content    string                       `json:"content,omitempty"`
	Embeds     []*discordgo.MessageEmbed    `json:"embeds,omitempty"`
	Components []discordgo.MessageComponent `json:"components,omitempty"`
}

// ArticleInfo describes an article of the corpus for /sources, /article and
// autocomplete.
type ArticleInfo struct {
	// ID is the article id, e.g. "004_bf2e7a1252b3b5c1".
	ID string
	// Title, Source (outlet), URL and Author may be empty.
	Title, Source, URL, Author string
	// Published is the publication date; zero when unknown.
	Published time.Time
	// Approximate reports that Published is an estimate.
	Approximate bool
	// Text is the article body.
	Text string
}

// date formats a publication date as YYYY-MM-DD with "(approx.)" for
// estimates, or "undated".
func date(published string, approx bool) string {
	if published == "" {
		return "undated"
	}
	if approx {
		return published + " (approx.)"
	}
	return published
}

func dateOf(t time.Time, approx bool) string {
	if t.IsZero() {
		return date("", false)
	}
	return date(t.Format(time.DateOnly), approx)
}

// code formats an id as inline code: backticks cannot occur inside, and
// mention-like text gets the same zero-width spaces as in [Plain].
func code(id string) string {
	return "`" + strings.ReplaceAll(Plain(id), "`", "'") + "`"
}

// embedLen is what an embed counts towards the 6000-character limit.
func embedLen(e *discordgo.MessageEmbed) int {
	n := DiscordLen(e.Title) + DiscordLen(e.Description)
	for _, f := range e.Fields {
		n += DiscordLen(f.Name) + DiscordLen(f.Value)
	}
	if e.Footer != nil {
		n += DiscordLen(e.Footer.Text)
	}
	if e.Author != nil {
		n += DiscordLen(e.Author.Name)
	}
	return n
}

// pack puts embeds, in order, into as few messages as the limits allow (10
// embeds and 6000 characters each); the components go on the last message.
func pack(embeds []*discordgo.MessageEmbed, components []discordgo.MessageComponent) []Message {
	var msgs []Message
	var cur Message
	total := 0
	for _, e := range embeds {
		n := embedLen(e)
		if len(cur.Embeds) > 0 && (len(cur.Embeds) == maxEmbeds || total+n > maxMessage) {
			msgs = append(msgs, cur)
			cur, total = Message{}, 0
		}
		cur.Embeds = append(cur.Embeds, e)
		total += n
	}
	cur.Components = components
	return append(msgs, cur)
}

// link is a link button to be.
type link struct{ label, url string }

// linkButtons returns action rows of link buttons (5 per row, at most 5
// rows) for the links with a valid URL, each URL once.
func linkButtons(links []link) []discordgo.MessageComponent {
	var rows []discordgo.MessageComponent
	var row []discordgo.MessageComponent
	seen := map[string]bool{}
	for _, l := range links {
		u := LinkURL(l.url)
		if u == "" || seen[u] {
			continue
		}
		if len(rows) == MaxRows {
			break
		}
		seen[u] = true
		row = append(row, discordgo.Button{Label: fitPlain(l.label, maxButtonLabel), Style: discordgo.LinkButton, URL: u})
		if len(row) == maxButtonsPerRow {
			rows = append(rows, discordgo.ActionsRow{Components: row})
			row = nil
		}
	}
	if len(row) > 0 && len(rows) < MaxRows {
		rows = append(rows, discordgo.ActionsRow{Components: row})
	}
	return rows
}

// quoted renders a quote as a one-line block quote of at most n runes.
func quoted(q string, n int) string {
	q = textutil.OneLine(q)
	if q == "" || n <= 0 {
		return ""
	}
	return "\n> “" + fitEscaped(q, n) + "”"
}

// fieldValue joins a meta line and a quote into a field value within the
// field limit and sz, shortening the quote first.
func fieldValue(meta, quote string, sz fieldSizes) string {
	meta = fitEscapedRaw(meta, min(maxFieldValue-8, sz.meta))
	room := maxFieldValue - DiscordLen(meta) - 6
	quoteLen := sz.quote
	v := meta + quoted(quote, min(quoteLen, room))
	for DiscordLen(v) > maxFieldValue && quoteLen > 0 {
		quoteLen /= 2
		v = meta + quoted(quote, quoteLen)
	}
	if v == "" {
		v = "—"
	}
	return v
}

// fitEscapedRaw shortens already-rendered markdown by whole " · " parts,
// or else cuts it (never leaving a dangling escape).
func fitEscapedRaw(s string, limit int) string {
	for DiscordLen(s) > limit {
		i := strings.LastIndex(s, " · ")
		if i < 0 {
			return strings.TrimRight(firstRunes(s, limit/2), "\\")
		}
		s = s[:i]
	}
	return s
}

// fieldSizes bounds the parts of an embed field: the quote (in runes), the
// name and the meta line (in characters).
type fieldSizes struct{ quote, name, meta int }

// The smallest names and meta lines fitBudget shrinks fields to: 25 such
// fields fit any budget used here.
const (
	minFieldName = 24
	minFieldMeta = 48
)

// fitBudget builds an embed with smaller and smaller fields until it fits
// the budget: quotes shrink first, down to none, then names and meta lines.
func fitBudget(build func(fieldSizes) *discordgo.MessageEmbed, budget int) *discordgo.MessageEmbed {
	sz := fieldSizes{quote: quoteRunes, name: maxFieldName, meta: maxFieldValue}
	e := build(sz)
	for embedLen(e) > budget {
		switch {
		case sz.quote > 0:
			sz.quote = sz.quote * 2 / 3
			if sz.quote < 30 {
				sz.quote = 0
			}
		case sz.name > minFieldName || sz.meta > minFieldMeta:
			sz.name, sz.meta = max(minFieldName, sz.name/2), max(minFieldMeta, sz.meta/2)
		default:
			return e
		}
		e = build(sz)
	}
	return e
}

// footerFor returns text as a footer that keeps e within the message
// limit.
func footerFor(e *discordgo.MessageEmbed, text string) *discordgo.MessageEmbedFooter {
	return &discordgo.MessageEmbedFooter{Text: fitPlain(text, min(maxFooter, maxMessage-embedLen(e)))}
}

// Answer renders an answer as one or more messages: the answer text
// in embeds (split on sentence boundaries, never inside a citation), then a
// "Sources" embed numbering each citation with title, outlet, date
// ("(approx.)" for estimated dates), article id and a short quote, and link
// buttons for the sources that have a URL. A not-found answer is a single
// grey embed without sources. The answer's Note, if any, is the footer.
// A follow-up's Resolved question is shown under the answer text, in
// small text: "Answered as: …".
// Every text from the answer, question and articles is escaped.
func Answer(a rag.Answer) []Message {
	title := fitEscaped(textutil.OneLine(a.Question), maxTitle)
	if a.NotFound {
		text := a.Text
		if strings.TrimSpace(text) == "" {
			text = "The corpus doesn't say."
		}
		e := &discordgo.MessageEmbed{Title: title, Description: fitEscaped(text, maxDescription), Color: colorNotFound,
			Footer: &discordgo.MessageEmbedFooter{Text: "Not in the corpus · /sources lists what it covers"}}
		if a.Note != "" {
			e.Footer = footerFor(e, a.Note)
		}
		addResolved(e, a.Resolved)
		return []Message{{Embeds: []*discordgo.MessageEmbed{e}}}
	}
	var embeds []*discordgo.MessageEmbed
	for i, part := range Split(a.Text, maxDescription) {
		e := &discordgo.MessageEmbed{Description: EscapeAnswer(part), Color: colorAnswer}
		if i == 0 {
			e.Title = title
		}
		embeds = append(embeds, e)
	}
	if len(embeds) == 0 {
		embeds = append(embeds, &discordgo.MessageEmbed{Title: title, Description: "(no answer text)", Color: colorAnswer})
	}
	last := embeds[len(embeds)-1]
	if a.Note != "" {
		last.Footer = footerFor(last, a.Note)
	}
	addResolved(last, a.Resolved)
	var links []link
	if len(a.Citations) > 0 {
		embeds = append(embeds, sourcesEmbed(a.Citations))
		for _, c := range a.Citations {
			links = append(links, link{label: fmt.Sprintf("[%d] %s", c.Ref, textutil.OneLine(c.Title)), url: c.URL})
		}
	}
	return pack(embeds, linkButtons(links))
}

// resolvedRunes bounds the resolved question shown under an answer.
const resolvedRunes = 300

// addResolved shows a follow-up's resolved question in small text (Discord's
// "-#" subtext) under the answer text of e, escaped and on one line, as
// far as the embed's limits allow.
func addResolved(e *discordgo.MessageEmbed, resolved string) {
	resolved = textutil.OneLine(resolved)
	if resolved == "" {
		return
	}
	const lead = "\n\n-# Answered as: "
	room := min(maxDescription-DiscordLen(e.Description), maxMessage-embedLen(e)) - DiscordLen(lead)
	if room < 40 {
		return
	}
	e.Description += lead + fitEscaped(resolved, min(resolvedRunes, room))
}

// sourcesEmbed lists citations as fields, shrinking quotes (then names and
// meta lines) to stay within sourcesBudget.
func sourcesEmbed(cs []rag.Citation) *discordgo.MessageEmbed {
	build := func(sz fieldSizes) *discordgo.MessageEmbed {
		e := &discordgo.MessageEmbed{Title: "Sources", Color: colorAnswer}
		for i, c := range cs {
			if i == maxFields-1 && len(cs) > maxFields {
				e.Fields = append(e.Fields, &discordgo.MessageEmbedField{Name: "…", Value: fmt.Sprintf("and %d more sources", len(cs)-i)})
				break
			}
			name := fitEscaped(fmt.Sprintf("[%d] %s", c.Ref, textutil.OneLine(orDefault(c.Title, c.ArticleID))), sz.name)
			var meta []string
			if c.Source != "" {
				meta = append(meta, Escape(textutil.OneLine(c.Source)))
			}
			meta = append(meta, date(c.Published, c.Approximate), code(c.ArticleID))
			e.Fields = append(e.Fields, &discordgo.MessageEmbedField{Name: name, Value: fieldValue(strings.Join(meta, " · "), c.Quote, sz)})
		}
		return e
	}
	return fitBudget(build, sourcesBudget)
}

func orDefault(s, def string) string {
	if strings.TrimSpace(s) == "" {
		return def
	}
	return s
}

// Progress renders an answer while a model is still writing it: the
// unverified text so far in a yellow embed that says so.
func Progress(question, partial string) Message {
	desc := fitEscaped(strings.TrimSpace(partial), maxDescription)
	if desc == "" {
		desc = "…"
	}
	return Message{Embeds: []*discordgo.MessageEmbed{{
		Title: fitEscaped(textutil.OneLine(question), maxTitle), Description: desc, Color: colorProgress,
		Footer: &discordgo.MessageEmbedFooter{Text: "Writing… the sources are checked when the answer is complete."},
	}}}
}

// maxSearchResults is the most passages /search shows.
const maxSearchResults = 10

// Search renders the passages that best match a query: for each,
// its article's title, date, outlet, id, relevance and a short quote, with
// link buttons for articles that have a URL.
func Search(query string, ps []rag.Passage) Message {
	title := fitEscaped("Passages for “"+textutil.OneLine(query)+"”", maxTitle)
	if len(ps) == 0 {
		return Message{Embeds: []*discordgo.MessageEmbed{{Title: title, Color: colorNotFound,
			Description: "No passages match. /sources lists what the corpus covers."}}}
	}
	ps = ps[:min(len(ps), maxSearchResults)]
	build := func(sz fieldSizes) *discordgo.MessageEmbed {
		e := &discordgo.MessageEmbed{Title: title, Color: colorAnswer}
		for i, p := range ps {
			name := fitEscaped(fmt.Sprintf("%d. %s", i+1, textutil.OneLine(orDefault(p.Title, p.ArticleID))), sz.name)
			var meta []string
			meta = append(meta, dateOf(p.Article.Published, p.Article.Approximate))
			if p.Article.Source != "" {
				meta = append(meta, Escape(textutil.OneLine(p.Article.Source)))
			}
			meta = append(meta, code(p.ArticleID), fmt.Sprintf("relevance %.2f", p.Score))
			e.Fields = append(e.Fields, &discordgo.MessageEmbedField{Name: name, Value: fieldValue(strings.Join(meta, " · "), p.Text, sz)})
		}
		return e
	}
	var links []link
	for i, p := range ps {
		links = append(links, link{label: fmt.Sprintf("%d. %s", i+1, textutil.OneLine(p.Title)), url: p.Article.URL})
	}
	return Message{Embeds: []*discordgo.MessageEmbed{fitBudget(build, maxMessage)}, Components: linkButtons(links)}
}

// Sources renders an overview of the corpus: how many articles, the
// oldest and newest publication dates, and the titles, newest first, as
// many as fit.
func Sources(arts []ArticleInfo) Message {
	e := &discordgo.MessageEmbed{Title: "The corpus", Color: colorAnswer}
	if len(arts) == 0 {
		e.Description = "The corpus is empty."
		return Message{Embeds: []*discordgo.MessageEmbed{e}}
	}
	sorted := slices.Clone(arts)
	slices.SortStableFunc(sorted, func(a, b ArticleInfo) int {
		switch {
		case a.Published.Equal(b.Published):
			return strings.Compare(a.ID, b.ID)
		case a.Published.IsZero():
			return 1
		case b.Published.IsZero():
			return -1
		case a.Published.After(b.Published):
			return -1
		}
		return 1
	})
	var oldest, newest time.Time
	undated := 0
	for _, a := range arts {
		if a.Published.IsZero() {
			undated++
			continue
		}
		if oldest.IsZero() || a.Published.Before(oldest) {
			oldest = a.Published
		}
		if a.Published.After(newest) {
			newest = a.Published
		}
	}
	var head strings.Builder
	fmt.Fprintf(&head, "**%s**", textutil.Plural(len(arts), "article"))
	if !newest.IsZero() {
		fmt.Fprintf(&head, ", published from %s to %s", oldest.Format("2 January 2006"), newest.Format("2 January 2006"))
	}
	if undated > 0 {
		fmt.Fprintf(&head, " (%d undated)", undated)
	}
	head.WriteString(". Newest first:\n")
	desc := head.String()
	const tailRoom = 80
	for i, a := range sorted {
		d := "undated"
		if !a.Published.IsZero() {
			d = a.Published.Format(time.DateOnly)
			if a.Approximate {
				d += "≈"
			}
		}
		line := "\n" + code(d) + " " + fitEscaped(textutil.OneLine(orDefault(a.Title, a.ID)), 200)
		if DiscordLen(desc)+DiscordLen(line) > maxDescription-tailRoom {
			desc += fmt.Sprintf("\n… and %d more. Look one up with /article.", len(sorted)-i)
			break
		}
		desc += line
	}
	e.Description = desc
	e.Footer = &discordgo.MessageEmbedFooter{Text: "≈ marks an approximate date · /article shows one article"}
	return Message{Embeds: []*discordgo.MessageEmbed{e}}
}

// openingRunes is about how much of an article /article shows.
const openingRunes = 1200

// Article renders one article: title (linked when it has a URL),
// outlet, date, author, id and its opening paragraphs.
func Article(a ArticleInfo) Message {
	e := &discordgo.MessageEmbed{Title: fitEscaped(textutil.OneLine(orDefault(a.Title, a.ID)), maxTitle), URL: LinkURL(a.URL), Color: colorAnswer}
	text := strings.TrimSpace(a.Text)
	if utf8.RuneCountInString(text) > openingRunes*3 {
		text = string([]rune(text)[:openingRunes*3])
	}
	if parts := Split(text, openingRunes); len(parts) > 0 {
		e.Description = Escape(parts[0])
		if len(parts) > 1 {
			e.Description += " …"
		}
	}
	add := func(name, value string) {
		if value != "" {
			e.Fields = append(e.Fields, &discordgo.MessageEmbedField{Name: name, Value: value, Inline: true})
		}
	}
	add("Outlet", fitEscaped(textutil.OneLine(a.Source), 200))
	add("Published", dateOf(a.Published, a.Approximate))
	add("Author", fitEscaped(textutil.OneLine(a.Author), 200))
	add("ID", code(shorten(a.ID, 200)))
	return Message{Embeds: []*discordgo.MessageEmbed{e}, Components: linkButtons([]link{{label: "Read the original", url: a.URL}})}
}

// Help renders the /help message.
func Help() Message {
	desc := strings.Join([]string{
		"I answer questions about a collection of news articles, quoting and citing them. When the articles don't say, I say so.",
		"",
		"**/ask** `question` — a cited answer. Options: `ephemeral` (only you see it), `as_of` (YYYY-MM-DD: answer as if asked that day, ignoring later articles).",
		"**/search** `query` — the passages that best match, with their articles.",
		"**/timeline** `topic` — the dated events the articles report on it, oldest first, with citations; ◀ ▶ page through them.",
		"Filters on /ask, /search and /timeline: `source` (an outlet), `since` and `until` (2023, 2023-03 or 2023-03-15).",
		"**/sources** — what the corpus holds: how many articles, from when, which.",
		"**/article** `id` — one article's details and opening; start typing a title to pick it.",
		"**/help** — this message.",
		"",
		"You can also mention me with a question, or send it to me in a direct message.",
		"Reply to one of my answers (or mention me in a thread started from it) to ask a follow-up such as “and where?”. The 👍/👎 buttons under an answer tell the server owner how it did.",
	}, "\n")
	return Message{Embeds: []*discordgo.MessageEmbed{{Title: "citebot", Description: desc, Color: colorAnswer,
		Footer: &discordgo.MessageEmbedFooter{Text: "Numbers like [1] point to the sources listed under each answer."}}}}
}

// Notice renders a short message from citebot itself (errors, limits,
// usage hints) as plain content. text is citebot's own; escape any user
// text inside it first.
func Notice(text string) Message {
	return Message{Content: fitRaw(text, maxContent)}
}

// fitRaw shortens rendered text to limit characters, with "…".
func fitRaw(s string, limit int) string {
	if DiscordLen(s) <= limit {
		return s
	}
	n, end := 0, 0
	for i, r := range s {
		if n+utf16.RuneLen(r) > limit-1 {
			end = i
			break
		}
		n += utf16.RuneLen(r)
	}
	return strings.TrimRight(s[:end], "\\") + "…"
}
