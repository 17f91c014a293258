package rag_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"citebot/rag"
)

// converse asks the questions in order in one conversation, as a chat
// does, and returns the answers.
func converse(t *testing.T, a *rag.Extractive, asOf string, questions ...string) []rag.Answer {
	t.Helper()
	var history []rag.Turn
	var out []rag.Answer
	for _, q := range questions {
		ans, err := a.Answer(context.Background(), rag.Query{Question: q, AsOf: day(asOf), History: history})
		if err != nil {
			t.Fatalf("%q: %v", q, err)
		}
		out = append(out, ans)
		// The bot keeps a conversation without its quotes.
		ans.Citations = slices.Clone(ans.Citations)
		for i := range ans.Citations {
			ans.Citations[i].Quote = ""
		}
		history = append(history, rag.Turn{Question: q, Answer: ans})
	}
	return out
}

// TestFollowUps checks how the extractive answerer reads the last question
// of a conversation: the rewritten question it shows (empty: answered as
// asked) and a word its answer must hold.
func TestFollowUps(t *testing.T) {
	a := rag.NewExtractive(shippedIndex(t))
	for _, tc := range []struct {
		name      string
		asOf      string
		turns     []string
		resolved  string // what the rewrite starts with; "": answered as asked
		answerHas string // "" : not checked
		notHas    string // the old subject the question must not drag in
	}{
		{name: "ellipsis takes the antecedent with the new question word", asOf: "2024-10-01",
			turns:    []string{"when did biden n xi last see each other in person", "where was that?"},
			resolved: "where did biden and xi last see each other in person", answerHas: "Woodside"},
		{name: "how long ago", asOf: "2024-10-01",
			turns:    []string{"when did biden and xi last get on the phone", "how long ago was that"},
			resolved: "how long ago did biden and xi last get on the phone"},
		{name: "before that is anchored on the answer's date", asOf: "2021-09-11",
			turns:    []string{"did biden and xi talk recently?", "and before that?"},
			resolved: "when did biden and xi talk before 9 September 2021", answerHas: "February 10"},
		{name: "they becomes the two participants", asOf: "2024-10-01",
			turns:    []string{"when did biden n xi last see each other in person", "what did they agree on there"},
			resolved: "what did biden and xi agree on there — November 2023", answerHas: "communicat"},
		{name: "there is the place the last answer gave", asOf: "2024-10-01",
			turns:    []string{"when did biden n xi last see each other in person", "where was that?", "what did they agree on there"},
			resolved: "what did biden and xi agree on in Woodside — November 2023", answerHas: "communicat"},
		{name: "is there is not a place", asOf: "2024-10-01",
			turns:    []string{"when did biden n xi last see each other in person", "where was that?", "is there another one coming?"},
			resolved: "is there another one coming"},
		{name: "he is the person a who-question found", asOf: "2024-10-01",
			turns:    []string{"who's the ex eu ambassador reuters talked to about the us and china", "what did he say"},
			resolved: "what did David O’Sullivan say", answerHas: "concerned"},
		{name: "a name of several words is one person", asOf: "2026-11-23",
			turns:    []string{"which biden pick called china the most dangerous competitor", "what else did he say"},
			resolved: "what else did Nicholas Burns say", answerHas: "allies"},
		{name: "a pointer reading drops as filler", asOf: "2023-03-15",
			turns:    []string{"did blinken say china was considering lethal aid for russia", "what did beijing say about the weapons thing"},
			resolved: "what did beijing say about the weapons —", answerHas: "denied"},
		{name: "who else did they quote lists the article's other speakers", asOf: "2026-11-23",
			turns:    []string{"who's the ex eu ambassador reuters talked to about the us and china", "who else did they quote"},
			resolved: "", answerHas: "Susan Thornton", notHas: "also quotes **David"},
		{name: "an acronym the reading spells out is the follow-up's own word", asOf: "2026-11-23",
			turns:    []string{"what does the us want china's help with on drugs", "why's that such a big deal for them", "what about ai?"},
			resolved: "what about ai", answerHas: "artificial intelligence"},
		{name: "topic switch phrase", asOf: "2024-10-01",
			turns:    []string{"when did biden n xi last see each other in person", "new question - reuters said in 2021 xi had consolidated more power than any chinese leader since who?"},
			resolved: "reuters said in 2021 xi had consolidated more power than any chinese leader since who?", answerHas: "Mao", notHas: "person"},
		{name: "a new question with its own subject stands alone", asOf: "2024-10-01",
			turns:    []string{"when did biden n xi last see each other in person", "what does the us want china's help with on drugs"},
			resolved: "", answerHas: "fentanyl"},
		{name: "a question naming someone new stands alone", asOf: "2026-11-23",
			turns:    []string{"when did biden n xi last see each other in person", "who is denny roy"},
			resolved: "", answerHas: "East-West Center"},
		{name: "what about asks the antecedent of something else", asOf: "2024-10-01",
			turns:    []string{"what does the us want china's help with on drugs", "what about artificial intelligence?"},
			resolved: "what does the US want china's help with on artificial intelligence", answerHas: "artificial intelligence"},
		{name: "what about keeps the participants", asOf: "2024-10-01",
			turns: []string{"when did biden n xi last see each other in person", "what about the g20?"}, resolved: "what about the g20",
			notHas: "in the g20"},
		{name: "a time shift may end in punctuation", asOf: "2021-09-11",
			turns:    []string{"did biden and xi talk recently?", "and the time before?"},
			resolved: "when did biden and xi talk before 9 September 2021", answerHas: "February 10"},
		{name: "asking for the source asks the last question again", asOf: "2024-10-01",
			turns:    []string{"when did biden n xi last see each other in person", "source?"},
			resolved: "when did biden n xi last see each other in person", answerHas: "November 2023"},
		{name: "asking whether it is right asks the last question again", asOf: "2024-10-01",
			turns:    []string{"when did biden n xi last see each other in person", "where was that?", "u sure?"},
			resolved: "where did biden and xi last see each other in person", answerHas: "Woodside"},
		{name: "a follow-up after a request for more still refers to the question", asOf: "2024-10-01",
			turns:    []string{"when did biden n xi last see each other in person", "tell me more", "where was that?"},
			resolved: "where did biden and xi last see each other in person", answerHas: "Woodside"},
		{name: "and with a new name asks the last question of it", asOf: "2024-10-01",
			turns:    []string{"what did wang yi say to sullivan", "and blinken?"},
			resolved: "what did wang yi say to blinken", answerHas: "Blinken"},
		{name: "and with a topic asks the last question of it", asOf: "2024-10-01",
			turns:    []string{"what does the us want china's help with on drugs", "and artificial intelligence?"},
			resolved: "what does the US want china's help with on artificial intelligence", answerHas: "artificial intelligence"},
		{name: "what about a party asks the last question of that party", asOf: "2024-10-01",
			turns:    []string{"what did the white house say about the meetings", "what about the chinese side?"},
			resolved: "what did the chinese side say about the meetings"},
		{name: "and with new participants replaces the old ones", asOf: "2024-10-01",
			turns:    []string{"when did biden n xi last see each other in person", "and xi and putin?"},
			resolved: "when did xi and putin last see each other in person", notHas: "biden"},
		{name: "he after who-is is the person asked about", asOf: "2026-11-23",
			turns:    []string{"who is denny roy", "what does he think about the call"},
			resolved: "what does denny roy think about the call", notHas: "Center"},
		{name: "an interjection does not hide an ellipsis", asOf: "2024-10-01",
			turns:    []string{"when did biden n xi last see each other in person", "wait what year was that"},
			resolved: "what year did biden and xi last see each other in person", answerHas: "2023"},
		{name: "what happened next is what happened after the answer's date", asOf: "2024-10-01",
			turns:    []string{"when did biden n xi last see each other in person", "what happened next?"},
			resolved: "what happened after November 2023", answerHas: "April"},
		{name: "a new question may open with also and name its own person", asOf: "2024-10-01",
			turns:    []string{"when did biden n xi last see each other in person", "also, why did blinken cancel his beijing trip in 2023?"},
			resolved: "", answerHas: "balloon"},
		{name: "a pronoun before a new name still points back", asOf: "2024-10-01",
			turns:    []string{"what came out of sullivan's beijing trip in aug 2024", "and after he left, what did china do"},
			resolved: "after sullivan"},
		{name: "a contracted question word is an ellipsis too", asOf: "2024-10-01",
			turns:    []string{"when did biden n xi last see each other in person", "where's that?"},
			resolved: "where did biden and xi last see each other in person", answerHas: "Woodside"},
		{name: "the next one is after the answer's date", asOf: "2024-10-01",
			turns:    []string{"when did biden n xi last see each other in person", "when's the next one"},
			resolved: "when did biden and xi see each other in person after November 2023"},
		{name: "what about before that keeps the question word", asOf: "2024-10-01",
			turns:    []string{"when did biden n xi last see each other in person", "where was that?", "what about before that?"},
			resolved: "where did biden and xi see each other in person before November 2023"},
		{name: "his is the person's", asOf: "2026-11-23",
			turns:    []string{"which biden pick called china the most dangerous competitor", "what's his job"},
			resolved: "what is Nicholas Burns's job"},
		{name: "how long ago after a yes answer with a date", asOf: "2021-09-11",
			turns:    []string{"did biden and xi talk recently?", "how long ago was that"},
			resolved: "how long ago did biden and xi talk on 9 September 2021", answerHas: "Two days"},
		{name: "a day takes on", asOf: "2024-10-01",
			turns:    []string{"what did sullivan and wang yi agree on", "when?", "where?"},
			resolved: "where did sullivan and wang yi agree on on 28 August 2024"},
		{name: "what else was happening then is the clause that sets the scene", asOf: "2023-03-15",
			turns:    []string{"when did biden and xi have their fifth phone call", "what else was happening then?"},
			resolved: "what else was happening in July 2022", answerHas: "**amid a furor"},
		{name: "she is the person the articles call she, not the president", asOf: "2024-10-01",
			turns:    []string{"when did biden and xi have their fifth phone call", "what was the backdrop?", "after she visited taiwan, what did beijing cut off?"},
			resolved: "after Pelosi visited taiwan, what did beijing cut off", answerHas: "military-to-military"},
		{name: "a big deal is read as important", asOf: "2024-10-01",
			turns:    []string{"what does washington want beijing's help with on fentanyl", "why is that a big deal?"},
			resolved: "why is that important", answerHas: "opioid"},
		{name: "fighting about is a dispute, written as a battle", asOf: "2021-10-25",
			turns:    []string{"when will biden and xi hold their virtual meeting", "what have washington and beijing been fighting over"},
			resolved: "", answerHas: "battled over"},
		{name: "where was he when he said it is where the words were spoken", asOf: "2023-03-15",
			turns:    []string{"what did jake sullivan say in march 2023 about a call between biden and xi", "where was he when he said it?"},
			resolved: "where was", answerHas: "**Air Force One**: "},
		{name: "when was that said is when the words were spoken", asOf: "2024-10-01",
			turns:    []string{"according to a senior us official, what was the point of sullivan's talks in beijing in 2024", "when was that said?"},
			resolved: "when was that said", answerHas: "**the week of 19 August 2024**: "},
		{name: "is it back on asks whether the event is rescheduled", asOf: "2023-03-15",
			turns:    []string{"why did blinken call off his beijing trip in 2023", "is it back on?"},
			resolved: "is the beijing trip rescheduled", answerHas: "Asked about prospects for a rescheduled trip"},
		{name: "why does that matter is the effect the paragraph around it names", asOf: "2023-03-15",
			turns:    []string{"is xi planning to visit moscow?", "when?", "why does that matter for a biden xi call?"},
			resolved: "why does that matter", answerHas: "complicate a call"},
		{name: "a reaction without its object reacts to the last answer", asOf: "2023-03-15",
			turns:    []string{"what did blinken say about china giving lethal aid to russia?", "how did beijing respond?"},
			resolved: "how did beijing respond — ", answerHas: "denied"},
		{name: "how long was it asks how long the event was", asOf: "2021-10-01",
			turns:    []string{"what did biden want from the call with xi in september 2021?", "how long was it?"},
			resolved: "how long was the call", answerHas: "90 minutes"},
		{name: "it is the event the last question named", asOf: "2024-10-01",
			turns:    []string{"when was sullivan holding a press conference after meeting wang yi", "what did he say at it?"},
			resolved: "what did sullivan say at the press conference"},
		{name: "no history", asOf: "2024-10-01",
			turns:    []string{"where was that?"},
			resolved: ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			answers := converse(t, a, tc.asOf, tc.turns...)
			got := answers[len(answers)-1]
			if !strings.HasPrefix(got.Resolved, tc.resolved) || tc.resolved == "" && got.Resolved != "" {
				t.Errorf("resolved: got %q, want %q", got.Resolved, tc.resolved)
			}
			if tc.answerHas != "" && !strings.Contains(got.Text, tc.answerHas) {
				t.Errorf("answer: got %q, want it to contain %q (resolved %q)", got.Text, tc.answerHas, got.Resolved)
			}
			if tc.notHas != "" && strings.Contains(got.Resolved, tc.notHas) {
				t.Errorf("resolved %q drags in %q", got.Resolved, tc.notHas)
			}
		})
	}
}

