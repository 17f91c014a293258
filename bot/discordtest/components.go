package discordtest

import (
	"fmt"
	"net/http"
	"time"
)

// Message components: a test presses a button of one of the bot's
// messages with Click, and the fake dispatches the interaction (type 3)
// Discord sends; an UPDATE_MESSAGE response (type 7) edits that message.

// componentButton is the component type of a button.
const componentButton = 2

// Original returns the original response of an interaction as it is now.
func (s *Server) Original(in Interaction) (Message, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.interactions[in.Token]
	if st == nil || st.original == nil {
		return Message{}, false
	}
	return *st.original, true
}

// Click presses the button with the given custom id on message m (one of
// the bot's messages, as the fake stores it) as user u, in m's channel:
// the fake dispatches INTERACTION_CREATE of type 3 with the message. The
// button must exist and be enabled, as Discord offers no other.
func (s *Server) Click(u User, m Message, customID string) (Interaction, error) {
	s.mu.Lock()
	cur := s.messages[m.ID]
	if cur == nil {
		s.mu.Unlock()
		return Interaction{}, fmt.Errorf("discordtest: no message %s", m.ID)
	}
	found := false
	for _, row := range cur.Components {
		for _, c := range Objects(row["components"]) {
			if str(c["custom_id"]) == customID && num(c["type"]) == componentButton {
				if b, _ := c["disabled"].(bool); b {
					s.mu.Unlock()
					return Interaction{}, fmt.Errorf("discordtest: button %q of message %s is disabled", customID, m.ID)
				}
				found = true
			}
		}
	}
	if !found {
		s.mu.Unlock()
		return Interaction{}, fmt.Errorf("discordtest: message %s has no button %q", m.ID, customID)
	}
	in := &interaction{id: s.snowflakeLocked(), token: "aW50ZXJhY3Rpb246" + randomID() + randomID(), kind: interactionComponent,
		channelID: cur.ChannelID, guildID: cur.GuildID, message: cur}
	p := map[string]any{
		"id": in.id, "application_id": s.AppID, "type": interactionComponent, "token": in.token, "version": 1,
		"data":    map[string]any{"custom_id": customID, "component_type": componentButton},
		"message": s.messageObject(cur, false), "channel_id": cur.ChannelID, "locale": "en-US",
		"app_permissions": botPermissions, "entitlements": []any{}, "attachment_size_limit": 10485760,
	}
	if cur.GuildID != "" {
		p["guild_id"] = cur.GuildID
		p["member"] = memberJSON(&u)
		p["context"] = 0
	} else {
		p["user"] = userJSON(u)
		p["context"] = 1
	}
	in.dispatched = time.Now()
	s.interactions[in.token] = in
	s.mu.Unlock()
	if err := s.dispatch("INTERACTION_CREATE", p); err != nil {
		return Interaction{}, err
	}
	return Interaction{ID: in.id, Token: in.token, Type: interactionComponent, ChannelID: in.channelID, Payload: p}, nil
}

// updateComponentMessageLocked applies an UPDATE_MESSAGE response (type
// 7) to the message of a component interaction.
func (s *Server) updateComponentMessageLocked(in *interaction, data map[string]any) *httpError {
	m := in.message
	if m == nil || s.messages[m.ID] == nil {
		return errf(http.StatusNotFound, CodeUnknownMessage, "Unknown Message")
	}
	next := *m
	if v, ok := data["content"]; ok {
		next.Content, _ = v.(string)
	}
	if v, ok := data["embeds"]; ok {
		next.Embeds = Objects(v)
	}
	if v, ok := data["components"]; ok {
		next.Components = Objects(v)
	}
	if next.Content == "" && len(next.Embeds) == 0 && len(next.Components) == 0 {
		return errf(http.StatusBadRequest, CodeCannotSendEmpty, "Cannot send an empty message")
	}
	next.AllowedMentions, _ = data["allowed_mentions"].(map[string]any)
	next.Edits++
	*m = next
	return nil
}
