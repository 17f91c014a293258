package bot

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"citebot/rag/backoff"
)

// Sharding: Discord requires a bot in more than 2,500 servers to spread
// them over shards, gateway sessions that each receive the events of the
// servers with (guild_id >> 22) % shard_count equal to their shard id
// (direct messages go to shard 0). citebot runs one shard per process:
// Options.ShardID and ShardCount, or ShardAuto for the count Discord
// recommends in GET /gateway/bot. Each shard process
//
//   - identifies with [shard_id, shard_count], and on its first IDENTIFY
//     waits its turn in its max_concurrency bucket (shard_id %
//     max_concurrency): shards started together then identify 5 seconds
//     apart within a bucket, as Discord asks, without talking to each
//     other;
//   - keeps its own state file (discord-state-shard-N.json), so that
//     processes sharing a data directory do not overwrite each other's
//     restart backoff and IDENTIFY times;
//   - registers the slash commands only as shard 0 (they belong to the
//     application, not to a shard).
//
// Interactions arrive on the shard of their server, so a shard answers
// them from its own process; nothing is shared between shards but the
// index file, which they read.

// ShardAuto as Options.ShardCount asks Discord for the shard count (the
// "shards" of GET /gateway/bot) before identifying.
const ShardAuto = -1

// sharded reports whether the bot runs one shard of several.
func (o Options) sharded() bool { return o.ShardCount > 1 || o.ShardCount == ShardAuto }

// checkShards validates the shard options.
func checkShards(o Options) error {
	switch {
	case o.ShardCount < ShardAuto:
		return fmt.Errorf("bot: ShardCount %d: use a positive count, 0 for none or ShardAuto", o.ShardCount)
	case o.ShardID < 0:
		return fmt.Errorf("bot: ShardID %d is negative", o.ShardID)
	case o.ShardCount > 0 && o.ShardID >= max(o.ShardCount, 1):
		return fmt.Errorf("bot: ShardID %d is not a shard of %d (0 to %d)", o.ShardID, o.ShardCount, o.ShardCount-1)
	case o.ShardCount == 0 && o.ShardID != 0:
		return fmt.Errorf("bot: ShardID %d needs a ShardCount", o.ShardID)
	}
	return nil
}

// StateFile is the name of the file, in Options.StateDir, where the bot
// keeps what must outlive a restart: when it last identified, how many
// starts in a row failed (for the restart backoff), and where its slash
// commands are registered.
const StateFile = "discord-state.json"

// stateFileName is the bot's state file: StateFile, or for a shard
// "discord-state-shard-N.json".
func stateFileName(o Options) string {
	if !o.sharded() {
		return StateFile
	}
	return "discord-state-shard-" + strconv.Itoa(o.ShardID) + ".json"
}

// applyShards sets the session's shard before an IDENTIFY, asking
// Discord's recommendation for ShardAuto; on the first IDENTIFY of the
// process it waits the shard's turn in its max_concurrency bucket.
func (b *Bot) applyShards(ctx context.Context, lim sessionStartLimit) error {
	if !b.opts.sharded() {
		return nil
	}
	count := b.opts.ShardCount
	if count == ShardAuto {
		count = max(1, lim.recommendedShards)
		if b.opts.ShardID >= count {
			return fmt.Errorf("shard %d of %d: Discord recommends %d shards, so there is no shard %d; run shards 0 to %d", b.opts.ShardID, count, count, b.opts.ShardID, count-1)
		}
	}
	if b.s.ShardCount != count || !b.shardTurnTaken.Load() {
		b.log.Info("identifying as a shard", "shard", b.opts.ShardID, "shards", count, "max_concurrency", max(1, lim.MaxConcurrency))
	}
	b.s.ShardID, b.s.ShardCount = b.opts.ShardID, count
	if b.shardTurnTaken.Swap(true) {
		return nil
	}
	// Shards of one bucket identify one per 5 seconds, in shard order.
	turn := b.opts.ShardID / max(1, lim.MaxConcurrency)
	if wait := time.Duration(turn) * b.opts.timings.identifySpacing; wait > 0 {
		b.gw.SetState("waiting: this shard's turn to identify", true)
		b.log.Debug("waiting for this shard's turn to identify", "shard", b.opts.ShardID, "wait", wait)
		return backoff.Sleep(ctx, wait)
	}
	return nil
}
