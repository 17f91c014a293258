package bot

// The article catalogue's commands: /sources, /article, and the
// autocomplete of article titles and outlets (see internal/catalog).

import (
	"fmt"
	"strings"

	"github.com/bwmarrin/discordgo"

	"citebot/bot/internal/render"
)

// sources answers /sources.
func (b *Bot) sources(x *exchange) {
	b.send(x, render.Sources(b.cat.Articles()), false)
}

// article answers /article with one article.
func (b *Bot) article(x *exchange, data discordgo.ApplicationCommandInteractionData) {
	raw := strings.TrimSpace(stringOpt(options(data)[optID]))
	a, ok := b.cat.Find(raw)
	if !ok {
		b.notice(x, fmt.Sprintf("No article matches “%s”. Start typing a title and pick a suggestion, or see /sources.", render.Typed(raw, 80)))
		return
	}
	b.send(x, render.Article(a), false)
}

// maxChoices is Discord's limit of autocomplete choices.
const maxChoices = 25

// suggest returns autocomplete choices: for a source option those of
// suggestOutlets; for /article titles that start
// with, have a word starting with, or contain what was typed (or ids that
// start with it), newest first within each kind; with nothing typed, the
// newest articles. Names are "Title (date)", at most 100 characters; values
// are article ids.
func (b *Bot) suggest(data discordgo.ApplicationCommandInteractionData) []*discordgo.ApplicationCommandOptionChoice {
	name, typed := focused(data)
	if name == optSource {
		return b.suggestOutlets(typed)
	}
	choices := []*discordgo.ApplicationCommandOptionChoice{}
	for _, a := range b.cat.Titles(typed, maxChoices) {
		choices = append(choices, &discordgo.ApplicationCommandOptionChoice{Name: render.ArticleChoice(a), Value: a.ID})
	}
	return choices
}

// suggestOutlets returns autocomplete choices for a source option: the
// corpus's outlets that start with, have a word starting with, or contain
// what was typed, with their article counts; most articles first.
func (b *Bot) suggestOutlets(typed string) []*discordgo.ApplicationCommandOptionChoice {
	choices := []*discordgo.ApplicationCommandOptionChoice{}
	for _, o := range b.cat.Outlets(typed, maxChoices) {
		suffix := fmt.Sprintf(" (%d)", o.Count)
		choices = append(choices, &discordgo.ApplicationCommandOptionChoice{Name: render.Choice(o.Name, suffix), Value: o.Name})
	}
	return choices
}
