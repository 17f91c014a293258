//go:build !linux

package indexfile

// adviseRandom gives no advice outside Linux, whose syscall package alone
// has madvise.
func adviseRandom([]byte) {}
