package discordtest

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"citebot/bot/discordtest/internal/validate"
)

// Interaction types, as in the "type" of an interaction payload.
const (
	interactionPing         = 1
	interactionCommand      = 2
	interactionComponent    = 3
	interactionAutocomplete = 4
	interactionModal        = 5
)

// Message flags the fake understands.
const (
	flagSuppressEmbeds = 1 << 2
	flagEphemeral      = 1 << 6
	flagLoading        = 1 << 7
)

// interaction is the fake's state of one dispatched interaction.
type interaction struct {
	id, token  string
	kind       int
	channelID  string
	guildID    string
	dispatched time.Time
	acked      bool
	ackType    int
	ackAfter   time.Duration // from dispatch to the accepted acknowledgement
	original   *Message
	message    *Message // the message of a component interaction (see Click)
	followups  []string
	// delivered is when INTERACTION_CREATE first reached the client.
	delivered time.Time
	// gone is set once the fake answered 404 for the original response
	// (deleted): Discord restricts clients that keep trying.
	gone bool
}

// Message is a message as the fake stores it: sent by a test as a user, or
// by the bot as a channel message, interaction response or follow-up.
type Message struct {
	ID, ChannelID, GuildID string
	Author                 User
	Content                string
	Embeds                 []map[string]any
	Components             []map[string]any
	Flags                  int
	// ReferenceID is the id of the message this one replies to.
	ReferenceID string
	// AllowedMentions is the allowed_mentions object of the last create or
	// edit (nil when none was sent).
	AllowedMentions map[string]any
	// Edits counts the edits after creation.
	Edits     int
	Timestamp time.Time
	// Interaction is the id of the interaction whose response or follow-up
	// this is.
	Interaction string
	WebhookID   string
	// Delivered is when MESSAGE_CREATE for a user's message first reached
	// the client (zero: not yet, or never).
	Delivered time.Time
	// pings reports a reply that mentions the replied-to author.
	pings bool
}

// Text returns the visible text of the message for assertions: content,
// embed titles, descriptions, fields and footers, and button labels and
// URLs, one per line.
func (m Message) Text() string {
	var parts []string
	add := func(v any) {
		if s, ok := v.(string); ok && s != "" {
			parts = append(parts, s)
		}
	}
	add(m.Content)
	for _, e := range m.Embeds {
		add(e["title"])
		add(e["description"])
		if fs, ok := e["fields"].([]any); ok {
			for _, f := range fs {
				if f, ok := f.(map[string]any); ok {
					add(f["name"])
					add(f["value"])
				}
			}
		}
		if f, ok := e["footer"].(map[string]any); ok {
			add(f["text"])
		}
	}
	for _, row := range m.Components {
		cs, _ := row["components"].([]any)
		for _, c := range cs {
			if c, ok := c.(map[string]any); ok {
				add(c["label"])
				add(c["url"])
			}
		}
	}
	return strings.Join(parts, "\n")
}

func (s *Server) getGateway(_ *http.Request, _ *Request) (int, any, *httpError) {
	return http.StatusOK, map[string]any{"url": s.GatewayURL()}, nil
}

func (s *Server) getGatewayBot(_ *http.Request, _ *Request) (int, any, *httpError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	lim := s.startLimitLocked()
	return http.StatusOK, map[string]any{
		"url":    s.GatewayURL(),
		"shards": max(1, s.opts.RecommendedShards),
		"session_start_limit": map[string]any{
			"total": lim.Total, "remaining": lim.Remaining, "max_concurrency": lim.MaxConcurrency,
			"reset_after": max(0, time.Until(s.gw.limitResetAt).Milliseconds()),
		},
	}, nil
}

func (s *Server) getMe(_ *http.Request, _ *Request) (int, any, *httpError) {
	return http.StatusOK, userJSON(s.BotUser), nil
}

