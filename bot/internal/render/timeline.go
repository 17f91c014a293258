package render

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/bwmarrin/discordgo"

	"citebot/rag"
	"citebot/rag/textutil"
)

const (
	// TimelinePrefix starts the custom ids of the page buttons of a
	// timeline: "tl:<key>:<page>".
	TimelinePrefix = "tl:"
	// timelinePage is the most events one page shows.
	timelinePage = 10
)

// ParseTimelineID reads "tl:<key>:<page>".
func ParseTimelineID(id string) (key string, page int, ok bool) {
	rest := strings.TrimPrefix(id, TimelinePrefix)
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

// Timeline renders page page (from 0; clamped) of a timeline: one
// embed with an event a line ("**date** — summary [1][2]", planned events
// marked "planned:"), the sources of the page's events as fields, "Page 2
// of 3" in the footer, and ◀ ▶ buttons whose custom ids carry key and the
// page they show; a timeline of one page has no buttons. An empty
// timeline says that nothing dated was found.
func Timeline(tl rag.Timeline, page int, key string) Message {
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
			discordgo.Button{Label: "◀", Style: discordgo.SecondaryButton, CustomID: fmt.Sprintf("%s%s:%d", TimelinePrefix, key, max(page-1, 0)), Disabled: page == 0},
			discordgo.Button{Label: "▶", Style: discordgo.SecondaryButton, CustomID: fmt.Sprintf("%s%s:%d", TimelinePrefix, key, min(page+1, pages-1)), Disabled: page == pages-1},
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
