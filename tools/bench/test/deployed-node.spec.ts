import fs from 'node:fs';
import path from 'node:path';
import { WORKSPACE } from '../src/options';
import { deployedNodeFlags, deployedNodeMajor, runsDeployedNode } from '../src/system/deployed-node';

describe('the deployed node', () => {
  it("is read from the services' Dockerfiles: the major of .nvmrc, with the CMD's flags", () => {
    const nvmrc = Number(fs.readFileSync(path.join(WORKSPACE, '.nvmrc'), 'utf8').trim());
    expect(deployedNodeMajor(WORKSPACE, 'payment-service')).toBe(nvmrc);
    expect(deployedNodeFlags(WORKSPACE, 'payment-service')).toContain('--max-old-space-size=128');
  });

  it('tells a node of another major apart', () => {
    expect(runsDeployedNode('v26.12.1', 26)).toBe(true);
    expect(runsDeployedNode('v20.20.2', 26)).toBe(false);
    expect(runsDeployedNode('v260.1.0', 26)).toBe(false);
  });
});
