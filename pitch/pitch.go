// Package pitch holds equal temperament: the one formula from a MIDI key
// to a frequency, shared by the score reader, the instruments and the
// SoundFont reader.
package pitch

import "math"

// A4 is the frequency of MIDI key 69 in Hz.
const A4 = 440

// KeyFreq returns the equal-tempered frequency in Hz of MIDI key k; a
// fractional key lies between semitones (60.5 is a quarter tone above
// middle C).
func KeyFreq(k float64) float64 { return A4 * math.Exp2((k-69)/12) }

// Ratio returns the frequency ratio of an interval of cents.
func Ratio(cents float64) float64 { return math.Exp2(cents / 1200) }