// TestFollowUpNotFound checks that a follow-up the articles do not answer
// comes back not found: neither the articles of the last answer nor the
// names carried from it may stand in for what it asks.
func TestFollowUpNotFound(t *testing.T) {
	a := rag.NewExtractive(shippedIndex(t))
	for _, turns := range [][]string{
		{"when did biden n xi last see each other in person", "what did they eat?"},
		{"when did biden n xi last see each other in person", "where was that?", "what did they eat there?"},
		{"when was sullivan holding a press conference after meeting wang yi", "what did he say at it?"},
		{"when was he doing a press conf after meeting wang yi", "and how did it go?"},
		{"how long did biden's call with xi in september 2021 last", "and what did the chinese side say about it?"},
	} {
		t.Run(turns[len(turns)-1], func(t *testing.T) {
			answers := converse(t, a, "2024-10-01", turns...)
			got := answers[len(answers)-1]
			if !got.NotFound || len(got.Citations) != 0 {
				t.Errorf("got %q citing %d (resolved %q), want not found", got.Text, len(got.Citations), got.Resolved)
			}
		})
	}
}

// TestFollowUpChitchat checks that a message that asks nothing gets an
// empty answer, in a conversation or not, and does not break the
// conversation: the next follow-up still refers to the last question.
func TestFollowUpChitchat(t *testing.T) {
	a := rag.NewExtractive(shippedIndex(t))
	answers := converse(t, a, "2024-10-01", "when did biden n xi last see each other in person", "thx!", "where was that?")
	if got := answers[1]; !got.Chitchat || got.Text != "" || len(got.Citations) != 0 || got.NotFound {
		t.Errorf("chitchat: got %+v, want an empty chitchat answer", got)
	}
	if got := answers[2]; !strings.Contains(got.Text, "Woodside") {
		t.Errorf("after chitchat: got %q (resolved %q), want Woodside", got.Text, got.Resolved)
	}
	for _, text := range []string{"ok", "ah ok np, thanks anyway", "👍"} {
		got, err := a.Answer(context.Background(), rag.Query{Question: text})
		if err != nil || !got.Chitchat {
			t.Errorf("%q: got %+v, %v; want chitchat", text, got, err)
		}
	}
	if _, err := a.Answer(context.Background(), rag.Query{Question: " ?? "}); err == nil {
		t.Error("an empty question is no longer an error")
	}
}
