package voice

// Wavetable plays a single-cycle waveform of the caller's (Params.Table),
// band-limited like Saw.
const Wavetable Kind = 5

// wavetables are the Wavetable voices: each reads its own Table.
type wavetables struct{ tableVoices }

func newWavetables(capacity int) source { return &wavetables{newTableVoices(capacity)} }

func (*wavetables) check(p *Params, rate float64) error {
	if !finite64(p.Freq) || p.Freq <= 0 {
		return bad("Freq", p.Freq)
	}
	if p.Table == nil {
		return bad("Table", "nil")
	}
	return checkPitch(p, rate)
}

func (t *wavetables) start(i int32, p *Params, rate float64) bool {
	t.v[i].begin(p.Table, p.Freq, rate)
	return false
}
