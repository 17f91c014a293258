package qa

import "regexp"

// MarkerRE matches a citation marker of an answer's text: [1], [1, 3],
// [2-4], [1][2] (as two matches), [Passage 2]. Its first group holds the
// numbers.
var MarkerRE = regexp.MustCompile(`\[\s*(?i:(?:passages?|sources?|p\.?)\s*)?(\d{1,3}(?:\s*(?:,|;|-|–|and)\s*\d{1,3})*)\s*\]`)
