package pool_test

import (
	"fmt"
	"math"

	"github.com/aether-audio/aether/block"
	"github.com/aether-audio/aether/pool"
)

// A pool hands out no buffer by itself: its user keeps the free list (here
// a plain slice; package shard keeps lock-free ones per worker) and tells
// the pool which buffer it takes and gives back.
func Example() {
	p, _ := pool.New(4)
	free := []pool.BufferID{3, 2, 1, 0} // top of the stack last

	take := func() pool.BufferID {
		id := free[len(free)-1]
		free = free[:len(free)-1]
		p.Acquire(id) // marks it held and zeroes it
		return id
	}
	give := func(id pool.BufferID) {
		p.Release(id) // panics on a double release
		free = append(free, id)
	}

	a := take()
	p.Buffer(a)[0] = 1.0
	give(a)
	b := take() // the buffer just released comes back, zeroed
	fmt.Println(a, b, p.View(b)[0], p.Held(b))
	// Output: 0 0 0 true
}

func ExampleNew() {
	p, _ := pool.New(100)
	fmt.Println(p.Capacity())
	_, err := pool.New(0)
	fmt.Println(err)
	// Output:
	// 100
	// pool: capacity out of range: 0 (want 1..67108864)
}

func ExamplePool_Acquire() {
	p, _ := pool.New(10)
	data := p.Acquire(7)
	fmt.Println(data[0], p.Held(7)) // guaranteed zero, and held
	// Output: 0 true
}

func ExamplePool_Release() {
	p, _ := pool.New(10)
	p.Acquire(7)
	p.Release(7)
	fmt.Println(p.Held(7))
	// Output: false
}

func ExamplePool_Buffer() {
	p, _ := pool.New(10)
	p.Acquire(2)

	// Fill buffer 2 with one cycle of a sine wave.
	data := p.Buffer(2)
	for i := range data {
		phase := float64(i) / block.Size
		data[i] = float32(math.Sin(phase * 2 * math.Pi))
	}
	fmt.Printf("%.3f %.3f %.3f\n", data[0], data[16], data[48])
	// Output: 0.000 1.000 -1.000
}

func ExampleSilenceBlock() {
	p, _ := pool.New(1)
	fmt.Println(p.View(pool.Silence) == pool.SilenceBlock(), pool.SilenceBlock()[63])
	// Output: true 0
}
