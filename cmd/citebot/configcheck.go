package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"citebot/config"
)

// configCheckSynopsis follows "Usage: citebot config check" in the usage.
const configCheckSynopsis = "[flags]\n\nPrints the effective configuration (secrets redacted) and validates it."

// runConfig runs `citebot config check`.
func runConfig(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] != "check" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			fmt.Fprintln(e.stdout, "Usage: citebot config check "+configCheckSynopsis)
			return errHelp
		}
		return fmt.Errorf("%w: config needs a subcommand: citebot config check [flags]", errUsage)
	}
	return runConfigCheck(ctx, e, args[1:])
}

// runConfigCheck prints the effective configuration as YAML, every key with
// the source of its value (default, file, env, flag), secrets shown as
// "[redacted]" and credentials in URLs redacted, then validates it and
// reports every problem at once. A configuration file holding secrets that
// other users may read gets a warning on stderr, and every value of the
// file that an environment variable overrides gets a note. It returns an
// error when the configuration is invalid: exit status 2 when a flag set a
// bad value, 1 otherwise. It takes the same flags as the other commands.
func runConfigCheck(_ context.Context, e *env, args []string) error {
	c, err := parseArgs(e, "config check", configCheckSynopsis, args, nil)
	if err != nil {
		return err
	}
	if len(c.args) > 0 {
		return fmt.Errorf("%w: config check takes no arguments", errUsage)
	}
	cfg, src, err := config.LoadSources(c.flags, e.getenv)
	if err != nil {
		return fmt.Errorf("configuration: %w", err)
	}
	warnInsecureFile(newLogger(e.stderr, cfg.Log), cfg)
	fmt.Fprintln(e.stdout, "# Effective configuration of citebot "+version+"; each comment names the value's source.")
	fmt.Fprintln(e.stdout, "# Precedence: default < file < env < flag. Secrets are never shown.")
	if err := config.WriteYAML(e.stdout, cfg, src); err != nil {
		return err
	}
	printOverrides(e.stdout, src)
	problems := []error{cfg.Validate()}
	if cfg.Discord.Token.Reveal() != "" {
		problems = append(problems, cfg.ValidateDiscord())
	}
	if err := errors.Join(problems...); err != nil {
		return invalidConfig(err, src)
	}
	if cfg.Discord.Token.Reveal() == "" {
		fmt.Fprintln(e.stdout, "# Note: discord.token is not set; citebot serve needs it (DISCORD_TOKEN).")
	}
	fmt.Fprintln(e.stdout, "# The configuration is valid.")
	return nil
}

// printOverrides notes every value of the configuration file that an
// environment variable replaces, so that a file's setting is never ignored
// without a word (in a container, `docker run -e` or compose's environment
// beat the mounted file).
func printOverrides(w io.Writer, src map[string]config.Source) {
	for _, k := range config.Keys {
		if s := src[k.Name]; s.Overrides != "" {
			fmt.Fprintf(w, "# Note: %s overrides %s from %s (precedence: default < file < env < flag).\n", s, k.Name, s.Overrides)
		}
	}
}
