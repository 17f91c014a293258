package discordtest

import (
	"fmt"
	"time"
)

// Click describes a user clicking a button of one of the bot's messages.
type Click struct {
	User User
	// MessageID is the message the button is on.
	MessageID string
	// CustomID is the button's custom_id; the message must have a
	// non-link button with it.
	CustomID string
}

// Click dispatches INTERACTION_CREATE of type 3 (MESSAGE_COMPONENT) for a
// button, as Discord does when a user clicks it: data holds the custom_id
// and component_type 2, message the message the button is on. Its
// acknowledgement clock starts now, as for commands: within the
// AckDeadline (3 s) the bot must answer with type 4 (a new message, e.g.
// ephemeral), 5 (deferred new message), 6 (DEFERRED_UPDATE_MESSAGE: the
// message stays as it is, later edits of @original edit it) or 7
// (UPDATE_MESSAGE: the message is replaced at once).
func (s *Server) Click(c Click) (Interaction, error) {
	s.mu.Lock()
	m := s.messages[c.MessageID]
	if m == nil {
		s.mu.Unlock()
		return Interaction{}, fmt.Errorf("discordtest: no message %s", c.MessageID)
	}
	if m.Author.ID != s.BotUser.ID {
		s.mu.Unlock()
		return Interaction{}, fmt.Errorf("discordtest: message %s is not the bot's", c.MessageID)
	}
	if !hasButton(m, c.CustomID) {
		s.mu.Unlock()
		return Interaction{}, fmt.Errorf("discordtest: message %s has no enabled button with custom_id %q", c.MessageID, c.CustomID)
	}
	in := &interaction{id: s.snowflakeLocked(), token: "aW50ZXJhY3Rpb246" + randomID() + randomID(), kind: interactionComponent,
		channelID: m.ChannelID, guildID: m.GuildID, message: m}
	p := map[string]any{
		"id": in.id, "application_id": s.AppID, "type": interactionComponent, "token": in.token, "version": 1,
		"data":    map[string]any{"custom_id": c.CustomID, "component_type": 2},
		"message": s.messageJSONLocked(m), "locale": "en-US", "app_permissions": botPermissions,
		"entitlements": []any{}, "attachment_size_limit": 10485760, "channel_id": m.ChannelID,
	}
	if ch, ok := s.channels[m.ChannelID]; ok {
		p["channel"] = s.channelJSONLocked(ch)
	}
	if m.GuildID == "" {
		p["user"] = userJSON(c.User)
		p["context"] = 1
	} else {
		p["guild_id"] = m.GuildID
		p["guild"] = map[string]any{"id": m.GuildID, "locale": "en-US", "features": []any{}}
		p["guild_locale"] = "en-US"
		p["member"] = memberJSON(&c.User)
		p["context"] = 0
	}
	in.dispatched = time.Now()
	s.interactions[in.token] = in
	s.mu.Unlock()
	if err := s.dispatch("INTERACTION_CREATE", p); err != nil {
		return Interaction{}, err
	}
	return Interaction{ID: in.id, Token: in.token, Type: interactionComponent, ChannelID: m.ChannelID, Payload: p}, nil
}

// hasButton reports whether m has an enabled non-link button with the
// custom id.
func hasButton(m *Message, customID string) bool {
	for _, row := range m.Components {
		for _, c := range Objects(row["components"]) {
			if num(c["type"]) == 2 && num(c["style"]) != 5 && str(c["custom_id"]) == customID {
				disabled, _ := c["disabled"].(bool)
				return !disabled
			}
		}
	}
	return false
}

// Buttons returns the custom ids of the non-link buttons of a message, in
// order.
func (m Message) Buttons() []string {
	var out []string
	for _, row := range m.Components {
		for _, c := range Objects(row["components"]) {
			if num(c["type"]) == 2 && num(c["style"]) != 5 {
				out = append(out, str(c["custom_id"]))
			}
		}
	}
	return out
}