// putCommands is the bulk overwrite of global or guild commands.
func (s *Server) putCommands(r *http.Request, req *Request) (int, any, *httpError) {
	if r.PathValue("application") != s.AppID {
		return 0, nil, errf(http.StatusForbidden, 50001, "Missing Access")
	}
	guild := r.PathValue("guild")
	if guild != "" && guild != s.GuildID {
		return 0, nil, errf(http.StatusForbidden, 50001, "Missing Access")
	}
	if req.BodyArray == nil {
		return 0, nil, formError([]string{"the body must be an array of commands"})
	}
	if len(req.BodyArray) > 100 {
		return 0, nil, formError([]string{"at most 100 commands"})
	}
	var problems []string
	var cmds []map[string]any
	names := map[string]bool{}
	for i, c := range req.BodyArray {
		m, ok := c.(map[string]any)
		if !ok {
			problems = append(problems, "command "+strconv.Itoa(i)+" is not an object")
			continue
		}
		problems = append(problems, validate.Command(m)...)
		if guild != "" {
			// Discord documents dm_permission, integration_types and
			// contexts as "only for globally-scoped commands" ("Guild
			// commands don't support the BOT_DM interaction context").
			for _, k := range []string{"dm_permission", "integration_types", "contexts"} {
				if v, ok := m[k]; ok && v != nil {
					s.mu.Lock()
					s.violationLocked("guild command %v sent %s, a field for global commands only", m["name"], k)
					s.mu.Unlock()
				}
			}
		}
		name, _ := m["name"].(string)
		if names[name] {
			problems = append(problems, "duplicate command name "+name)
		}
		names[name] = true
		cmds = append(cmds, m)
	}
	if len(problems) > 0 {
		return 0, nil, formError(problems)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]map[string]any, 0, len(cmds))
	for _, c := range cmds {
		rc := map[string]any{}
		for k, v := range c {
			rc[k] = v
		}
		rc["id"] = s.snowflakeLocked()
		rc["application_id"] = s.AppID
		rc["version"] = s.snowflakeLocked()
		if _, ok := rc["type"]; !ok {
			rc["type"] = 1
		}
		if rc["options"] == nil {
			delete(rc, "options")
		}
		rc["default_member_permissions"] = nil
		if guild != "" {
			rc["guild_id"] = guild
		}
		out = append(out, rc)
	}
	s.commands[guild] = out
	s.registrations = append(s.registrations, cmds)
	return http.StatusOK, out, nil
}

func (s *Server) getCommands(r *http.Request, _ *Request) (int, any, *httpError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cmds := s.commands[r.PathValue("guild")]
	if cmds == nil {
		cmds = []map[string]any{}
	}
	return http.StatusOK, cmds, nil
}

// postCallback is the interaction response: the single acknowledgement.
func (s *Server) postCallback(r *http.Request, req *Request) (int, any, *httpError) {
	id, token := r.PathValue("interaction"), r.PathValue("token")
	s.mu.Lock()
	defer s.mu.Unlock()
	in := s.interactions[token]
	if in == nil || in.id != id {
		return 0, nil, errf(http.StatusNotFound, CodeUnknownInteraction, "Unknown interaction")
	}
	req.Interaction, req.Since = in.id, req.At.Sub(in.dispatched)
	if in.acked {
		return 0, nil, errf(http.StatusBadRequest, CodeAlreadyAcknowledged, "Interaction has already been acknowledged.")
	}
	if req.Since > s.opts.AckDeadline {
		return 0, nil, errf(http.StatusNotFound, CodeUnknownInteraction, "Unknown interaction")
	}
	typ := int(num(req.Body["type"]))
	allowed := map[int][]int{
		interactionPing:         {1},
		interactionCommand:      {4, 5, 9},
		interactionComponent:    {4, 5, 6, 7, 9},
		interactionAutocomplete: {8},
		interactionModal:        {4, 5, 6, 7},
	}[in.kind]
	if !slices.Contains(allowed, typ) {
		return 0, nil, formError([]string{"interaction response type " + strconv.Itoa(typ) + " is not valid for interaction type " + strconv.Itoa(in.kind)})
	}
	data, _ := req.Body["data"].(map[string]any)
	switch typ {
	case 4, 7:
		if p := validate.Message(data, typ == 7); len(p) > 0 {
			return 0, nil, formError(p)
		}
		if typ == 4 {
			in.original = s.newMessageLocked(in.channelID, in.guildID, data)
			in.original.Interaction, in.original.WebhookID = in.id, s.AppID
		}
		if typ == 7 {
			// UPDATE_MESSAGE: the component's message is edited at once,
			// and is the interaction's @original from now on.
			applyEdit(in.message, data)
			in.message.Edits++
			in.original = in.message
		}
	case 6:
		// DEFERRED_UPDATE_MESSAGE: nothing visible changes; @original is
		// the component's message.
		in.original = in.message
	case 5:
		flags := int(num(data["flags"]))
		if flags&^(flagEphemeral|flagSuppressEmbeds) != 0 {
			return 0, nil, formError([]string{"only the EPHEMERAL and SUPPRESS_EMBEDS flags can be set"})
		}
		if p := validate.AllowedMentions(data); len(p) > 0 {
			return 0, nil, formError(p)
		}
		in.original = s.newMessageLocked(in.channelID, in.guildID, map[string]any{"flags": float64(flags | flagLoading), "allowed_mentions": data["allowed_mentions"]})
		in.original.Interaction, in.original.WebhookID = in.id, s.AppID
	case 8:
		if p := validate.Choices(data); len(p) > 0 {
			return 0, nil, formError(p)
		}
	}
	in.acked, in.ackType, in.ackAfter = true, typ, req.Since
	return http.StatusNoContent, nil, nil
}

