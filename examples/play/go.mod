module github.com/aether-audio/aether/examples/play

go 1.26.0

require (
	github.com/aether-audio/aether v0.0.0
	github.com/ebitengine/oto/v3 v3.4.0
)

require (
	github.com/ebitengine/purego v0.9.0 // indirect
	github.com/klauspost/cpuid/v2 v2.4.2 // indirect
	github.com/panjf2000/ants/v2 v2.12.1 // indirect
	go.uber.org/atomic v1.12.0 // indirect
	golang.org/x/sync v0.16.0 // indirect
	golang.org/x/sys v0.50.0 // indirect
	gonum.org/v1/gonum v0.17.0 // indirect
)

replace github.com/aether-audio/aether => ../..
