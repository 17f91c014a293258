package discordtest

import (
	"fmt"
	"regexp"
	"strings"
	"time"
)

// Permissions the fake reports for the bot (app_permissions) and for
// members: View Channels, Send Messages, Embed Links, Read Message History,
// Use Application Commands, Send Messages in Threads.
const (
	botPermissions    = "277025475584"
	memberPermissions = "2248473465835073"
)

// channelInfo is a channel the fake knows: the guild's text channel, a
// DM, or a thread (with its parent channel, name and owner).
type channelInfo struct {
	id, guildID string
	dm          bool
	recipient   User
	thread      bool
	parentID    string
	name        string
	owner       User
}

// DMChannel returns the id of the DM channel between u and the bot,
// creating it on first use.
func (s *Server) DMChannel(u User) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.dmChannelLocked(u)
}

func (s *Server) dmChannelLocked(u User) string {
	for _, c := range s.channels {
		if c.dm && c.recipient.ID == u.ID {
			return c.id
		}
	}
	id := s.snowflakeLocked()
	s.channels[id] = channelInfo{id: id, dm: true, recipient: u}
	return id
}

// NewUser returns a user with a fresh id and the given name.
func (s *Server) NewUser(name string) User {
	return User{ID: s.Snowflake(), Username: name, GlobalName: strings.ToUpper(name[:1]) + name[1:]}
}

func userJSON(u User) map[string]any {
	m := map[string]any{
		"id": u.ID, "username": u.Username, "discriminator": "0", "avatar": nil,
		"global_name": nil, "public_flags": 0, "avatar_decoration_data": nil,
	}
	if u.GlobalName != "" {
		m["global_name"] = u.GlobalName
	}
	if u.Bot {
		m["bot"] = true
		m["global_name"] = nil
	}
	return m
}

func memberJSON(withUser *User) map[string]any {
	m := map[string]any{
		"roles": []any{}, "nick": nil, "avatar": nil, "premium_since": nil, "joined_at": "2023-01-05T10:00:00.000000+00:00",
		"deaf": false, "mute": false, "pending": false, "flags": 0, "communication_disabled_until": nil,
	}
	if withUser != nil {
		m["user"] = userJSON(*withUser)
		m["permissions"] = memberPermissions
	}
	return m
}

// Opt is one option value of a slash command invocation.
type Opt struct {
	Name  string
	Value any
}

// Invocation describes a slash command use by a user.
type Invocation struct {
	// Command is the command name; it must have been registered.
	Command string
	// Options are the option values (string, bool, int or float64).
	Options []Opt
	// User invokes the command.
	User User
	// DM makes it an invocation in the user's DM with the bot (payload with
	// user instead of member, no guild_id).
	DM bool
	// ChannelID overrides the channel. Default: the guild's text channel,
	// or the DM channel.
	ChannelID string
	// GuildID is the guild it is used in (see AddGuild). Default: the
	// fake's GuildID.
	GuildID string
	// Focused, when set, makes this an autocomplete interaction (type 4)
	// for the named option, whose value is what the user has typed so far.
	Focused string
}

// Ask is the invocation of /ask by u with the question option set to
// question, then the options in more.
func Ask(u User, question string, more ...Opt) Invocation {
	return Invocation{Command: "ask", User: u, Options: append([]Opt{{Name: "question", Value: question}}, more...)}
}

// Interaction is an interaction the fake dispatched.
type Interaction struct {
	ID, Token string
	// Type is 2 (application command) or 4 (autocomplete).
	Type int
	// ChannelID is the channel it was invoked in.
	ChannelID string
	// Payload is the INTERACTION_CREATE data as sent.
	Payload map[string]any
}

// Invoke dispatches INTERACTION_CREATE for a registered slash command, as
// Discord does when a user runs it, and starts its acknowledgement clock.
func (s *Server) Invoke(inv Invocation) (Interaction, error) {
	s.mu.Lock()
	in, p, err := s.newInteractionLocked(inv)
	s.mu.Unlock()
	if err != nil {
		return Interaction{}, err
	}
	if err := s.dispatch("INTERACTION_CREATE", p); err != nil {
		return Interaction{}, err
	}
	return Interaction{ID: in.id, Token: in.token, Type: in.kind, ChannelID: in.channelID, Payload: p}, nil
}

