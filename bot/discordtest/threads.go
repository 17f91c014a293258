package discordtest

import (
	"fmt"
	"time"
)

// Channel types of the payloads.
const (
	channelText         = 0
	channelDM           = 1
	channelPublicThread = 11
)

// Thread describes a thread a user starts.
type Thread struct {
	// Name is the thread's name. Default "thread".
	Name string
	// Owner starts the thread.
	Owner User
	// ParentID is the text channel it is in. Default: the guild's text
	// channel.
	ParentID string
	// FromMessage starts the thread from that message (as "Create Thread"
	// on a message does); the thread then has the message's id as its own
	// id, as on Discord. Empty: a thread without a starter message.
	FromMessage string
}

// CreateThread creates a public thread in the guild and dispatches
// THREAD_CREATE (with newly_created true), as Discord does for a thread
// created in a channel the bot can see. Messages are posted in it with
// Post{ChannelID: id}; slash commands used in it with
// Invocation{ChannelID: id}. It returns the thread's id.
func (s *Server) CreateThread(t Thread) (string, error) {
	s.mu.Lock()
	parent := t.ParentID
	if parent == "" {
		parent = s.ChannelID
	}
	pc, ok := s.channels[parent]
	if !ok || pc.dm || pc.thread {
		s.mu.Unlock()
		return "", fmt.Errorf("discordtest: %s is not a text channel of the guild", parent)
	}
	id := s.snowflakeLocked()
	if t.FromMessage != "" {
		m := s.messages[t.FromMessage]
		if m == nil || m.ChannelID != parent {
			s.mu.Unlock()
			return "", fmt.Errorf("discordtest: no message %s in channel %s to start a thread from", t.FromMessage, parent)
		}
		if _, taken := s.channels[t.FromMessage]; taken {
			s.mu.Unlock()
			return "", fmt.Errorf("discordtest: message %s already has a thread (code 160004)", t.FromMessage)
		}
		id = t.FromMessage
	}
	name := t.Name
	if name == "" {
		name = "thread"
	}
	ch := channelInfo{id: id, guildID: s.GuildID, thread: true, parentID: parent, name: name, owner: t.Owner}
	s.channels[id] = ch
	payload := s.channelJSONLocked(ch)
	payload["newly_created"] = true
	payload["member"] = map[string]any{"id": id, "user_id": s.BotUser.ID, "join_timestamp": time.Now().UTC().Format("2006-01-02T15:04:05.000000-07:00"), "flags": 1}
	s.notifyLocked()
	s.mu.Unlock()
	if err := s.dispatch("THREAD_CREATE", payload); err != nil {
		return id, err
	}
	return id, nil
}

// channelJSONLocked is the channel object of ch, as in THREAD_CREATE and
// the channel of an interaction.
func (s *Server) channelJSONLocked(ch channelInfo) map[string]any {
	switch {
	case ch.dm:
		return map[string]any{"id": ch.id, "type": channelDM, "flags": 0, "last_message_id": nil, "recipients": []any{userJSON(ch.recipient)}}
	case ch.thread:
		return map[string]any{
			"id": ch.id, "type": channelPublicThread, "guild_id": ch.guildID, "parent_id": ch.parentID, "owner_id": ch.owner.ID,
			"name": ch.name, "last_message_id": nil, "message_count": 0, "member_count": 1, "total_message_sent": 0,
			"rate_limit_per_user": 0, "flags": 0, "permissions": memberPermissions,
			"thread_metadata": map[string]any{
				"archived": false, "auto_archive_duration": 1440, "locked": false,
				"archive_timestamp": time.Now().UTC().Format("2006-01-02T15:04:05.000000-07:00"),
			},
		}
	}
	return map[string]any{"id": ch.id, "type": channelText, "guild_id": ch.guildID, "name": "general", "flags": 0, "permissions": memberPermissions}
}
