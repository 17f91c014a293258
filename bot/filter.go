package bot

import (
	"errors"
	"fmt"
	"strings"

	"github.com/bwmarrin/discordgo"

	"citebot/bot/internal/render"
	"citebot/rag"
	"citebot/rag/textutil"
)

// Filter options of /ask, /search and /timeline.
const (
	optSource = "source"
	optSince  = "since"
	optUntil  = "until"
)

// filterOptions returns the source (with autocomplete from the corpus's
// outlets), since and until options.
func filterOptions() []*discordgo.ApplicationCommandOption {
	return []*discordgo.ApplicationCommandOption{
		{Type: discordgo.ApplicationCommandOptionString, Name: optSource,
			Description: "Only articles from this outlet; start typing to pick one", Autocomplete: true, MaxLength: 100},
		{Type: discordgo.ApplicationCommandOptionString, Name: optSince,
			Description: "Only articles published in or after: 2023, 2023-03 or 2023-03-15", MaxLength: 10},
		{Type: discordgo.ApplicationCommandOptionString, Name: optUntil,
			Description: "Only articles published in or before: 2023, 2023-03 or 2023-03-15", MaxLength: 10},
	}
}

// withFilters appends the filter options to a command's options.
func withFilters(opts ...*discordgo.ApplicationCommandOption) []*discordgo.ApplicationCommandOption {
	return append(opts, filterOptions()...)
}

// parseFilter reads the filter options of a command. A bad value gives a
// problem for the user that names the option.
func parseFilter(opts map[string]*discordgo.ApplicationCommandInteractionDataOption) (f rag.Filter, problem string) {
	f.Source = textutil.OneLine(strings.TrimSpace(stringOpt(opts[optSource])))
	for _, o := range []struct {
		name string
		to   *rag.Filter
		set  func(*rag.Filter, string) error
	}{
		{optSince, &f, func(f *rag.Filter, s string) (err error) { f.Since, err = rag.ParsePeriod(s); return }},
		{optUntil, &f, func(f *rag.Filter, s string) (err error) { f.Until, err = rag.ParsePeriod(s); return }},
	} {
		raw := strings.TrimSpace(stringOpt(opts[o.name]))
		if raw == "" {
			continue
		}
		if err := o.set(o.to, raw); err != nil {
			return rag.Filter{}, fmt.Sprintf("%s must be a year, a month or a day, like 2023, 2023-03 or 2023-03-15; “%s” is not.", o.name, render.Typed(raw, 40))
		}
	}
	if err := f.Validate(); err != nil {
		return rag.Filter{}, capitalize(err.Error()) + "." // dates citebot wrote, no user text
	}
	return f, ""
}

// noMatchText is what a user hears when a filter admits no article: "No
// articles from Reuters before 2022.", and ok when err is such a case.
func noMatchText(err error) (string, bool) {
	var nm *rag.NoMatchError
	if !errors.As(err, &nm) {
		return "", false
	}
	return render.Escape(capitalize(nm.Error())) + ". /sources lists what the corpus covers.", true
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// focused returns the option being typed in an autocomplete interaction
// and its lower-cased text.
func focused(data discordgo.ApplicationCommandInteractionData) (name, typed string) {
	for _, o := range data.Options {
		if o.Focused {
			return o.Name, strings.ToLower(textutil.OneLine(stringOpt(o)))
		}
	}
	return "", ""
}
