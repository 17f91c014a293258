package bot_test

import (
	"flag"
	"os"
	"testing"
)

// TestMain raises the default test parallelism: the bot tests mostly wait
// (discordgo pauses a second when it closes a gateway connection), so they
// run side by side even on two cores. An explicit -parallel wins (it is
// also the number of fuzzing workers).
func TestMain(m *testing.M) {
	flag.Parse()
	explicit := false
	flag.Visit(func(f *flag.Flag) { explicit = explicit || f.Name == "test.parallel" })
	if p := flag.Lookup("test.parallel"); p != nil && !explicit {
		_ = p.Value.Set("16")
	}
	os.Exit(m.Run())
}
