//go:build !linux

package indexfile

// adviseRandom gives no advice outside Linux, whose syscall package alone
// has madvise.
func adviseRandom([]byte) {}

// adviseWillNeed does nothing outside Linux, as adviseRandom; a
// variable, for tests.
var adviseWillNeed = func([]byte) {}
