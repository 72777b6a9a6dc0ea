package pool_test

import (
	"fmt"
	"math"

	"github.com/aether-audio/aether/block"
	"github.com/aether-audio/aether/pool"
)

// The seed's type-level example: acquire, use, release, recycle.
func Example() {
	p, _ := pool.New(100)

	// Acquire buffers.
	buf1, _ := p.Acquire()
	buf2, _ := p.Acquire()

	// Use buffers.
	p.Buffer(buf1)[0] = 1.0

	// Release buffers.
	p.Release(buf1)
	p.Release(buf2)

	// Buffers are recycled: the last one released comes back first.
	buf3, _ := p.Acquire()
	fmt.Println(buf3 == buf2, p.Available())
	// Output: true 99
}

func ExampleNew() {
	p, _ := pool.New(100)
	fmt.Println(p.Capacity(), p.Available())
	// Output: 100 100
}

func ExamplePool_Acquire() {
	p, _ := pool.New(10)
	buf, _ := p.Acquire()
	data := p.View(buf)
	fmt.Println(data[0]) // guaranteed zero
	// Output: 0
}

func ExamplePool_Release() {
	p, _ := pool.New(10)
	buf, _ := p.Acquire()
	fmt.Println(p.Available())
	p.Release(buf)
	fmt.Println(p.Available())
	// Output:
	// 9
	// 10
}

func ExamplePool_View() {
	p, _ := pool.New(10)
	buf, _ := p.Acquire()

	// Write to buffer.
	p.Buffer(buf)[0] = 1.0

	// Read from buffer.
	fmt.Println(p.View(buf)[0])
	// Output: 1
}

func ExamplePool_Buffer() {
	p, _ := pool.New(10)
	buf, _ := p.Acquire()

	// Fill buffer with one cycle of a sine wave.
	data := p.Buffer(buf)
	for i := range data {
		phase := float64(i) / block.Size
		data[i] = float32(math.Sin(phase * 2 * math.Pi))
	}
	fmt.Printf("%.3f %.3f %.3f\n", data[0], data[16], data[48])
	// Output: 0.000 1.000 -1.000
}

func ExampleSilenceBlock() {
	p := pool.NewDefault()
	fmt.Println(p.View(pool.Silence) == pool.SilenceBlock(), pool.SilenceBlock()[63])
	// Output: true 0
}
