import AdvBench

// The benchmarks live in AdvBench, which `adv bench` calls directly. This name remains only for
// `Runner.bench` (Runner+CommandLine.swift), which nothing calls any more: delete the two
// together, with AdvLang's dependency on AdvBench in Package.swift.
typealias Benchmarks = AdvBench.Benchmarks
