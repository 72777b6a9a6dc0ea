module github.com/aether-audio/aether

go 1.26.0

require (
	github.com/jfreymuth/oggvorbis v1.0.5
	github.com/klauspost/cpuid/v2 v2.4.2
)

require github.com/jfreymuth/vorbis v1.0.2 // indirect

require (
	github.com/panjf2000/ants/v2 v2.12.1
	go.uber.org/atomic v1.12.0
	golang.org/x/sync v0.16.0 // indirect
	golang.org/x/sys v0.50.0
	golang.org/x/term v0.48.0
	gonum.org/v1/gonum v0.17.0
)
