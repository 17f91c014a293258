// Package validate checks request payloads against the limits Discord
// enforces, for the fake in package discordtest: lengths in UTF-16 code
// units, counts of embeds, fields, rows, buttons and choices, URLs and
// allowed mentions. It is an independent copy of Discord's rules, not of
// the bot's: the bot's own limits are tested against it.
package validate

import (
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"unicode/utf16"
)

// Discord's message limits. Lengths are counted in UTF-16 code units, which
// is at least as strict as Discord's own counting.
const (
	maxContent       = 2000
	maxEmbeds        = 10
	maxEmbedTotal    = 6000
	maxTitle         = 256
	maxDescription   = 4096
	maxFields        = 25
	maxFieldName     = 256
	maxFieldValue    = 1024
	maxFooter        = 2048
	maxAuthor        = 256
	maxRows          = 5
	maxRowComponents = 5
	maxButtonLabel   = 80
	maxCustomID      = 100
	maxURL           = 512
	maxChoices       = 25
	maxChoiceName    = 100
	maxChoiceValue   = 100
)

// UTF16Len is the length of s as Discord counts it, in UTF-16 code units.
func UTF16Len(s string) int { return len(utf16.Encode([]rune(s))) }

// Str returns v if it is a string, else "".
func Str(v any) string {
	s, _ := v.(string)
	return s
}

// Num returns v if it is a JSON number (float64), else 0.
func Num(v any) float64 {
	f, _ := v.(float64)
	return f
}

