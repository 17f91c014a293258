package main

import (
	"bufio"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
)

// Shares of a container's memory limit that Go's garbage collector aims to
// stay under; the rest is left to the page cache, which holds the mapped
// vectors of the index file and the pages being written. Measured at 1.5
// million passages in 4 GB (docs/performance.md).
const (
	// buildShare holds until the index is open: building or updating it
	// writes vectors (a scratch file, then the index file) through the
	// page cache, which needs room to write them back. At 80% `citebot
	// index` took 5 minutes; at 90% it thrashed for over 15.
	buildShare = 0.8
	// openShare holds once the index is open, for questions: a question's
	// p50 was 379, 332–373, 211 and 214 ms at 70, 80, 90 and 95%; the
	// collector's work on the live heap costs more than vectors read
	// again from disk.
	openShare = 0.9
)

// containerLimit is the memory limit of the process's container in bytes,
// 0 when it has none or GOMEMLIMIT rules.
type containerLimit int64

// memLimit is the limit main found, for indexOpened.
var memLimit containerLimit

// setMemoryLimit gives Go's garbage collector a soft memory limit of
// buildShare of the process's cgroup memory limit (`docker run --memory
// 4g`, a systemd MemoryMax), unless GOMEMLIMIT is set, which the runtime
// has applied already, and returns the container's limit. Without a limit
// the collector lets the heap grow to twice what is live, which a
// container of the corpus's size cannot hold.
func setMemoryLimit(getenv func(string) string, root string) containerLimit {
	if getenv("GOMEMLIMIT") != "" {
		return 0
	}
	limit, ok := cgroupMemoryLimit(root)
	if !ok {
		return 0
	}
	debug.SetMemoryLimit(int64(float64(limit) * buildShare))
	return containerLimit(limit)
}

// indexOpened raises Go's memory limit to openShare of the container's
// limit, once the index is open and only questions remain; a later update
// that embeds a few articles runs under it too. It returns the limit set,
// 0 for none.
func (l containerLimit) indexOpened() int64 {
	if l <= 0 {
		return 0
	}
	soft := int64(float64(l) * openShare)
	debug.SetMemoryLimit(soft)
	return soft
}

// cgroupMemoryLimit returns the memory limit of the process's cgroup,
// found from root (the file system root, "/" but in tests): cgroup v2's
// memory.max or v1's memory.limit_in_bytes, in the process's own cgroup
// (/proc/self/cgroup) or, inside a container's cgroup namespace, at the
// hierarchy's root. ok is false when there is no limit.
func cgroupMemoryLimit(root string) (limit int64, ok bool) {
	var candidates []string
	if f, err := os.Open(filepath.Join(root, "proc/self/cgroup")); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			// hierarchy-ID:controllers:path
			parts := strings.SplitN(sc.Text(), ":", 3)
			if len(parts) != 3 {
				continue
			}
			switch {
			case parts[0] == "0" && parts[1] == "":
				candidates = append(candidates, filepath.Join(root, "sys/fs/cgroup", parts[2], "memory.max"))
			case strings.Contains(","+parts[1]+",", ",memory,"):
				candidates = append(candidates, filepath.Join(root, "sys/fs/cgroup/memory", parts[2], "memory.limit_in_bytes"))
			}
		}
		f.Close()
	}
	candidates = append(candidates,
		filepath.Join(root, "sys/fs/cgroup/memory.max"),
		filepath.Join(root, "sys/fs/cgroup/memory/memory.limit_in_bytes"))
	for _, p := range candidates {
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		s := strings.TrimSpace(string(b))
		n, err := strconv.ParseInt(s, 10, 64)
		// "max" (v2) or a page-rounded MaxInt64 (v1) mean no limit.
		if err != nil || n <= 0 || n >= 1<<62 {
			return 0, false
		}
		return n, true
	}
	return 0, false
}
