package indexfile

import "syscall"

func adviseRandom(b []byte) { syscall.Madvise(b, syscall.MADV_RANDOM) }