// Objects returns the JSON objects in v, a decoded JSON array (e.g. a
// payload's "embeds"); anything else gives none.
func Objects(v any) []map[string]any {
	arr, _ := v.([]any)
	var out []map[string]any
	for _, x := range arr {
		if m, ok := x.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

// Message checks a message payload (create, or edit when partial)
// against Discord's limits and returns the problems found.
func Message(m map[string]any, partial bool) []string {
	if m == nil {
		if partial {
			return nil
		}
		return []string{"Cannot send an empty message"}
	}
	var p problems
	content := Str(m["content"])
	if n := UTF16Len(content); n > maxContent {
		p.bad("content: must be %d or fewer in length (got %d)", maxContent, n)
	}
	embeds := Objects(m["embeds"])
	p.embeds(embeds)
	rows := Objects(m["components"])
	p.components(rows)
	p = append(p, AllowedMentions(m)...)
	if !partial && content == "" && len(embeds) == 0 && len(rows) == 0 && len(Objects(m["attachments"])) == 0 {
		if _, hasPoll := m["poll"].(map[string]any); !hasPoll {
			p.bad("Cannot send an empty message")
		}
	}
	return p
}

// problems collects what a payload breaks, in order.
type problems []string

func (p *problems) bad(format string, args ...any) { *p = append(*p, fmt.Sprintf(format, args...)) }

// embeds checks the embeds of a message: their count, the lengths of
// their parts and of all of them together, URLs and fields.
func (p *problems) embeds(embeds []map[string]any) {
	if len(embeds) > maxEmbeds {
		p.bad("embeds: must be %d or fewer in length", maxEmbeds)
	}
	total := 0
	for i, e := range embeds {
		lim := func(field string, v string, max int) {
			n := UTF16Len(v)
			total += n
			if n > max {
				p.bad("embeds.%d.%s: must be %d or fewer in length (got %d)", i, field, max, n)
			}
		}
		lim("title", Str(e["title"]), maxTitle)
		lim("description", Str(e["description"]), maxDescription)
		if u := Str(e["url"]); u != "" && !validURL(u) {
			p.bad("embeds.%d.url: Not a well formed URL.", i)
		}
		fields := Objects(e["fields"])
		if len(fields) > maxFields {
			p.bad("embeds.%d.fields: must be %d or fewer in length", i, maxFields)
		}
		for j, f := range fields {
			name, value := Str(f["name"]), Str(f["value"])
			if name == "" || value == "" {
				p.bad("embeds.%d.fields.%d: name and value are required", i, j)
			}
			lim(fmt.Sprintf("fields.%d.name", j), name, maxFieldName)
			lim(fmt.Sprintf("fields.%d.value", j), value, maxFieldValue)
		}
		if f, ok := e["footer"].(map[string]any); ok {
			lim("footer.text", Str(f["text"]), maxFooter)
		}
		if a, ok := e["author"].(map[string]any); ok {
			lim("author.name", Str(a["name"]), maxAuthor)
		}
	}
	if total > maxEmbedTotal {
		p.bad("embeds: the combined sum of characters in all embeds must be %d or fewer (got %d)", maxEmbedTotal, total)
	}
}

// components checks the action rows of a message and their buttons.
func (p *problems) components(rows []map[string]any) {
	if len(rows) > maxRows {
		p.bad("components: must be %d or fewer in length", maxRows)
	}
	customIDs := map[string]bool{}
	for i, row := range rows {
		if Num(row["type"]) != 1 {
			p.bad("components.%d: top-level components must be action rows", i)
			continue
		}
		cs := Objects(row["components"])
		if len(cs) == 0 || len(cs) > maxRowComponents {
			p.bad("components.%d.components: must be 1 to %d in length", i, maxRowComponents)
		}
		for j, c := range cs {
			if Num(c["type"]) == 2 {
				p.button(fmt.Sprintf("components.%d.components.%d", i, j), c, customIDs)
			}
		}
	}
}

// button checks a button at where: its label, a link button's URL, a
// custom id's length and uniqueness (customIDs has those seen so far).
func (p *problems) button(where string, c map[string]any, customIDs map[string]bool) {
	label := Str(c["label"])
	if UTF16Len(label) > maxButtonLabel {
		p.bad("%s.label: must be %d or fewer in length", where, maxButtonLabel)
	}
	if Num(c["style"]) == 5 {
		if !validURL(Str(c["url"])) {
			p.bad("%s.url: a link button needs a well formed URL of at most %d characters", where, maxURL)
		}
		if Str(c["custom_id"]) != "" {
			p.bad("%s: a link button cannot have a custom_id", where)
		}
	} else if id := Str(c["custom_id"]); id == "" {
		p.bad("%s.custom_id: required for non-link buttons", where)
	} else {
		if UTF16Len(id) > maxCustomID {
			p.bad("%s.custom_id: must be %d or fewer in length", where, maxCustomID)
		}
		if customIDs[id] {
			p.bad("%s.custom_id: Component custom id cannot be duplicated", where)
		}
		customIDs[id] = true
	}
	if _, hasEmoji := c["emoji"].(map[string]any); label == "" && !hasEmoji {
		p.bad("%s: a button needs a label or an emoji", where)
	}
}

// AllowedMentions checks that a payload's allowed_mentions is well formed.
func AllowedMentions(m map[string]any) []string {
	am, ok := m["allowed_mentions"].(map[string]any)
	if !ok {
		return nil
	}
	var p []string
	parse, _ := am["parse"].([]any)
	users, _ := am["users"].([]any)
	roles, _ := am["roles"].([]any)
	for _, x := range parse {
		switch Str(x) {
		case "users":
			if len(users) > 0 {
				p = append(p, `allowed_mentions: parse "users" and a users list are mutually exclusive`)
			}
		case "roles":
			if len(roles) > 0 {
				p = append(p, `allowed_mentions: parse "roles" and a roles list are mutually exclusive`)
			}
		case "everyone":
		default:
			p = append(p, fmt.Sprintf("allowed_mentions.parse: %v is not one of roles, users, everyone", x))
		}
	}
	if len(users) > 100 || len(roles) > 100 {
		p = append(p, "allowed_mentions: at most 100 users and 100 roles")
	}
	return p
}

// Choices checks the autocomplete choices of an interaction response.
func Choices(d map[string]any) []string {
	var p []string
	choices, ok := d["choices"].([]any)
	if !ok {
		return []string{"data.choices: an autocomplete result needs a choices array"}
	}
	if len(choices) > maxChoices {
		p = append(p, fmt.Sprintf("data.choices: must be %d or fewer in length", maxChoices))
	}
	for i, c := range Objects(choices) {
		if n := UTF16Len(Str(c["name"])); n < 1 || n > maxChoiceName {
			p = append(p, fmt.Sprintf("data.choices.%d.name: must be 1 to %d in length", i, maxChoiceName))
		}
		if v, ok := c["value"].(string); ok && UTF16Len(v) > maxChoiceValue {
			p = append(p, fmt.Sprintf("data.choices.%d.value: must be %d or fewer in length", i, maxChoiceValue))
		}
	}
	return p
}

func validURL(s string) bool {
	if s == "" || len(s) > maxURL {
		return false
	}
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https" || u.Scheme == "discord") && u.Host != ""
}

// commandName is Discord's rule for the names of commands and options.
var commandName = regexp.MustCompile(`^[-_\p{Ll}\p{Lo}\p{N}]{1,32}$`)

// Command checks a chat-input command as Discord does.
func Command(c map[string]any) []string {
	var p []string
	name, _ := c["name"].(string)
	if !commandName.MatchString(name) {
		p = append(p, "command name "+strconv.Quote(name)+" must be 1-32 lowercase letters, digits, - or _")
	}
	if t, ok := c["type"].(float64); ok && t != 1 {
		return p
	}
	desc, _ := c["description"].(string)
	if n := UTF16Len(desc); n < 1 || n > 100 {
		p = append(p, "command "+name+": description must be 1-100 characters")
	}
	opts, _ := c["options"].([]any)
	if len(opts) > 25 {
		p = append(p, "command "+name+": at most 25 options")
	}
	optional := false
	seen := map[string]bool{}
	for _, o := range opts {
		om, _ := o.(map[string]any)
		on, _ := om["name"].(string)
		if !commandName.MatchString(on) {
			p = append(p, "option name "+strconv.Quote(on)+" is invalid")
		}
		if seen[on] {
			p = append(p, "duplicate option "+on)
		}
		seen[on] = true
		od, _ := om["description"].(string)
		if n := UTF16Len(od); n < 1 || n > 100 {
			p = append(p, "option "+on+": description must be 1-100 characters")
		}
		req, _ := om["required"].(bool)
		if req && optional {
			p = append(p, "option "+on+": required options must come before optional ones")
		}
		if !req {
			optional = true
		}
		typ, _ := om["type"].(float64)
		if typ < 1 || typ > 11 {
			p = append(p, "option "+on+": invalid type")
		}
		if ac, _ := om["autocomplete"].(bool); ac {
			if typ != 3 && typ != 4 && typ != 10 {
				p = append(p, "option "+on+": autocomplete needs a string, integer or number option")
			}
			if ch, _ := om["choices"].([]any); len(ch) > 0 {
				p = append(p, "option "+on+": autocomplete cannot be combined with choices")
			}
		}
		if ml, ok := om["max_length"].(float64); ok && (ml < 1 || ml > 6000) {
			p = append(p, "option "+on+": max_length must be 1-6000")
		}
	}
	return p
}
