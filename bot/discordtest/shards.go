package discordtest

import (
	"strconv"
	"time"
)

// Sharding, as Discord does it: a client that identifies with "shard":
// [id, count] gets the events of the guilds with (guild_id >> 22) % count
// equal to id (direct messages: shard 0), and READY and GUILD_CREATE for
// those guilds only. Every live shard must use the same count (else the
// connection is closed with 4010 Invalid shard). IDENTIFYs are limited per
// max_concurrency bucket (shard id % max_concurrency), and GET /gateway/bot
// recommends Options.RecommendedShards.

// fakeGuild is a guild the bot is in, with its text channel.
type fakeGuild struct{ id, channelID string }

// ShardOf returns the shard that gets the events of a guild: (guild_id >>
// 22) % shards; 0 for "" (direct messages) or one shard.
func ShardOf(guildID string, shards int) int {
	if guildID == "" || shards <= 1 {
		return 0
	}
	id, err := strconv.ParseUint(guildID, 10, 64)
	if err != nil {
		return 0
	}
	return int((id >> 22) % uint64(shards))
}

// AddGuild adds a guild the bot is in, besides GuildID, with one text
// channel, whose events go to shard k of n: it returns the guild and
// channel ids. Add guilds before the bot connects; they are announced in
// READY and GUILD_CREATE.
func (s *Server) AddGuild(k, n int) (guildID, channelID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for {
		guildID = s.snowflakeLocked()
		if ShardOf(guildID, n) == k {
			break
		}
	}
	channelID = s.snowflakeLocked()
	s.channels[channelID] = channelInfo{id: channelID, guildID: guildID}
	s.extraGuilds = append(s.extraGuilds, fakeGuild{id: guildID, channelID: channelID})
	return guildID, channelID
}

// guildsLocked returns every guild of the bot: GuildID, then the added
// ones.
func (s *Server) guildsLocked() []fakeGuild {
	return append([]fakeGuild{{s.GuildID, s.ChannelID}}, s.extraGuilds...)
}

// guildsOfLocked returns the guilds a session receives.
func (s *Server) guildsOfLocked(sess *gwSession) []fakeGuild {
	var out []fakeGuild
	for _, g := range s.guildsLocked() {
		if sess.shard == nil || ShardOf(g.id, sess.shard[1]) == sess.shard[0] {
			out = append(out, g)
		}
	}
	return out
}

// channelOfLocked returns the text channel of a guild.
func (s *Server) channelOfLocked(guildID string) string {
	for _, g := range s.guildsLocked() {
		if g.id == guildID {
			return g.channelID
		}
	}
	return s.ChannelID
}

// shardProblemLocked checks the shard of an IDENTIFY against the live
// shards: "" when it may go on.
func (s *Server) shardProblemLocked(shard *[2]int) string {
	if shard == nil {
		return ""
	}
	id, n := shard[0], shard[1]
	if n < 1 || id < 0 || id >= n {
		return "Invalid shard."
	}
	for k, sess := range s.gw.byShard {
		if sess.valid && sess.shard[1] != n && k != id {
			return "Invalid shard."
		}
	}
	return ""
}

// identifyBucketLocked returns the max_concurrency bucket of an IDENTIFY.
func (s *Server) identifyBucketLocked(shard *[2]int) int {
	if shard == nil {
		return 0
	}
	return shard[0] % max(1, s.startLimitLocked().MaxConcurrency)
}

// lastIdentifyLocked returns, and sets to now, when the bucket last saw an
// IDENTIFY.
func (s *Server) lastIdentifyLocked(bucket int, now time.Time) time.Time {
	if s.gw.lastByBucket == nil {
		s.gw.lastByBucket = map[int]time.Time{}
	}
	last := s.gw.lastByBucket[bucket]
	s.gw.lastByBucket[bucket] = now
	return last
}

// routeLocked returns the session that gets an event of a guild, and the
// connection to write it to (nil while it has none).
func (s *Server) routeLocked(d any) (*gwSession, *gwConn) {
	if s.gw.shardCount <= 1 {
		sess, c := s.gw.session, s.gw.current
		if c != nil && c.session != sess {
			c = nil
		}
		return sess, c
	}
	p, _ := d.(map[string]any)
	gid, _ := p["guild_id"].(string)
	sess := s.gw.byShard[ShardOf(gid, s.gw.shardCount)]
	if sess == nil {
		return nil, nil
	}
	return sess, sess.conn
}