// webhookInteraction finds the interaction of a webhook (application id +
// interaction token) route.
func (s *Server) webhookInteraction(r *http.Request, req *Request) (*interaction, *httpError) {
	in := s.interactions[r.PathValue("token")]
	if in == nil || r.PathValue("application") != s.AppID {
		return nil, errf(http.StatusNotFound, CodeUnknownWebhook, "Unknown Webhook")
	}
	req.Interaction, req.Since = in.id, req.At.Sub(in.dispatched)
	return in, nil
}

// webhookMessage finds the message of a webhook message route: @original or
// a follow-up of the same interaction.
func (s *Server) webhookMessage(r *http.Request, req *Request) (*interaction, *Message, *httpError) {
	in, herr := s.webhookInteraction(r, req)
	if herr != nil {
		return nil, nil, herr
	}
	id := r.PathValue("message")
	if id == "@original" {
		if in.original == nil {
			if in.gone {
				s.violationLocked("%s %s after Discord answered 404 for it (\"repeated attempts … will result in a temporary restriction\")", r.Method, req.Route)
			}
			in.gone = in.acked // a response that never existed is not "deleted"
			return nil, nil, errf(http.StatusNotFound, CodeUnknownMessage, "Unknown Message")
		}
		return in, in.original, nil
	}
	if !slices.Contains(in.followups, id) || s.messages[id] == nil {
		return nil, nil, errf(http.StatusNotFound, CodeUnknownMessage, "Unknown Message")
	}
	return in, s.messages[id], nil
}

func (s *Server) getWebhookMessage(r *http.Request, req *Request) (int, any, *httpError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, m, herr := s.webhookMessage(r, req)
	if herr != nil {
		return 0, nil, herr
	}
	return http.StatusOK, s.messageJSONLocked(m), nil
}

func (s *Server) patchWebhookMessage(r *http.Request, req *Request) (int, any, *httpError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, m, herr := s.webhookMessage(r, req)
	if herr != nil {
		return 0, nil, herr
	}
	if p := validate.Message(req.Body, true); len(p) > 0 {
		return 0, nil, formError(p)
	}
	next := *m
	applyEdit(&next, req.Body)
	if next.Content == "" && len(next.Embeds) == 0 && len(next.Components) == 0 {
		return 0, nil, errf(http.StatusBadRequest, CodeCannotSendEmpty, "Cannot send an empty message")
	}
	next.Flags &^= flagLoading
	next.Edits++
	*m = next
	return http.StatusOK, s.messageJSONLocked(m), nil
}

func (s *Server) deleteWebhookMessage(r *http.Request, req *Request) (int, any, *httpError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	in, m, herr := s.webhookMessage(r, req)
	if herr != nil {
		return 0, nil, herr
	}
	if m == in.original {
		in.original = nil
	}
	delete(s.messages, m.ID)
	return http.StatusNoContent, nil, nil
}

