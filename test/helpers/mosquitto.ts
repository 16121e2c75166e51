// The launcher lives in scripts/ so the benchmarks (compiled without test/) share it.
export * from '../../scripts/bench/mosquitto.js';
