using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(DecisionApi.Benchmarks.EvaluationBenchmarks).Assembly).Run(args);