func (s *Server) postFollowup(r *http.Request, req *Request) (int, any, *httpError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	in, herr := s.webhookInteraction(r, req)
	if herr != nil {
		return 0, nil, herr
	}
	if !in.acked {
		return 0, nil, errf(http.StatusNotFound, CodeUnknownWebhook, "Unknown Webhook")
	}
	if p := validate.Message(req.Body, false); len(p) > 0 {
		return 0, nil, formError(p)
	}
	m := s.newMessageLocked(in.channelID, in.guildID, req.Body)
	m.Interaction, m.WebhookID = in.id, s.AppID
	in.followups = append(in.followups, m.ID)
	if req.Query.Get("wait") != "true" {
		return http.StatusNoContent, nil, nil
	}
	return http.StatusOK, s.messageJSONLocked(m), nil
}

func (s *Server) postChannelMessage(r *http.Request, req *Request) (int, any, *httpError) {
	s.mu.Lock()
	ch, ok := s.channels[r.PathValue("channel")]
	if !ok {
		s.mu.Unlock()
		return 0, nil, errf(http.StatusNotFound, CodeUnknownChannel, "Unknown Channel")
	}
	if p := validate.Message(req.Body, false); len(p) > 0 {
		s.mu.Unlock()
		return 0, nil, formError(p)
	}
	body := req.Body
	if ref, ok := body["message_reference"].(map[string]any); ok {
		target, _ := ref["message_id"].(string)
		tm := s.messages[target]
		if tm == nil || tm.ChannelID != ch.id {
			if fail, ok := ref["fail_if_not_exists"].(bool); !ok || fail {
				s.mu.Unlock()
				return 0, nil, &httpError{status: http.StatusBadRequest, body: apiError{Message: "Invalid Form Body", Code: CodeInvalidFormBody,
					Errors: map[string]any{"message_reference": map[string]any{"_errors": []map[string]string{{"code": "REPLIES_UNKNOWN_MESSAGE", "message": "Unknown message"}}}}}}
			}
			body = copyWithout(body, "message_reference")
		}
	}
	m := s.newMessageLocked(ch.id, ch.guildID, body)
	out := s.messageJSONLocked(m)
	echo := s.messageCreatePayload(m)
	s.mu.Unlock()
	// Discord echoes the bot's own messages to it through the gateway.
	_ = s.dispatch("MESSAGE_CREATE", echo)
	return http.StatusOK, out, nil
}

func (s *Server) postTyping(r *http.Request, _ *Request) (int, any, *httpError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.channels[r.PathValue("channel")]; !ok {
		return 0, nil, errf(http.StatusNotFound, CodeUnknownChannel, "Unknown Channel")
	}
	return http.StatusNoContent, nil, nil
}

// newMessageLocked stores a message the bot sent from its JSON payload.
func (s *Server) newMessageLocked(channelID, guildID string, body map[string]any) *Message {
	m := &Message{ID: s.snowflakeLocked(), ChannelID: channelID, GuildID: guildID, Author: s.BotUser, Timestamp: time.Now().UTC()}
	m.Content, _ = body["content"].(string)
	m.Embeds = Objects(body["embeds"])
	m.Components = Objects(body["components"])
	m.Flags = int(num(body["flags"]))
	m.AllowedMentions, _ = body["allowed_mentions"].(map[string]any)
	if ref, ok := body["message_reference"].(map[string]any); ok {
		m.ReferenceID, _ = ref["message_id"].(string)
	}
	s.messages[m.ID] = m
	return m
}

// applyEdit applies the fields of an edit (content, embeds, components,
// allowed mentions) to m.
func applyEdit(m *Message, body map[string]any) {
	if v, ok := body["content"]; ok {
		m.Content, _ = v.(string)
	}
	if v, ok := body["embeds"]; ok {
		m.Embeds = Objects(v)
	}
	if v, ok := body["components"]; ok {
		m.Components = Objects(v)
	}
	if am, ok := body["allowed_mentions"].(map[string]any); ok {
		m.AllowedMentions = am
	} else {
		m.AllowedMentions = nil
	}
}

