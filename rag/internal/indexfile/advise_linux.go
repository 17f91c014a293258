package indexfile

import "syscall"

func adviseRandom(b []byte) { syscall.Madvise(b, syscall.MADV_RANDOM) }

// adviseWillNeed advises b for reading soon (see Mapping.WillNeed); a
// variable, for tests.
var adviseWillNeed = func(b []byte) { syscall.Madvise(b, syscall.MADV_WILLNEED) }
