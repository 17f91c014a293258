package bot_test

import (
	"flag"
	"os"
	"runtime"
	"strconv"
	"testing"
)

// TestMain raises the default test parallelism: the bot tests mostly wait
// (discordgo pauses a second when it closes a gateway connection), so they
// run side by side even on two cores. An explicit -parallel wins.
func TestMain(m *testing.M) {
	flag.Parse()
	if p := flag.Lookup("test.parallel"); p != nil && p.Value.String() == strconv.Itoa(runtime.GOMAXPROCS(0)) {
		_ = p.Value.Set("8")
	}
	os.Exit(m.Run())
}
