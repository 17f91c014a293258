package bot

import (
	"errors"
	"fmt"
	"slices"
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

// suggestOutlets returns autocomplete choices for a source option: the
// corpus's outlets that start with, have a word starting with, or contain
// what was typed, with their article counts; most articles first.
func (b *Bot) suggestOutlets(typed string) []*discordgo.ApplicationCommandOptionChoice {
	type outlet struct {
		name  string
		count int
		rank  int
	}
	byKey := map[string]*outlet{}
	var all []*outlet
	for _, e := range b.entries() {
		name := textutil.OneLine(strings.TrimSpace(e.info.Source))
		if name == "" || len(name) > 100 {
			continue
		}
		key := strings.ToLower(name)
		o, ok := byKey[key]
		if !ok {
			o = &outlet{name: name, rank: -1}
			switch {
			case typed == "" || strings.HasPrefix(key, typed):
				o.rank = 0
			case wordPrefix(key, typed):
				o.rank = 1
			case strings.Contains(key, typed):
				o.rank = 2
			}
			byKey[key] = o
			all = append(all, o)
		}
		o.count++
	}
	all = slices.DeleteFunc(all, func(o *outlet) bool { return o.rank < 0 })
	slices.SortStableFunc(all, func(x, y *outlet) int {
		if x.rank != y.rank {
			return x.rank - y.rank
		}
		if x.count != y.count {
			return y.count - x.count
		}
		return strings.Compare(strings.ToLower(x.name), strings.ToLower(y.name))
	})
	choices := []*discordgo.ApplicationCommandOptionChoice{}
	for _, o := range all[:min(len(all), maxChoices)] {
		suffix := fmt.Sprintf(" (%d)", o.count)
		choices = append(choices, &discordgo.ApplicationCommandOptionChoice{Name: render.Choice(o.name, suffix), Value: o.name})
	}
	return choices
}
