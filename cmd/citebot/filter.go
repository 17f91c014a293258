package main

import (
	"flag"
	"fmt"
	"strings"

	"citebot/rag"
)

// filterFlags are the --source, --since and --until flags of ask, search
// and timeline.
type filterFlags struct {
	source, since, until string
}

// register defines the flags on fs.
func (f *filterFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.source, "source", "", "only articles from this outlet (case-insensitive), e.g. Reuters")
	fs.StringVar(&f.since, "since", "", "only articles published in or after this year, month or day: 2023, 2023-03, 2023-03-15")
	fs.StringVar(&f.until, "until", "", "only articles published in or before this year, month or day: 2023, 2023-03, 2023-03-15")
}

// filter returns the filter the flags describe; a bad value is a usage
// error naming the flag.
func (f *filterFlags) filter() (rag.Filter, error) {
	out := rag.Filter{Source: strings.TrimSpace(f.source)}
	var err error
	if strings.TrimSpace(f.since) != "" {
		if out.Since, err = rag.ParsePeriod(f.since); err != nil {
			return rag.Filter{}, fmt.Errorf("%w: --since: %v", errUsage, err)
		}
	}
	if strings.TrimSpace(f.until) != "" {
		if out.Until, err = rag.ParsePeriod(f.until); err != nil {
			return rag.Filter{}, fmt.Errorf("%w: --until: %v", errUsage, err)
		}
	}
	if err := out.Validate(); err != nil {
		return rag.Filter{}, fmt.Errorf("%w: --%v", errUsage, err)
	}
	return out, nil
}

// parseFiltered parses the flags of a command that takes the filter
// flags and -json (described by jsonUsage), and returns the filter.
func parseFiltered(e *env, name, synopsis string, args []string, jsonUsage string) (c *cli, asJSON bool, filter rag.Filter, err error) {
	var ff filterFlags
	c, err = parse(e, name, synopsis, args, func(fs *flag.FlagSet) {
		fs.BoolVar(&asJSON, "json", false, jsonUsage)
		ff.register(fs)
	})
	if err != nil {
		return nil, false, rag.Filter{}, err
	}
	if filter, err = ff.filter(); err != nil {
		return nil, false, rag.Filter{}, err
	}
	return c, asJSON, filter, nil
}
