package rag_test

import (
	"container/heap"
	"runtime"
	"sync"
)

// flatVectors holds unit vectors back to back: the layout a brute-force
// scan reads at memory speed.
type flatVectors struct {
	dim  int
	data []float32
}

func flatten(vs [][]float32) flatVectors {
	if len(vs) == 0 {
		return flatVectors{}
	}
	f := flatVectors{dim: len(vs[0]), data: make([]float32, 0, len(vs)*len(vs[0]))}
	for _, v := range vs {
		f.data = append(f.data, v...)
	}
	return f
}

func (f flatVectors) len() int { return len(f.data) / f.dim }

// dotNaive is the textbook loop, the same arithmetic as chromem-go's: one
// accumulator, so every addition waits for the previous one.
func dotNaive(a, b []float32) float32 {
	var s float32
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

// dotUnrolled keeps four independent sums, so the CPU overlaps additions;
// it is what a scan at memory speed needs in plain Go.
func dotUnrolled(a, b []float32) float32 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(a); i += 4 {
		s0 += a[i] * b[i]
		s1 += a[i+1] * b[i+1]
		s2 += a[i+2] * b[i+2]
		s3 += a[i+3] * b[i+3]
	}
	for ; i < len(a); i++ {
		s0 += a[i] * b[i]
	}
	return (s0 + s1) + (s2 + s3)
}

type hit struct {
	i   int
	sim float32
}

type hitHeap []hit

func (h hitHeap) Len() int           { return len(h) }
func (h hitHeap) Less(i, j int) bool { return h[i].sim < h[j].sim }
func (h hitHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *hitHeap) Push(x any)        { *h = append(*h, x.(hit)) }
func (h *hitHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// rawScan returns the k vectors most similar to q by a brute-force scan on
// all cores: each worker scans a contiguous share into its own top-k heap,
// and the heaps are merged.
func rawScan(q []float32, f flatVectors, k int, dot func(a, b []float32) float32) []hit {
	return rawScanOn(runtime.GOMAXPROCS(0), q, f, k, dot)
}

// rawScanOn is rawScan on the given number of goroutines.
func rawScanOn(workers int, q []float32, f flatVectors, k int, dot func(a, b []float32) float32) []hit {
	n := f.len()
	workers = min(workers, n)
	parts := make([]hitHeap, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			from, to := n*w/workers, n*(w+1)/workers
			h := make(hitHeap, 0, k+1)
			for i := from; i < to; i++ {
				s := dot(q, f.data[i*f.dim:(i+1)*f.dim])
				if len(h) < k {
					heap.Push(&h, hit{i, s})
				} else if s > h[0].sim {
					h[0] = hit{i, s}
					heap.Fix(&h, 0)
				}
			}
			parts[w] = h
		}()
	}
	wg.Wait()
	all := parts[0]
	for _, p := range parts[1:] {
		for _, x := range p {
			if len(all) < k {
				heap.Push(&all, x)
			} else if x.sim > all[0].sim {
				all[0] = x
				heap.Fix(&all, 0)
			}
		}
	}
	return all
}
