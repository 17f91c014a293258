// Command gen writes docs/configuration.md from config.Keys and
// config.Default (see config.WriteMarkdown); `go generate ./config` runs
// it. TestConfigurationDocIsGenerated fails when the file drifts.
//
//	go run ./config/gen -o docs/configuration.md
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"

	"citebot/config"
)

func main() {
	out := flag.String("o", "", "file to write (default: standard output)")
	flag.Parse()
	var buf bytes.Buffer
	if err := config.WriteMarkdown(&buf); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
	if *out == "" {
		os.Stdout.Write(buf.Bytes())
		return
	}
	if err := os.WriteFile(*out, buf.Bytes(), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}
