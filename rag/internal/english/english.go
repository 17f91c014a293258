// Package english knows which words are English: the 75,000 lower-case
// words of SCOWL's American and British word lists (Debian's wamerican
// and wbritish 2020.12.07, possessives left out), so that a spelling
// corrector changes "durng" but never "exploration". See LICENSE for the
// lists' terms.
package english

import (
	_ "embed"
	"sort"
	"strings"
	"sync"
)

//go:embed words.txt
var wordsText string

// list is the word list: the words, sorted byte-wise, one per line, and
// the offset of each line.
type list struct {
	text  string
	lines []int32
}

var words = sync.OnceValue(func() list {
	l := list{text: wordsText, lines: make([]int32, 0, 76000)}
	for i := 0; i < len(l.text); {
		l.lines = append(l.lines, int32(i))
		j := strings.IndexByte(l.text[i:], '\n')
		if j < 0 {
			break
		}
		i += j + 1
	}
	return l
})

// word returns the i-th word of the list.
func (l list) word(i int) string {
	from := int(l.lines[i])
	end := len(l.text)
	if i+1 < len(l.lines) {
		end = int(l.lines[i+1]) - 1
	}
	return strings.TrimSuffix(l.text[from:end], "\n")
}

// IsWord reports whether w, in any case, is an English word of the list.
// The list is loaded on first use (a few milliseconds).
func IsWord(w string) bool {
	w = strings.ToLower(w)
	l := words()
	i := sort.Search(len(l.lines), func(i int) bool { return l.word(i) >= w })
	return i < len(l.lines) && l.word(i) == w
}

// Len returns the number of words in the list.
func Len() int { return len(words().lines) }
