package main

import (
	"os"
	"path/filepath"
	"runtime/debug"
	"testing"
)

func TestCgroupMemoryLimit(t *testing.T) {
	tests := []struct {
		name   string
		files  map[string]string
		want   int64
		wantOK bool
	}{
		{"v2, own cgroup", map[string]string{
			"proc/self/cgroup": "0::/system.slice/citebot.service\n",
			"sys/fs/cgroup/system.slice/citebot.service/memory.max": "4294967296\n",
		}, 4294967296, true},
		{"v2, container namespace", map[string]string{
			"proc/self/cgroup":         "0::/\n",
			"sys/fs/cgroup/memory.max": "2147483648\n",
		}, 2147483648, true},
		{"v2, no limit", map[string]string{
			"proc/self/cgroup":         "0::/\n",
			"sys/fs/cgroup/memory.max": "max\n",
		}, 0, false},
		{"v1, own cgroup", map[string]string{
			"proc/self/cgroup": "5:cpu,cpuacct:/x\n4:memory:/docker/abc\n0::/\n",
			"sys/fs/cgroup/memory/docker/abc/memory.limit_in_bytes": "1073741824\n",
		}, 1073741824, true},
		{"v1, no limit", map[string]string{
			"proc/self/cgroup":                           "4:memory:/\n",
			"sys/fs/cgroup/memory/memory.limit_in_bytes": "9223372036854771712\n",
		}, 0, false},
		{"v1, container namespace: own path missing, root read", map[string]string{
			"proc/self/cgroup":                           "4:memory:/docker/abc\n",
			"sys/fs/cgroup/memory/memory.limit_in_bytes": "536870912\n",
		}, 536870912, true},
		{"no cgroup files", map[string]string{}, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			for name, body := range tt.files {
				p := filepath.Join(root, name)
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			got, ok := cgroupMemoryLimit(root)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("cgroupMemoryLimit: got %d, %v; want %d, %v", got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestSetMemoryLimitLeavesGOMEMLIMIT(t *testing.T) {
	root := t.TempDir()
	p := filepath.Join(root, "sys/fs/cgroup/memory.max")
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte("1073741824\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	getenv := func(k string) string {
		if k == "GOMEMLIMIT" {
			return "3GiB"
		}
		return ""
	}
	if got := setMemoryLimit(getenv, root); got != 0 {
		t.Errorf("with GOMEMLIMIT set: got a limit of %d, want none set", got)
	}
}

func TestSetMemoryLimitFromCgroup(t *testing.T) {
	root := t.TempDir()
	p := filepath.Join(root, "sys/fs/cgroup/memory.max")
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte("1000000000\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1))
	l := setMemoryLimit(func(string) string { return "" }, root)
	if l != 1000000000 {
		t.Errorf("container limit: got %d, want 1000000000", l)
	}
	if got, want := debug.SetMemoryLimit(-1), int64(800000000); got != want {
		t.Errorf("Go's limit while building: got %d, want %d (80%% of the cgroup's)", got, want)
	}
	if got, want := l.indexOpened(), int64(900000000); got != want {
		t.Errorf("indexOpened: got %d, want %d (90%% of the cgroup's)", got, want)
	}
	if got, want := debug.SetMemoryLimit(-1), int64(900000000); got != want {
		t.Errorf("Go's limit once open: got %d, want %d", got, want)
	}
	if got := containerLimit(0).indexOpened(); got != 0 {
		t.Errorf("indexOpened without a container limit: got %d, want 0 (nothing set)", got)
	}
}
