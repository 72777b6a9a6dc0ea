// Package sfcompare holds the tests that measure SoundFont renders: the
// SoundFont Spec Implementation Test's checks, asserted on a render, and
// the note-by-note comparison of a renderer with FluidSynth 2.3.1 playing
// FluidR3_GM, on probe MIDI files the tests write. It has no code outside
// its tests; docs/soundfont-fluidsynth.md describes them and records their
// figures.
package sfcompare
