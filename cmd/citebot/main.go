// Command citebot answers questions about a corpus of news articles with
// cited answers, from the terminal or as a Discord bot.
//
//	citebot ask "when did Biden and Xi last speak?"
//	citebot chat
//	citebot search "theater commander call"
//	citebot timeline "Biden Xi calls and meetings"
//	citebot index --corpus ./articles
//	citebot eval --qa questions.jsonl
//	DISCORD_TOKEN=… citebot serve --http 127.0.0.1:8080
//	citebot feedback --export-qa bad-answers.jsonl
//	citebot config check
//	citebot healthcheck
//	citebot version
//
// It works offline by default: the shipped corpus, a local embedder and an
// extractive answerer. See docs/models.md for the model-backed path and
// docs/discord.md for the bot.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// version is stamped at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	memLimit = setMemoryLimit(os.Getenv, "/")
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(exitCode(err, os.Stderr))
}

// errUsage marks command-line mistakes; they exit with status 2.
var errUsage = errors.New("usage")

// exitCode prints err (if any) and returns the process exit status.
func exitCode(err error, stderr io.Writer) int {
	switch {
	case err == nil:
		return 0
	case errors.Is(err, errHelp):
		return 0
	case errors.Is(err, errUsage):
		fmt.Fprintln(stderr, "citebot:", err)
		return 2
	default:
		fmt.Fprintln(stderr, "citebot:", err)
		return 1
	}
}

// command is one subcommand.
type command struct {
	name, summary string
	run           func(ctx context.Context, env *env, args []string) error
}

// env is what commands get from the process.
type env struct {
	getenv func(string) string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

func commands() []command {
	return []command{
		{"ask", "answer a question with citations", runAsk},
		{"chat", "a conversation in the terminal: follow-up questions, /new to start over", runChat},
		{"search", "show the passages that best match a query, with scores", runSearch},
		{"timeline", "list the dated events on a topic, oldest first, with citations", runTimeline},
		{"index", "build or refresh the index of the corpus", runIndex},
		{"eval", "measure answer and retrieval quality on a question set", runEval},
		{"serve", "run the Discord bot (needs DISCORD_TOKEN)", runServe},
		{"feedback", "summarise 👍/👎 votes on answers; --export-qa: the 👎 questions as an eval set", runFeedback},
		{"config", "config check: print the effective configuration (secrets redacted) and validate it", runConfig},
		{"healthcheck", "exit 0 when a running serve answers on its operations listener", runHealthcheck},
		{"version", "print the version", runVersion},
	}
}

// run is the whole program: it parses args, runs one command and returns
// its error. Deferred cleanup in commands always runs, also on SIGINT.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	e := &env{getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr}
	if len(args) == 0 {
		usage(stderr)
		return fmt.Errorf("%w: no command given", errUsage)
	}
	name := args[0]
	switch name {
	case "-h", "-help", "--help", "help":
		usage(stdout)
		return nil
	case "-version", "--version":
		name = "version"
	}
	for _, c := range commands() {
		if c.name == name {
			return c.run(ctx, e, args[1:])
		}
	}
	usage(stderr)
	return fmt.Errorf("%w: unknown command %q", errUsage, name)
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "citebot answers questions about news articles, with citations.")
	fmt.Fprintln(w, "\nUsage: citebot <command> [flags] [arguments]\n\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-11s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'citebot <command> -h' for the flags of a command.")
}

func runVersion(_ context.Context, e *env, args []string) error {
	if len(args) > 0 {
		return fmt.Errorf("%w: version takes no arguments", errUsage)
	}
	fmt.Fprintf(e.stdout, "citebot %s\n", version)
	return nil
}
