package bot_test

import (
	"testing"

	"citebot/bot"
	"citebot/bot/discordtest"
)

// TestCommandScopes (issue 13, item 14): guild commands carry only the
// fields Discord allows for them (dm_permission, contexts and
// integration_types are "only for globally-scoped commands"), and
// switching discord.guild_id on or off removes the commands of the other
// scope, so that users do not see /ask twice.
func TestCommandScopes(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t, discordtest.Options{})
	dir := t.TempDir()
	run := func(guild string) {
		t.Helper()
		logs := &discordtest.Log{}
		p := discordtest.Start(t, logs, "citebot is online", newBot(t, fake, logs, bot.Options{GuildID: guild, StateDir: dir}).Run)
		if err := p.Stop(t); err != nil {
			t.Errorf("Run returned %v", err)
		}
	}
	n := len(bot.Commands())
	scopes := func() (global, guild int) { return len(fake.Commands("")), len(fake.Commands(fake.GuildID)) }

	run(fake.GuildID)
	if g, l := scopes(); g != 0 || l != n {
		t.Errorf("in guild mode: %d global and %d guild commands, want 0 and %d", g, l, n)
	}
	for _, c := range fake.Registrations()[0] {
		for _, k := range []string{"dm_permission", "contexts", "integration_types"} {
			if _, ok := c[k]; ok {
				t.Errorf("guild command /%s has %s, a field for global commands only", c["name"], k)
			}
		}
	}
	run("")
	if g, l := scopes(); g != n || l != 0 {
		t.Errorf("after switching to global: %d global and %d guild commands, want %d and 0", g, l, n)
	}
	run(fake.GuildID)
	if g, l := scopes(); g != 0 || l != n {
		t.Errorf("after switching back to the guild: %d global and %d guild commands, want 0 and %d", g, l, n)
	}
	// Without a record (a new data directory), the other scope is found
	// all the same: global when registering in a guild, the guilds of
	// READY when registering globally.
	dir = t.TempDir()
	run("")
	if g, l := scopes(); g != n || l != 0 {
		t.Errorf("global with a new state directory: %d global and %d guild commands, want %d and 0", g, l, n)
	}
	if v := fake.Violations(); len(v) > 0 {
		t.Errorf("violations: %q", v)
	}
}
