//go:build !linux

package scheduler

import "sync/atomic"

// parker puts a worker to sleep on a channel where there is no futex.
type parker struct {
	parked atomic.Uint32 // 1 while the worker is, or is about to be, asleep
	token  chan struct{} // capacity 1: the token that unparks the worker
}

func (p *parker) init() { p.token = make(chan struct{}, 1) }

// sleep waits for the token that wake sends after clearing the flag.
func (p *parker) sleep() { <-p.token }

// wake sends the token; with room for one, the send never blocks.
func (p *parker) wake() { p.token <- struct{}{} }
