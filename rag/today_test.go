package rag_test

import (
	"testing"
	"time"

	"citebot/rag"
)

func TestToday(t *testing.T) {
	tokyo := time.FixedZone("JST", 9*3600)
	tests := []struct {
		name string
		now  time.Time
		want string
	}{
		{"UTC afternoon", time.Date(2026, 11, 23, 15, 4, 5, 0, time.UTC), "2026-11-23T00:00:00Z"},
		{"local morning is the UTC day before", time.Date(2026, 11, 24, 8, 0, 0, 0, tokyo), "2026-11-23T00:00:00Z"},
		{"midnight", time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC), "2024-02-29T00:00:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := rag.Today(tt.now).Format(time.RFC3339); got != tt.want {
				t.Errorf("Today(%v) = %s, want %s", tt.now, got, tt.want)
			}
		})
	}
}
