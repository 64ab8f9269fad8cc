import { InputError, loadState, loadTopology, statePath, topologyPath } from './topology';
import { synthesizeApp } from './stacks/app';

/**
 * The CDKTF app (`cdktf synth` runs `node dist/main.js`): the topology from $PRA_TOPOLOGY or the example,
 * the failback state from ./failback.auto.tfvars.json (defaults when absent), synthesized into $CDKTF_OUTDIR
 * or ./cdktf.out with the VPG manifest next to the stacks.
 */
function main(): number {
  const cwd = process.cwd();
  try {
    const topology = loadTopology(topologyPath(cwd, process.env));
    synthesizeApp(topology, loadState(statePath(cwd), topology));
    return 0;
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    process.stderr.write(`${error.lines.join('\n')}\n`);
    return error.exitCode;
  }
}

process.exitCode = main();
