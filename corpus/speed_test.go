package corpus_test

import (
	"fmt"
	"strings"
	"testing"
	"unicode"

	"citebot/corpus"
)

// hintCases are paragraphs for the prefilters of the cleaner: credits and
// advertisements in any case, with the non-ASCII letters that case folding
// or lower-casing turns into ASCII ones, and plain text.
var hintCases = []string{
	"",
	"The minister said the talks would resume next week.",
	"Biden greets Xi in Woodside, Calif., on Nov. 15, 2023. (Photo: AP)",
	"(PHOTO BY JANE DOE)",
	"Photo credit: Jane Doe",
	"file photo: a crowd in Paris",
	"Crowds gather. GETTY IMAGES",
	"A man walks by. REUTERS/Jane Doe",
	"A field at dawn. Shutter\u017Ftock", // long s
	"A field at dawn. \u017Fhutterstock", // long s first
	"A field. AP PHOTO",
	"AFP via Getty",
	"Are you on Telegram? Subscribe to our channel.",
	"ARE YOU ON WHATSAPP? JOIN US.",
	"Clic\u212A here to read more.", // Kelvin sign
	"Clİck here to read more.",      // dotted capital I
	"Sign up for our newsletter today!",
	"Follow us on Twitter for updates.",
	"Download our free app now.",
	"Read on ArrowRight",
	"Subscribe\x00to our channel.",
	"picture this: a quiet morning",
	"An imaginary line.",
}

// The prefilters never skip a paragraph that their expressions match.
func TestCleanPrefiltersCoverExpressions(t *testing.T) {
	for _, p := range hintCases {
		t.Run(p, func(t *testing.T) {
			if corpus.PhotoCreditRE.MatchString(p) && !corpus.MayHaveCredit(p) {
				t.Errorf("photo credit expression matches %q, prefilter skips it", p)
			}
			for _, re := range corpus.AdSentenceREs {
				if re.MatchString(p) && !corpus.MayHaveAd(p) {
					t.Errorf("ad expression %s matches %q, prefilter skips it", re, p)
				}
			}
		})
	}
}

func TestCleanPrefilterResults(t *testing.T) {
	tests := []struct {
		p          string
		credit, ad bool
	}{
		{"The minister said the talks would resume.", false, false},
		{"Crowds gather. GETTY IMAGES", true, false},
		{"A field at dawn. \u017Fhutterstock", true, false},
		{"Clic\u212A here to read more.", false, true},
		{"CLICK HERE TO read more.", false, true},
		{"Cl\u0130ck here", false, false},
		{"Download the PHOTOS", true, true},
	}
	for _, tt := range tests {
		t.Run(tt.p, func(t *testing.T) {
			if got := corpus.MayHaveCredit(tt.p); got != tt.credit {
				t.Errorf("MayHaveCredit: got %v, want %v", got, tt.credit)
			}
			if got := corpus.MayHaveAd(tt.p); got != tt.ad {
				t.Errorf("MayHaveAd: got %v, want %v", got, tt.ad)
			}
		})
	}
}

// collapseSpaceRef is collapseSpace without its shortcut for text that is
// already collapsed.
func collapseSpaceRef(s string) string {
	var b strings.Builder
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) || unicode.IsControl(r) || r == '\u00ad' || r == '\ufeff' {
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

func TestCollapseSpaceShortcut(t *testing.T) {
	for _, s := range append(hintCases, " a", "a ", "a  b", "a\tb", "a\x7fb", "a\u00a0b", "soft\u00adhyphen", "\ufeffbom", "  ", " ", "a b c", "é b", "a\nb") {
		t.Run(fmt.Sprintf("%q", s), func(t *testing.T) {
			if got, want := corpus.CollapseSpace(s), collapseSpaceRef(s); got != want {
				t.Errorf("got %q, want %q", got, want)
			}
		})
	}
}

func TestCountWords(t *testing.T) {
	tests := []struct {
		s     string
		limit int
	}{
		{"", 46}, {"one", 46}, {"  two  words ", 46}, {"a\u00a0b\u2003c", 46},
		{strings.Repeat("w ", 60), 46}, {"a b c d", 3}, {"x\xffy z", 46},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%q/%d", tt.s, tt.limit), func(t *testing.T) {
			if got, want := corpus.CountWords(tt.s, tt.limit), min(len(strings.Fields(tt.s)), tt.limit); got != want {
				t.Errorf("got %d, want %d", got, want)
			}
		})
	}
}

// Lines are parsed in parallel batches, but duplicates are decided in file
// order, across batches, as one reader would: the first line that loads
// claims its id, a line that fails does not.
func TestLoadJSONLDuplicatesAcrossBatches(t *testing.T) {
	n := 2*corpus.JSONLBatchSize + 10
	var b strings.Builder
	line := func(id, text string) {
		fmt.Fprintf(&b, "{\"id\":%q,\"published\":\"2024-01-02\",\"text\":%q}\n", id, text)
	}
	for i := range n {
		switch i {
		case 3: // an article without text does not claim "late"
			line("late", "")
		case n - 1: // repeats line 1's id, two batches later
			line("a0", "Again.")
		case corpus.JSONLBatchSize + 1: // repeats the line before, same batch
			line(fmt.Sprintf("a%d", corpus.JSONLBatchSize), "Same batch.")
		case n - 2:
			line("late", "Loads here.")
		case 5:
			b.WriteString("\n   \n") // blank lines count as lines
			line(fmt.Sprintf("a%d", i), fmt.Sprintf("Article %d.", i))
		default:
			line(fmt.Sprintf("a%d", i), fmt.Sprintf("Article %d.", i))
		}
	}
	arts, warns, err := corpus.LoadJSONL(strings.NewReader(b.String()), "f.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(arts), n-3; got != want {
		t.Errorf("got %d articles, want %d", got, want)
	}
	for i := 1; i < len(arts); i++ {
		if arts[i].Origin <= arts[i-1].Origin && len(arts[i].Origin) == len(arts[i-1].Origin) {
			t.Errorf("articles out of file order: %s after %s", arts[i].Origin, arts[i-1].Origin)
		}
	}
	if got := arts[len(arts)-1]; got.ID != "late" || got.Text != "Loads here." {
		t.Errorf("last article: got %s %q, want late \"Loads here.\"", got.ID, got.Text)
	}
	var got []string
	for _, w := range warns {
		got = append(got, w.Error())
	}
	want := []string{
		`f.jsonl:4: article "late": missing "text"`,
		fmt.Sprintf(`f.jsonl:%d: skipped: article id "a%d" already used on line %d`, corpus.JSONLBatchSize+4, corpus.JSONLBatchSize, corpus.JSONLBatchSize+3),
		fmt.Sprintf(`f.jsonl:%d: skipped: article id "a0" already used on line 1`, n+2),
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("warnings:\ngot  %q\nwant %q", got, want)
	}
}
