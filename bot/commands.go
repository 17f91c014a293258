package bot

import (
	"github.com/bwmarrin/discordgo"

	"citebot/rag"
)

// Command and option names.
const (
	cmdAsk     = "ask"
	cmdSearch  = "search"
	cmdSources = "sources"
	cmdArticle = "article"
	cmdHelp    = "help"

	optQuestion  = "question"
	optEphemeral = "ephemeral"
	optAsOf      = "as_of"
	optQuery     = "query"
	optID        = "id"
)

// Commands returns the slash commands citebot registers globally: /ask,
// /search, /timeline, /sources, /article (with autocomplete on titles) and
// /help.
// They can be used in servers and in direct messages with the bot.
func Commands() []*discordgo.ApplicationCommand { return CommandsFor("") }

// CommandsFor returns the slash commands for a scope: global with guildID
// empty, else that guild's. Guild commands carry only the fields Discord
// allows for them: dm_permission, contexts and integration_types are "only
// for globally-scoped commands" (a guild command is usable in that guild
// only, never in DMs).
func CommandsFor(guildID string) []*discordgo.ApplicationCommand {
	dm := true
	contexts := []discordgo.InteractionContextType{discordgo.InteractionContextGuild, discordgo.InteractionContextBotDM}
	install := []discordgo.ApplicationIntegrationType{discordgo.ApplicationIntegrationGuildInstall}
	maxQ := rag.MaxQuestionRunes
	cmd := func(name, desc string, opts ...*discordgo.ApplicationCommandOption) *discordgo.ApplicationCommand {
		c := &discordgo.ApplicationCommand{Name: name, Description: desc, Type: discordgo.ChatApplicationCommand, Options: opts}
		if guildID == "" {
			c.DMPermission, c.Contexts, c.IntegrationTypes = &dm, &contexts, &install
		}
		return c
	}
	ten := 10
	return []*discordgo.ApplicationCommand{
		cmd(cmdAsk, "Ask a question; the answer cites the news articles it comes from", withFilters(
			&discordgo.ApplicationCommandOption{Type: discordgo.ApplicationCommandOptionString, Name: optQuestion,
				Description: "Your question, e.g. when did Biden and Xi last speak?", Required: true, MaxLength: maxQ},
			&discordgo.ApplicationCommandOption{Type: discordgo.ApplicationCommandOptionBoolean, Name: optEphemeral,
				Description: "Only you can see the answer (default: false)"},
			&discordgo.ApplicationCommandOption{Type: discordgo.ApplicationCommandOptionString, Name: optAsOf,
				Description: "Answer as if asked on this date, YYYY-MM-DD; later articles are ignored", MinLength: &ten, MaxLength: 10},
		)...),
		cmd(cmdSearch, "Show the passages that best match a query, with their articles", withFilters(
			&discordgo.ApplicationCommandOption{Type: discordgo.ApplicationCommandOptionString, Name: optQuery,
				Description: "Words to look for", Required: true, MaxLength: maxQ},
		)...),
		cmd(cmdTimeline, "The dated events the articles report on a topic, oldest first, with citations", timelineOptions()...),
		cmd(cmdSources, "What the corpus holds: how many articles, from when, which"),
		cmd(cmdArticle, "Show one article's details and opening",
			&discordgo.ApplicationCommandOption{Type: discordgo.ApplicationCommandOptionString, Name: optID,
				Description: "Start typing a title, or give an article id", Required: true, Autocomplete: true, MaxLength: 100},
		),
		cmd(cmdHelp, "How to use citebot"),
	}
}
