package indexfile_test

import (
	"bufio"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unsafe"
)

// randomRanges returns the address ranges of this process's mappings
// that are advised for random access (VmFlags "rr" in /proc/self/smaps)
// and overlap [lo, hi).
func randomRanges(t *testing.T, lo, hi uintptr) [][2]uintptr {
	t.Helper()
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		t.Skip("no /proc/self/smaps:", err)
	}
	defer f.Close()
	var out [][2]uintptr
	var cur [2]uintptr
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if fields := strings.Fields(line); len(fields) > 0 && strings.Contains(fields[0], "-") && !strings.HasSuffix(fields[0], ":") {
			a, b, _ := strings.Cut(fields[0], "-")
			x, _ := strconv.ParseUint(a, 16, 64)
			y, _ := strconv.ParseUint(b, 16, 64)
			cur = [2]uintptr{uintptr(x), uintptr(y)}
			continue
		}
		if rest, ok := strings.CutPrefix(line, "VmFlags:"); ok && cur[1] > lo && cur[0] < hi {
			if slices.Contains(strings.Fields(rest), "rr") {
				out = append(out, cur)
			}
		}
	}
	return out
}

func TestRandomAccessFrom(t *testing.T) {
	page := os.Getpagesize()
	m := mapZeros(t, 4*page)
	data := m.Bytes()
	lo := uintptr(unsafe.Pointer(&data[0]))
	hi := lo + uintptr(len(data))
	if got := randomRanges(t, lo, hi); len(got) != 0 {
		t.Fatalf("advised before any advice: %x", got)
	}
	m.RandomAccessFrom(2*page + 10) // from the start of the third page
	got := randomRanges(t, lo, hi)
	want := [][2]uintptr{{lo + uintptr(2*page), hi}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("advised ranges %x, want %x (the mapping is %x-%x)", got, want, lo, hi)
	}
	runtime.KeepAlive(m)
}
