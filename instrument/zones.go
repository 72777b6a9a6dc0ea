package instrument

// Zone is an instrument playing a range of keys and velocities
// (inclusive).
type Zone struct {
	KeyLo, KeyHi uint8
	VelLo, VelHi uint8
	Instrument   Instrument
}

// contains reports whether the zone plays note n.
func (z *Zone) contains(n *Note) bool {
	return n.Key >= z.KeyLo && n.Key <= z.KeyHi && n.Velocity >= z.VelLo && n.Velocity <= z.VelHi
}

// Zones is an instrument made of other instruments, each playing a range
// of keys and velocities: a drum kit (an instrument per key), a split
// keyboard, velocity layers. A note starts the voices of every zone it
// falls in, in order, up to MaxVoices in all.
type Zones []Zone

// Start appends the voices of every zone that plays n.
func (zs Zones) Start(n *Note, ch *Channel, dst []Voice) []Voice {
	limit := len(dst) + MaxVoices
	for i := range zs {
		z := &zs[i]
		if !z.contains(n) {
			continue
		}
		if len(dst) == limit {
			break
		}
		// The zone appends within the limit (a zone that would pass it is
		// dropped whole) and, when dst has room for MaxVoices, within its
		// capacity, so the voices stay in dst's array.
		got := z.Instrument.Start(n, ch, dst[:len(dst):min(cap(dst), limit)])
		switch {
		case len(got) > limit:
			return dst
		case len(got) > cap(dst): // dst had less room: the zone grew a new array
			dst = got
		default:
			dst = dst[:len(got)]
		}
	}
	return dst
}

// Live is never called for Zones: the voices name the zone instruments
// that made them. It returns the zero Live.
func (zs Zones) Live(int32, *Note, *Channel) Live { return Live{} }

// Span is the longest span of the zones that play n.
func (zs Zones) Span(n *Note) Span {
	var s Span
	for i := range zs {
		if z := &zs[i]; z.contains(n) {
			zs := z.Instrument.Span(n)
			s.Release = max(s.Release, zs.Release)
			s.OneShot = max(s.OneShot, zs.OneShot)
		}
	}
	return s
}

// Bank maps MIDI bank and program numbers to instruments.
type Bank interface {
	// Instrument returns the instrument of program in bank, or nil when
	// there is none. A channel playing drums asks with drums set: General
	// MIDI has one drum kit, and SoundFonts keep kits in bank 128.
	Instrument(bank uint16, program uint8, drums bool) Instrument
}
