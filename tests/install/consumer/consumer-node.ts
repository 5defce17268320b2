// A TypeScript consumer of the Node-only entry points (with @types/node, as Node projects have it).
import { loadPlanetoid, readGexf, savePlanetoid } from '@tensorloom/graph/node';
import { commands, runCli } from '@tensorloom/cli';

const readers = [loadPlanetoid, readGexf, savePlanetoid] as const;
const exit: Promise<number> = runCli(['--help'], commands, { stdout: process.stdout, stderr: process.stderr });

export const used = [readers, exit];