// newInteractionLocked makes the interaction of an invocation, with its
// INTERACTION_CREATE payload, and starts its acknowledgement clock.
func (s *Server) newInteractionLocked(inv Invocation) (*interaction, map[string]any, error) {
	gid := inv.GuildID
	if gid == "" {
		gid = s.GuildID
	}
	cmd, err := s.commandLocked(inv, gid)
	if err != nil {
		return nil, nil, err
	}
	opts, err := invocationOptions(inv, cmd)
	if err != nil {
		return nil, nil, err
	}
	kind := interactionCommand
	if inv.Focused != "" {
		kind = interactionAutocomplete
	}
	in := &interaction{id: s.snowflakeLocked(), token: "aW50ZXJhY3Rpb246" + randomID() + randomID(), kind: kind}
	data := map[string]any{"id": cmd["id"], "name": inv.Command, "type": 1}
	if opts != nil {
		data["options"] = opts
	}
	if g, _ := cmd["guild_id"].(string); g != "" {
		data["guild_id"] = g
	}
	p := map[string]any{
		"id": in.id, "application_id": s.AppID, "type": kind, "data": data, "token": in.token, "version": 1,
		"locale": "en-US", "app_permissions": botPermissions, "entitlements": []any{},
		"attachment_size_limit": 10485760,
	}
	s.placeLocked(in, p, inv, gid)
	p["channel_id"] = in.channelID
	in.dispatched = time.Now()
	s.interactions[in.token] = in
	return in, p, nil
}

// commandLocked finds the registered command an invocation runs: in its
// guild, else global; a guild command cannot be used in a DM.
func (s *Server) commandLocked(inv Invocation, gid string) (map[string]any, error) {
	cmd := findCommand(s.commands[gid], inv.Command)
	if cmd == nil {
		cmd = findCommand(s.commands[""], inv.Command)
	}
	if cmd == nil {
		return nil, fmt.Errorf("discordtest: command %q is not registered", inv.Command)
	}
	if g, _ := cmd["guild_id"].(string); g != "" && inv.DM {
		return nil, fmt.Errorf("discordtest: command %q is registered in a guild only; it cannot be used in a DM", inv.Command)
	}
	return cmd, nil
}

// invocationOptions are the options of an invocation as Discord sends
// them, typed by the command's definitions.
func invocationOptions(inv Invocation, cmd map[string]any) ([]any, error) {
	defs, _ := cmd["options"].([]any)
	var opts []any
	for _, o := range inv.Options {
		var def map[string]any
		for _, d := range Objects(defs) {
			if d["name"] == o.Name {
				def = d
			}
		}
		if def == nil {
			return nil, fmt.Errorf("discordtest: command %q has no option %q", inv.Command, o.Name)
		}
		opt := map[string]any{"name": o.Name, "type": def["type"], "value": o.Value}
		if inv.Focused == o.Name {
			opt["focused"] = true
		}
		opts = append(opts, opt)
	}
	return opts, nil
}

// placeLocked sets where an interaction happens, in its payload p: the
// user's DM channel, or a channel of guild gid with the user as a member.
func (s *Server) placeLocked(in *interaction, p map[string]any, inv Invocation, gid string) {
	u := inv.User
	if inv.DM {
		in.channelID = inv.ChannelID
		if in.channelID == "" {
			in.channelID = s.dmChannelLocked(u)
		}
		p["user"] = userJSON(u)
		p["context"] = 1
		p["authorizing_integration_owners"] = map[string]any{"0": "0"}
		p["channel"] = map[string]any{"id": in.channelID, "type": 1, "flags": 0, "last_message_id": nil, "recipients": []any{userJSON(u)}}
		return
	}
	in.channelID, in.guildID = inv.ChannelID, gid
	if in.channelID == "" {
		in.channelID = s.channelOfLocked(gid)
	}
	p["guild_id"] = gid
	p["guild"] = map[string]any{"id": gid, "locale": "en-US", "features": []any{}}
	p["guild_locale"] = "en-US"
	p["member"] = memberJSON(&u)
	p["context"] = 0
	p["authorizing_integration_owners"] = map[string]any{"0": gid}
	if ch, ok := s.channels[in.channelID]; ok {
		p["channel"] = s.channelJSONLocked(ch)
	} else {
		p["channel"] = map[string]any{"id": in.channelID, "type": channelText, "guild_id": gid, "name": "general", "flags": 0, "permissions": memberPermissions}
	}
}

func findCommand(cmds []map[string]any, name string) map[string]any {
	for _, c := range cmds {
		if c["name"] == name {
			return c
		}
	}
	return nil
}

// Post describes a message a user sends.
type Post struct {
	Author  User
	Content string
	// DM sends it in the author's DM with the bot.
	DM bool
	// ChannelID overrides the channel. Default: the guild's text channel,
	// or the DM channel.
	ChannelID string
	// ReplyTo is the id of a message this one replies to.
	ReplyTo string
	// Ping makes a reply mention the author of the message it replies to,
	// as Discord's "@ON" reply toggle does: that author is added to the
	// message's mentions (and, if it is the bot, the bot gets the content
	// without the MESSAGE_CONTENT intent), while the content holds no
	// mention syntax.
	Ping bool
}

var mentionRE = regexp.MustCompile(`<@!?(\d+)>`)
var roleMentionRE = regexp.MustCompile(`<@&(\d+)>`)

