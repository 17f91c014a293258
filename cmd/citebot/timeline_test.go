package main

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestTimelineCommand(t *testing.T) {
	data := t.TempDir()
	topic := "Biden Xi calls and meetings"
	out, errOut, code := runCLI(t, nil, "timeline", "--data", data, topic)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var last int
	for _, line := range []string{
		"Timeline: Biden Xi calls and meetings (8 events, oldest first)",
		"\n10 February 2021 — Since Biden’s election, they had only spoken once before, February 10. [1]\n",
		"\n9 September 2021 — ", "\nNovember 2021 — planned: ", "\nJuly 2022 — ", "\nNovember 2022 — ",
		"\nNovember 2023 — ", "\nApril 2024 — ", "\nthe weeks after 28 August 2024 — planned: ",
		"\nSources:\n[1] Biden tests personal diplomacy in first call with Xi in seven months — 2021-09-10 — 000_8a5e0f719dd434d8\n",
	} {
		at := strings.Index(out, line)
		if at < last {
			t.Fatalf("%q missing or out of order in:\n%s", line, out)
		}
		last = at
	}

	out, errOut, code = runCLI(t, nil, "timeline", "--data", data, "--json", "--source", "reuters", "--as-of", "2021-12-31", topic)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var tl struct {
		Topic  string `json:"topic"`
		Events []struct {
			Date, From, To, Precision, Action, Summary string
			Planned                                    bool
			Refs                                       []int
		} `json:"events"`
		Citations []struct {
			Ref       int    `json:"ref"`
			ArticleID string `json:"article_id"`
			Source    string `json:"source"`
		} `json:"citations"`
	}
	if err := json.Unmarshal([]byte(out), &tl); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if len(tl.Events) != 2 || tl.Events[0].Date != "9 September 2021" || tl.Events[0].From != "2021-09-09" || tl.Events[0].Precision != "day" ||
		tl.Events[1].Date != "November 2021" || !tl.Events[1].Planned || tl.Events[1].Action != "call" {
		t.Errorf("got %+v, want the September 2021 call and the planned November 2021 call", tl.Events)
	}
	if len(tl.Citations) != 1 || tl.Citations[0].Source != "Reuters" || tl.Events[0].Refs[0] != 1 {
		t.Errorf("citations %+v, want the Reuters article only", tl.Citations)
	}

	for _, tc := range []struct {
		name     string
		args     []string
		code     int
		inStderr string
	}{
		{"no topic", []string{"timeline"}, 2, "timeline needs a topic"},
		{"bad since", []string{"timeline", "--since", "2023-3", topic}, 2, `--since: "2023-3" is not a date`},
		{"no match", []string{"timeline", "--source", "Reuters", "--until", "2020", topic}, 1, "citebot: no articles from Reuters before 2021"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, errOut, code := runCLI(t, nil, append(tc.args, "--data", data)...)
			if code != tc.code || !strings.Contains(errOut, tc.inStderr) {
				t.Errorf("exit %d (want %d), stderr %q (want %q in it)", code, tc.code, errOut, tc.inStderr)
			}
		})
	}
}
