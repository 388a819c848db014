// Throughput of the official parser: parse each file and evaluate every attribute with
// Value(nil), as `bench/micro/hcl_parse_bench.cc` does with ours, K times in one process.
package main

import (
	"flag"
	"fmt"
	"os"
	"syscall"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

func evalBody(body *hclsyntax.Body) {
	for _, attr := range body.Attributes {
		attr.Expr.Value(nil)
	}
	for _, b := range body.Blocks {
		evalBody(b.Body)
	}
}

func runBench(args []string) int {
	fs := flag.NewFlagSet("bench", flag.ExitOnError)
	n := fs.Int("n", 0, "iterations over all files (0: repeat for at least -min-time)")
	minTime := fs.Duration("min-time", 2*time.Second, "least total measuring time when -n is 0")
	fs.Parse(args)
	if fs.NArg() == 0 {
		fmt.Fprint(os.Stderr, usage)
		return 2
	}
	var srcs [][]byte
	total := 0
	for _, f := range fs.Args() {
		src, err := os.ReadFile(f)
		if err != nil {
			fmt.Fprintf(os.Stderr, "hcl-oracle bench: %v\n", err)
			return 2
		}
		if _, diags := hclsyntax.ParseConfig(src, f, hcl.InitialPos); diags.HasErrors() {
			fmt.Fprintf(os.Stderr, "hcl-oracle bench: %s does not parse: %s\n", f, diags.Error())
			return 1
		}
		srcs = append(srcs, src)
		total += len(src)
	}
	once := func() {
		for i, src := range srcs {
			file, _ := hclsyntax.ParseConfig(src, fs.Arg(i), hcl.InitialPos)
			evalBody(file.Body.(*hclsyntax.Body))
		}
	}
	once() // warm up
	iters := 0
	cpuStart := cpuTime()
	start := time.Now()
	for (*n > 0 && iters < *n) || (*n == 0 && time.Since(start) < *minTime) {
		once()
		iters++
	}
	elapsed := time.Since(start).Seconds()
	cpu := (cpuTime() - cpuStart).Seconds()
	processed := float64(total) * float64(iters)
	fmt.Printf("official: %.2f MB/s (%d bytes x %d iterations in %.3f s); %.2f MB/s of CPU time (%.3f s)\n",
		processed/elapsed/1e6, total, iters, elapsed, processed/cpu/1e6, cpu)
	return 0
}

// cpuTime is the process's user+system time, all threads (the garbage collector's included).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