// Post stores a user's message and dispatches MESSAGE_CREATE. Without the
// MESSAGE_CONTENT intent the bot gets the content only when the message
// mentions it or is a DM, as on Discord.
func (s *Server) Post(p Post) (Message, error) {
	s.mu.Lock()
	m := &Message{ID: s.snowflakeLocked(), Author: p.Author, Content: p.Content, Timestamp: time.Now().UTC(), ChannelID: p.ChannelID, ReferenceID: p.ReplyTo, pings: p.Ping}
	if p.DM {
		if m.ChannelID == "" {
			m.ChannelID = s.dmChannelLocked(p.Author)
		}
	} else {
		m.GuildID = s.GuildID
		if m.ChannelID == "" {
			m.ChannelID = s.ChannelID
		}
	}
	if _, ok := s.channels[m.ChannelID]; !ok {
		s.mu.Unlock()
		return Message{}, fmt.Errorf("discordtest: unknown channel %s", m.ChannelID)
	}
	s.messages[m.ID] = m
	payload := s.messageCreatePayload(m)
	out := *m
	s.mu.Unlock()
	if err := s.dispatch("MESSAGE_CREATE", payload); err != nil {
		return out, err
	}
	return out, nil
}

// messageCreatePayload is the MESSAGE_CREATE data for m. The caller holds
// s.mu.
func (s *Server) messageCreatePayload(m *Message) map[string]any {
	p := s.messageJSONLocked(m)
	var mentions []any
	mentionsBot := false
	for _, sm := range mentionRE.FindAllStringSubmatch(m.Content, -1) {
		if sm[1] == s.BotUser.ID && !mentionsBot {
			mentionsBot = true
			u := userJSON(s.BotUser)
			if m.GuildID != "" {
				u["member"] = memberJSON(nil)
			}
			mentions = append(mentions, u)
		}
	}
	// A reply with its ping on mentions the author of the message it
	// replies to (Discord lists the user in mentions; the content holds no
	// <@id>).
	if rm := s.messages[m.ReferenceID]; m.pings && rm != nil && rm.Author.ID != m.Author.ID {
		if rm.Author.ID != s.BotUser.ID || !mentionsBot {
			u := userJSON(rm.Author)
			if m.GuildID != "" {
				u["member"] = memberJSON(nil)
			}
			mentions = append(mentions, u)
			mentionsBot = mentionsBot || rm.Author.ID == s.BotUser.ID
		}
	}
	if mentions == nil {
		mentions = []any{}
	}
	p["mentions"] = mentions
	roles := []any{}
	for _, sm := range roleMentionRE.FindAllStringSubmatch(m.Content, -1) {
		roles = append(roles, sm[1])
	}
	p["mention_roles"] = roles
	if m.GuildID != "" {
		p["guild_id"] = m.GuildID
		if m.Author.ID != s.BotUser.ID {
			p["member"] = memberJSON(nil)
		}
	}
	intents := 0
	if s.gw.session != nil {
		intents = s.gw.session.intents
	}
	own := m.Author.ID == s.BotUser.ID
	if intents&IntentMessageContent == 0 && m.GuildID != "" && !mentionsBot && !own {
		p["content"] = ""
		p["embeds"] = []any{}
		p["attachments"] = []any{}
		p["components"] = []any{}
	}
	return p
}

// messageJSONLocked is the REST message object of m.
func (s *Server) messageJSONLocked(m *Message) map[string]any { return s.messageObject(m, true) }

// messageObject is the message object of m, with the referenced message
// when withRef (Discord nests one level only).
func (s *Server) messageObject(m *Message, withRef bool) map[string]any {
	typ := 0
	if m.Interaction != "" {
		typ = 20 // CHAT_INPUT_COMMAND
	}
	p := map[string]any{
		"id": m.ID, "type": typ, "channel_id": m.ChannelID, "content": m.Content, "author": userJSON(m.Author),
		"attachments": []any{}, "embeds": anySlice(m.Embeds), "components": anySlice(m.Components),
		"mentions": []any{}, "mention_roles": []any{}, "mention_everyone": false, "pinned": false, "tts": false,
		"timestamp": m.Timestamp.Format("2006-01-02T15:04:05.000000-07:00"), "edited_timestamp": nil, "flags": m.Flags,
	}
	if m.Edits > 0 {
		p["edited_timestamp"] = time.Now().UTC().Format("2006-01-02T15:04:05.000000-07:00")
	}
	if m.WebhookID != "" {
		p["webhook_id"] = m.WebhookID
		p["application_id"] = s.AppID
	}
	if m.ReferenceID != "" {
		ref := map[string]any{"type": 0, "message_id": m.ReferenceID, "channel_id": m.ChannelID}
		if m.GuildID != "" {
			ref["guild_id"] = m.GuildID
		}
		p["message_reference"] = ref
		p["type"] = 19 // REPLY
		p["referenced_message"] = nil
		if rm := s.messages[m.ReferenceID]; rm != nil && withRef {
			p["referenced_message"] = s.messageObject(rm, false)
		}
	}
	return p
}

func anySlice(ms []map[string]any) []any {
	out := make([]any, 0, len(ms))
	for _, m := range ms {
		out = append(out, m)
	}
	return out
}
