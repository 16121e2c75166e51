// The shaping proxy lives in scripts/ so the uplink benchmark (compiled without test/) shares it.
export * from '../../scripts/bench/uplinkProxy.js';
