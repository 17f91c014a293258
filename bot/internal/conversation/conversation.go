// Package conversation is the bot's memory of the answers it gave, for
// follow-ups: the chain of questions and answers a reply, a thread message
// or a feedback vote refers to. It is in memory only and bounded.
package conversation

import (
	"container/list"
	"sync"
	"time"

	"citebot/rag"
)

// A conversation is the chain of questions and answers a follow-up
// continues. The bot remembers, for every answer it gave, the turns up to
// and including it (an "answer node"), keyed by the ids of the messages
// that show the answer (a reply to any of them continues from there), by
// the answer's feedback id, and, for answers in a thread, by the thread's
// id (a mention or /ask in the thread continues from the thread's latest
// answer). Replies branch: two users replying to the same answer continue
// it separately.
//
// Everything is in memory only, bounded in count (Options.Conversations
// answer nodes, least recently used dropped first) and age (a node unused
// for Options.ConversationTTL is forgotten), and lost on restart.

const (
	// maxHistoryTurns is how many earlier turns a follow-up carries; the
	// answerers use the last few only.
	maxHistoryTurns = 6
	// maxKnownThreads bounds the thread ids learned from the gateway.
	maxKnownThreads = 10000
)

// Node is one answer the bot gave and the conversation up to it.
type Node struct {
	// id is the answer id of the feedback buttons.
	id string
	// turns are the conversation up to and including this answer, oldest
	// first, at most maxHistoryTurns.
	turns []rag.Turn
	// keys are the keys that lead to this node.
	keys []string
	// asOf is the date the answer was asked as of.
	asOf time.Time
	used time.Time
	elem *list.Element
	// votes are the feedback votes given on the answer, by user id.
	votes map[string]string
}

// Last is the node's own turn.
func (n *Node) Last() rag.Turn { return n.turns[len(n.turns)-1] }

// AsOf is the date the answer was asked as of; zero for today.
func (n *Node) AsOf() time.Time { return n.asOf }

// Store is the bot's memory of answer nodes. It is safe for
// concurrent use.
type Store struct {
	max int
	ttl time.Duration
	now func() time.Time

	mu      sync.Mutex
	byKey   map[string]*Node
	lru     *list.List // of *Node, most recently used first
	threads map[string]time.Time
}

// New returns a store of at most max answers, each forgotten when unused
// for ttl.
func New(max int, ttl time.Duration) *Store {
	return &Store{max: max, ttl: ttl, now: time.Now, byKey: map[string]*Node{}, lru: list.New(), threads: map[string]time.Time{}}
}

// MessageKey and ThreadKey are the keys of the answers shown by a message
// and of the latest answer in a thread.
func MessageKey(id string) string { return "m:" + id }
func ThreadKey(id string) string  { return "t:" + id }
func answerKey(id string) string  { return "a:" + id }

// lookup returns the node under key, if it is still remembered, and marks
// it used.
func (c *Store) lookup(key string) (*Node, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := c.byKey[key]
	if n == nil {
		return nil, false
	}
	now := c.now()
	if now.Sub(n.used) > c.ttl {
		c.dropLocked(n)
		return nil, false
	}
	n.used = now
	c.lru.MoveToFront(n.elem)
	return n, true
}

// History returns the turns a question continuing from key carries (nil
// when key leads nowhere).
func (c *Store) History(key string) []rag.Turn {
	n, ok := c.lookup(key)
	if !ok {
		return nil
	}
	return n.turns
}

// Remember stores an answer that followed history, under the answer id,
// the ids of the messages that show it and, if in a thread, the thread id.
func (c *Store) Remember(answerID string, asOf time.Time, history []rag.Turn, t rag.Turn, messageIDs []string, thread string) {
	turns := make([]rag.Turn, 0, min(len(history), maxHistoryTurns-1)+1)
	turns = append(turns, history[max(0, len(history)-(maxHistoryTurns-1)):]...)
	turns = append(turns, compactTurn(t))
	n := &Node{id: answerID, turns: turns, asOf: asOf}
	n.keys = append(n.keys, answerKey(answerID))
	for _, id := range messageIDs {
		n.keys = append(n.keys, MessageKey(id))
	}
	if thread != "" {
		n.keys = append(n.keys, ThreadKey(thread))
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	n.used = now
	for _, k := range n.keys {
		if old := c.byKey[k]; old != nil && k[0] != 't' {
			c.dropLocked(old)
		}
		c.byKey[k] = n
	}
	n.elem = c.lru.PushFront(n)
	c.sweepLocked(now)
}

// sweepLocked drops nodes beyond the count bound and, from the least
// recently used end, nodes older than the age bound.
func (c *Store) sweepLocked(now time.Time) {
	for c.lru.Len() > c.max {
		c.dropLocked(c.lru.Back().Value.(*Node))
	}
	for e := c.lru.Back(); e != nil; e = c.lru.Back() {
		n := e.Value.(*Node)
		if now.Sub(n.used) <= c.ttl {
			break
		}
		c.dropLocked(n)
	}
	if len(c.threads) > maxKnownThreads/2 {
		for id, at := range c.threads {
			if now.Sub(at) > c.ttl {
				delete(c.threads, id)
			}
		}
	}
}

// dropLocked forgets a node and the keys that still lead to it.
func (c *Store) dropLocked(n *Node) {
	for _, k := range n.keys {
		if c.byKey[k] == n {
			delete(c.byKey, k)
		}
	}
	if n.elem != nil {
		c.lru.Remove(n.elem)
		n.elem = nil
	}
}

// Size returns how many answers are remembered.
func (c *Store) Size() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lru.Len()
}

// LearnThread records that a channel is a thread (from THREAD_CREATE and
// GUILD_CREATE), so that answers in it are remembered by thread.
func (c *Store) LearnThread(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.threads[id]; !ok && len(c.threads) >= maxKnownThreads {
		for old := range c.threads { // drop an arbitrary one
			delete(c.threads, old)
			break
		}
	}
	c.threads[id] = c.now()
}

// ForgetThread drops a deleted thread.
func (c *Store) ForgetThread(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.threads, id)
	delete(c.byKey, ThreadKey(id))
}

// IsThread reports whether a channel is a known thread.
func (c *Store) IsThread(id string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, ok := c.threads[id]
	return ok
}

// Vote records user's vote on an answer and returns their previous vote
// ("" for none) and the answer's node; ok is false when the answer is no
// longer remembered.
func (c *Store) Vote(answerID, user, vote string) (prev string, n *Node, ok bool) {
	n, ok = c.lookup(answerKey(answerID))
	if !ok {
		return "", nil, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if n.votes == nil {
		n.votes = map[string]string{}
	}
	prev = n.votes[user]
	n.votes[user] = vote
	return prev, n, true
}

// compactTurn keeps what a later turn and feedback need of an answer: the
// question, its resolved form, the text, mode and the cited articles
// without their quotes (which can be long).
func compactTurn(t rag.Turn) rag.Turn {
	a := t.Answer
	cs := make([]rag.Citation, len(a.Citations))
	for i, c := range a.Citations {
		c.Quote = ""
		cs[i] = c
	}
	a.Citations = cs
	return rag.Turn{Question: t.Question, Answer: a}
}
