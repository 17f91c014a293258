package events

import "strings"

// ActionOf returns the action a word names, in any case: "calls" and
// "phoned" a Call, "summit" and "meetings" a Meet; false for other words.
// A timeline topic such as "calls and meetings" names the actions it wants
// this way.
func ActionOf(word string) (Action, bool) {
	a, ok := actionForms[strings.ToLower(word)]
	return a, ok
}
