// goparse: the Go front end's allocations — go/parser parses the Go sources of go/ast, go/parser
// and go/token from the source tree named by the second argument (ASTs: pointerful nodes, and
// []ast.Stmt/[]ast.Decl slices grown by append
// past 512 B, which carry malloc headers in Go 1.22+), keeps them, then drops every other file.
// GOMAXPROCS=1, GOGC=100. Recorded by ../../record.sh (parsing Go 1.19's sources, so that the same
// input also runs under Go 1.19 with GODEBUG=allocfreetrace=1: README "Go 1.19 against Go 1.26").
package main

import (
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"runtime"
	"runtime/trace"
	"sort"
)

var keep []*ast.File

func main() {
	var files []string
	for _, dir := range []string{"go/ast", "go/parser", "go/token"} {
		m, _ := filepath.Glob(filepath.Join(os.Args[2], dir, "*.go"))
		files = append(files, m...)
	}
	sort.Strings(files)
	srcs := make([][]byte, len(files))
	for i, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			panic(err)
		}
		srcs[i] = b
	}
	f, err := os.Create(os.Args[1])
	if err != nil {
		panic(err)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	if err := trace.Start(f); err != nil {
		panic(err)
	}
	fset := token.NewFileSet()
	for i, src := range srcs {
		file, err := parser.ParseFile(fset, filepath.Base(files[i]), src, parser.ParseComments)
		if err != nil {
			panic(err)
		}
		keep = append(keep, file)
	}
	for i := 0; i < len(keep); i += 2 {
		keep[i] = nil
	}
	runtime.GC()
	trace.Stop()
	runtime.ReadMemStats(&after)
	f.Close()
	fmt.Printf("files %d\n", len(files))
	for _, m := range []struct {
		label string
		ms    *runtime.MemStats
	}{{"before", &before}, {"after", &after}} {
		b, _ := json.Marshal(map[string]uint64{"NumGC": uint64(m.ms.NumGC), "Mallocs": m.ms.Mallocs, "Frees": m.ms.Frees,
			"HeapAlloc": m.ms.HeapAlloc, "HeapObjects": m.ms.HeapObjects, "TotalAlloc": m.ms.TotalAlloc})
		fmt.Printf("memstats %s %s\n", m.label, b)
	}
	runtime.KeepAlive(keep)
}