// DeleteResponse deletes the original response of an interaction, as its
// user or a moderator can; later edits of it get 404 Unknown Message.
func (s *Server) DeleteResponse(in Interaction) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.interactions[in.Token]
	if st == nil || st.original == nil {
		return fmt.Errorf("discordtest: interaction %s has no response to delete", in.ID)
	}
	delete(s.messages, st.original.ID)
	st.original = nil
	s.notifyLocked()
	return nil
}

// Response returns the current original response of an interaction.
func (s *Server) Response(in Interaction) (Message, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.interactions[in.Token]
	if st == nil || st.original == nil {
		return Message{}, false
	}
	return *st.original, true
}

// Outcome is what the user who started an interaction sees of it.
type Outcome struct {
	// Acked reports an accepted acknowledgement, of type AckType (4: a
	// message, 5: deferred, 8: autocomplete choices), AckAfter after the
	// interaction was dispatched.
	Acked    bool
	AckType  int
	AckAfter time.Duration
	// Final reports that the user sees a message that is not "thinking…":
	// the acknowledgement carried one, or the deferred response was edited.
	Final bool
	// Message is the original response as it is now.
	Message Message
	// Followups counts follow-up messages.
	Followups int
	// Delivered reports that INTERACTION_CREATE reached the client (live or
	// replayed after a resume), DeliveredAfter after the user invoked the
	// command. An interaction delivered after the 3-second deadline, or
	// never (its session ended), is one Discord tells its user "The
	// application did not respond" about.
	Delivered      bool
	DeliveredAfter time.Duration
}

// Outcome returns what the user sees of an interaction so far.
func (s *Server) Outcome(in Interaction) Outcome {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.interactions[in.Token]
	if st == nil {
		return Outcome{}
	}
	o := Outcome{Acked: st.acked, AckType: st.ackType, AckAfter: st.ackAfter, Followups: len(st.followups)}
	if !st.delivered.IsZero() {
		o.Delivered, o.DeliveredAfter = true, st.delivered.Sub(st.dispatched)
	}
	if st.original != nil {
		o.Message = *st.original
		o.Final = st.original.Flags&flagLoading == 0
	}
	return o
}

// Followups returns the follow-up messages of an interaction, in order.
func (s *Server) Followups(in Interaction) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.interactions[in.Token]
	if st == nil {
		return nil
	}
	var out []Message
	for _, id := range st.followups {
		if m := s.messages[id]; m != nil {
			out = append(out, *m)
		}
	}
	return out
}

// Message returns the message with the given id as it is now (a user's
// post, with Delivered set once it reached the client, or one of the
// bot's).
func (s *Server) Message(id string) (Message, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.messages[id]
	if m == nil {
		return Message{}, false
	}
	return *m, true
}

// ChannelMessages returns the messages in a channel sent by anyone, oldest
// first (interaction responses not included).
func (s *Server) ChannelMessages(channelID string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Message
	for _, m := range s.messages {
		if m.ChannelID == channelID && m.Interaction == "" {
			out = append(out, *m)
		}
	}
	slices.SortFunc(out, func(a, b Message) int { return cmpSnowflake(a.ID, b.ID) })
	return out
}

func cmpSnowflake(a, b string) int {
	if len(a) != len(b) {
		return len(a) - len(b)
	}
	return strings.Compare(a, b)
}

// str and num read a decoded JSON string and number.
var (
	str = validate.Str
	num = validate.Num
)

// Objects returns the JSON objects in v, a decoded JSON array (as in a
// Request's Body, e.g. Body["embeds"]); anything else gives none.
func Objects(v any) []map[string]any { return validate.Objects(v) }

func copyWithout(m map[string]any, key string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		if k != key {
			out[k] = v
		}
	}
	return out
}

// ValidateMessage checks a message payload, decoded from JSON, against the
// limits Discord enforces when a message is created (content, embeds,
// components, allowed mentions, not empty) and returns the problems found;
// none means Discord would accept it. The fake applies the same checks.
func ValidateMessage(m map[string]any) []string { return validate.Message(m, false) }
