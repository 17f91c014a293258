package main

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestFilterFlags(t *testing.T) {
	data := t.TempDir()
	q := "when will Biden and Xi meet?"
	for _, tc := range []struct {
		name           string
		args           []string
		code           int
		inStdout       string
		inStderr       string
		onlyArticleIDs []string // every citation or passage is of one of these
	}{
		{"ask source", []string{"ask", "--source", "reuters", q}, 0, "Reuters, 2021-10-22", "", nil},
		{"ask since", []string{"ask", "--json", "--since", "2024-08", q}, 0, "", "", []string{"001_48f8343459885b5d", "004_bf2e7a1252b3b5c1"}},
		{"ask until", []string{"ask", "--json", "--until", "2021", q}, 0, "", "", []string{"000_8a5e0f719dd434d8", "002_27f825d296f944c6"}},
		{"ask empty match", []string{"ask", "--source", "Reuters", "--until", "2020", q}, 1, "", "citebot: no articles from Reuters before 2021\n", nil},
		{"ask unknown outlet", []string{"ask", "--source", "CNN", q}, 1, "", "no articles from CNN (the corpus has articles from Reuters)", nil},
		{"ask bad since", []string{"ask", "--since", "2023-13", q}, 2, "", `--since: "2023-13" is not a date`, nil},
		{"ask bad until", []string{"ask", "--until", "yesterday", q}, 2, "", `--until: "yesterday" is not a date`, nil},
		{"ask since after until", []string{"ask", "--since", "2024", "--until", "2023", q}, 2, "", "--since (2024) is after until (2023)", nil},
		{"search source", []string{"search", "--json", "--source", "REUTERS", "Biden Xi"}, 0, "", "", []string{"002_27f825d296f944c6"}},
		{"search since until", []string{"search", "--json", "--since", "2023", "--until", "2023-12-31", "Biden Xi"}, 0, "", "", []string{"003_e8560d62097cf880"}},
		{"search empty match", []string{"search", "--since", "2025", "Biden"}, 1, "", "citebot: no articles since 2025\n", nil},
		{"search bad since", []string{"search", "--since", "2023/03", "Biden"}, 2, "", "--since:", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, errOut, code := runCLI(t, nil, append(tc.args, "--data", data)...)
			if code != tc.code || !strings.Contains(out, tc.inStdout) || !strings.Contains(errOut, tc.inStderr) {
				t.Fatalf("exit %d (want %d), stdout %q (want %q in it), stderr %q (want %q in it)", code, tc.code, out, tc.inStdout, errOut, tc.inStderr)
			}
			if tc.onlyArticleIDs == nil {
				return
			}
			var ids []string
			if tc.args[0] == "ask" {
				var a struct {
					Citations []struct {
						ArticleID string `json:"article_id"`
					} `json:"citations"`
				}
				if err := json.Unmarshal([]byte(out), &a); err != nil {
					t.Fatal(err)
				}
				for _, c := range a.Citations {
					ids = append(ids, c.ArticleID)
				}
			} else {
				var ps []searchResult
				if err := json.Unmarshal([]byte(out), &ps); err != nil {
					t.Fatal(err)
				}
				for _, p := range ps {
					ids = append(ids, p.ArticleID)
				}
			}
			if len(ids) == 0 {
				t.Fatalf("got no sources: %s", out)
			}
			for _, id := range ids {
				if !strings.Contains(strings.Join(tc.onlyArticleIDs, " "), id) {
					t.Errorf("got a source %s, want only %v", id, tc.onlyArticleIDs)
				}
			}
		})
	}
}
